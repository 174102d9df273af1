/**
 * `sparkq purge` on both of its paths — rebuilding the table from the survivors when
 * most tasks go, and batched deletes otherwise: only old finished tasks disappear;
 * every surviving row is unchanged and FIFO order holds.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { query, type TempProject, tempProject } from "./helpers.ts";

/** Enqueues `n` tasks; completes the first `finished` (half of them failed instead). */
async function fill(p: TempProject, n: number, finished: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    ids.push(
      (await p.ok(["enqueue", "run-bash", JSON.stringify({ n: i }), "--stream", "s"])).trim(),
    );
  }
  for (let i = 0; i < finished; i++) {
    const t = JSON.parse(await p.ok(["claim", "--stream", "s"]));
    assert.equal(t.id, ids[i], "FIFO before the purge");
    await p.ok(
      i % 2
        ? ["fail", t.id, "--error", `bad ${i}`]
        : ["complete", t.id, "--result", `{"summary":"did ${i}"}`],
    );
  }
  return ids;
}

/** Moves the finish time of these tasks 10 days back. */
function age(db: string, ids: string[]): void {
  const conn = new DatabaseSync(db);
  try {
    const old = new Date(Date.now() - 10 * 864e5).toISOString();
    for (const id of ids) {
      conn.prepare("UPDATE tasks SET finished_at = ? WHERE id = ?").run(old, id);
    }
  } finally {
    conn.close();
  }
}

const rows = (db: string) => query(db, "SELECT * FROM tasks ORDER BY created_at, rowid");

for (
  const [name, n, finished, old] of [
    ["most tasks go: the table is rebuilt from the survivors", 12, 10, 9],
    ["few tasks go: batched deletes", 12, 4, 2],
  ] as const
) {
  Deno.test(`purge, ${name}`, async () => {
    const p = await tempProject();
    try {
      await p.ok(["session", "create", "w"]);
      await p.ok(["stream", "create", "s", "--session", "w"]);
      const ids = await fill(p, n, finished);
      const running = JSON.parse(await p.ok(["claim", "--stream", "s"])).id; // stays running
      age(p.db, ids.slice(0, old));
      const before = rows(p.db);
      const survivors = before.filter((r) => !ids.slice(0, old).includes(String(r.id)));

      assert.equal(
        (await p.ok(["purge", "--older-than", "3d"])).trim(),
        `Purged ${old} tasks finished more than 3d ago`,
      );

      assert.deepEqual(rows(p.db), survivors, "survivors unchanged, in the same order");
      assert.equal(query(p.db, "PRAGMA integrity_check")[0].integrity_check, "ok");
      assert.equal(query(p.db, "PRAGMA foreign_key_check").length, 0);
      assert.equal(
        query(p.db, "SELECT status FROM tasks WHERE id = ?", running)[0].status,
        "running",
      );
      // FIFO still holds for what is queued.
      const next = JSON.parse(await p.ok(["claim", "--stream", "s"]));
      assert.equal(next.id, ids[finished + 1]);
      // A second purge finds nothing.
      assert.match(await p.ok(["purge", "--older-than", "3d"]), /^Purged 0 tasks/);
      // Foreign keys are enforced again on later writes (a fresh process, but the same rule).
      await p.ok(["enqueue", "run-bash", "{}", "--stream", "s"]);
    } finally {
      await p.cleanup();
    }
  });
}
