/**
 * The worker-protocol commands' success paths, through the real CLI on real DB files:
 * enqueue, peek, claim, complete, fail, tasks, task, requeue, purge, tools.
 */
import assert from "node:assert/strict";
import { type TempProject, tempProject } from "./helpers.ts";

const ID = /^tsk_[0-9a-f]{12}$/;

async function project(): Promise<TempProject> {
  const p = await tempProject();
  await p.ok(["session", "create", "s1"]);
  await p.ok(["stream", "create", "auth", "--session", "s1", "-i", "Implement JWT auth"]);
  await p.ok(["stream", "create", "docs", "--session", "s1"]);
  return p;
}

Deno.test("enqueue → peek → claim → complete, FIFO, as a worker sees it", async () => {
  const p = await project();
  try {
    // enqueue prints the ID alone
    const out1 = await p.ok(["enqueue", "run-bash", '{"cmd":"ls -la"}', "--stream", "auth"]);
    assert.match(out1, /^tsk_[0-9a-f]{12}\n$/);
    const id1 = out1.trim();
    // payload from stdin with '-'; --stream=value form
    const id2 = (await p.ok(["enqueue", "llm-haiku", "-", "--stream=auth"], {
      stdin: '{"prompt": "review"}\n',
    })).trim();
    assert.match(id2, ID);
    const t3 = JSON.parse(
      await p.ok(["enqueue", "run-python", '{"n": 3}', "-s", "auth", "--json"]),
    );
    assert.match(t3.id, ID);
    assert.deepEqual(t3.payload, { n: 3 });
    assert.equal(t3.status, "queued");
    assert.equal(t3.attempts, 0);
    assert.equal(t3.tool_name, "run-python");
    assert.equal(t3.task_class, "MEDIUM_SCRIPT");
    assert.deepEqual(
      p.query("SELECT id, payload, status FROM tasks ORDER BY rowid"),
      [
        { id: id1, payload: '{"cmd":"ls -la"}', status: "queued" },
        { id: id2, payload: '{"prompt":"review"}', status: "queued" },
        { id: t3.id, payload: '{"n":3}', status: "queued" },
      ],
    );

    // peek: one line of compact JSON, the oldest, not claimed
    const peeked = await p.ok(["peek", "--stream", "auth"]);
    assert.equal(peeked.split("\n").length, 2, "exactly one line");
    assert.equal(JSON.parse(peeked).id, id1);
    assert.deepEqual(JSON.parse(peeked).payload, { cmd: "ls -la" });
    assert.equal(await p.ok(["peek", "--stream", "docs"]), "", "empty stream: nothing");
    assert.equal(p.query("SELECT status FROM tasks WHERE id = ?", id1)[0].status, "queued");

    // claim: FIFO, full task with payload parsed and the stream
    const c1 = JSON.parse(await p.ok(["claim", "--stream", "auth"]));
    assert.equal(c1.id, id1);
    assert.equal(c1.status, "running");
    assert.equal(c1.attempts, 1);
    assert.match(c1.started_at, /Z$/);
    assert.deepEqual(c1.payload, { cmd: "ls -la" });
    assert.deepEqual(c1.stream, {
      id: p.query("SELECT id FROM streams WHERE name = 'auth'")[0].id,
      name: "auth",
      instructions: "Implement JWT auth",
    });
    assert.equal(JSON.parse(await p.ok(["claim", "-s", "auth"])).id, id2);
    assert.equal(JSON.parse(await p.ok(["peek", "--stream", "auth"])).id, t3.id);
    assert.equal(JSON.parse(await p.ok(["claim", "--stream=auth"])).id, t3.id);
    const empty = await p.run(["claim", "--stream", "auth"]);
    assert.deepEqual([empty.code, empty.stdout, empty.stderr], [0, "", ""]);

    // complete with inline outputs
    const done = await p.ok([
      "complete",
      id1,
      "--result",
      '{"summary": "Listed the files", "files": 12}',
      "--stdout",
      "a\nb\n",
      "--stderr",
      "warn",
    ]);
    assert.equal(done, `Completed ${id1}: Listed the files\n`);
    const row = p.query("SELECT * FROM tasks WHERE id = ?", id1)[0];
    assert.equal(row.status, "succeeded");
    assert.deepEqual(JSON.parse(String(row.result)), { summary: "Listed the files", files: 12 });
    assert.equal(row.stdout, "a\nb\n");
    assert.equal(row.stderr, "warn");
    assert.ok(String(row.finished_at) >= String(row.started_at));

    // complete from files (result from stdin), --json prints the task
    await Deno.writeTextFile(`${p.dir}/out.txt`, "file stdout\n");
    const j = JSON.parse(
      await p.ok(
        ["complete", id2, "--result-file", "-", "--stdout-file", "out.txt", "--json"],
        { stdin: '{"summary": "Reviewed", "ok": true}' },
      ),
    );
    assert.equal(j.status, "succeeded");
    assert.deepEqual(j.result, { summary: "Reviewed", ok: true });
    assert.equal(j.stdout, "file stdout\n");
    assert.equal(j.stderr, null);

    // fail with error and stderr from stdin
    const failed = await p.ok(["fail", t3.id, "--error", "exit code 2", "--stderr-file", "-"], {
      stdin: "Traceback: boom\n",
    });
    assert.equal(failed, `Failed ${t3.id}: exit code 2\n`);
    assert.deepEqual(
      p.query("SELECT status, error, stderr, result FROM tasks WHERE id = ?", t3.id)[0],
      { status: "failed", error: "exit code 2", stderr: "Traceback: boom\n", result: null },
    );
  } finally {
    await p.cleanup();
  }
});

Deno.test("timeout precedence: --timeout over the tool's own over its class's", async () => {
  const p = await project();
  try {
    await Deno.writeTextFile(
      `${p.dir}/sparkq.yml`,
      "  slow-tool:\n    description: Slow\n    task_class: FAST_SCRIPT\n    timeout: 42\n",
      { append: true },
    );
    const tools = JSON.parse(await p.ok(["tools", "--json"]));
    assert.deepEqual(tools.find((t: { name: string }) => t.name === "slow-tool"), {
      name: "slow-tool",
      description: "Slow",
      task_class: "FAST_SCRIPT",
      timeout: 42,
      timeout_source: "tool",
    });
    assert.deepEqual(tools.find((t: { name: string }) => t.name === "run-bash-fast"), {
      name: "run-bash-fast",
      description: "Execute a quick bash script",
      task_class: "FAST_SCRIPT",
      timeout: 30,
      timeout_source: "class",
    });
    const table = await p.ok(["tools"]);
    assert.match(table, /^TOOL\s+CLASS\s+TIMEOUT\s+FROM\s+DESCRIPTION/);
    assert.match(table, /slow-tool\s+FAST_SCRIPT\s+42s\s+tool\s+Slow/);
    assert.match(table, /llm-sonnet\s+LLM_HEAVY\s+900s\s+class/);

    const timeoutOf = async (args: string[]) =>
      JSON.parse(await p.ok(["enqueue", ...args, "{}", "--stream", "auth", "--json"])).timeout;
    assert.equal(await timeoutOf(["run-bash-fast"]), 30, "class");
    assert.equal(await timeoutOf(["slow-tool"]), 42, "tool");
    assert.equal(await timeoutOf(["slow-tool", "--timeout", "7"]), 7, "--timeout");
    assert.equal(await timeoutOf(["run-bash-fast", "--timeout=600"]), 600, "--timeout");
  } finally {
    await p.cleanup();
  }
});

Deno.test("tasks lists newest first with filters, durations and stale marks", async () => {
  const p = await project();
  try {
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      ids.push((await p.ok(["enqueue", "run-bash", `{"i":${i}}`, "--stream", "auth"])).trim());
    }
    const docId = (await p.ok(["enqueue", "llm-haiku", '{"d":1}', "--stream", "docs"])).trim();
    await p.ok(["claim", "--stream", "auth"]); // ids[0]
    await p.ok(["claim", "--stream", "auth"]); // ids[1]
    await p.ok(["complete", ids[0], "--result", '{"summary":"ok"}']);
    // ids[1] has run for 400 s of its 300 s timeout: stale, not yet dead
    const past = new Date(Date.now() - 400_000).toISOString();
    p.exec("UPDATE tasks SET started_at = ? WHERE id = ?", past, ids[1]);

    const all = JSON.parse(await p.ok(["tasks", "--json"]));
    assert.ok(Array.isArray(all));
    assert.deepEqual(all.map((t: { id: string }) => t.id), [docId, ...[...ids].reverse()]);
    assert.deepEqual(all[0].payload, { d: 1 });
    assert.equal(all[0].stream_name, "docs");
    const byId = new Map<string, { stale: boolean; result: unknown }>(
      all.map((t: { id: string; stale: boolean; result: unknown }) => [t.id, t]),
    );
    assert.equal(byId.get(ids[1])?.stale, true);
    assert.equal(byId.get(ids[0])?.stale, false);
    assert.deepEqual(byId.get(ids[0])?.result, { summary: "ok" });

    const table = await p.ok(["tasks"]);
    const lines = table.trimEnd().split("\n");
    assert.match(
      lines[0],
      /^ID\s+TOOL\s+STREAM\s+STATUS\s+CREATED\s+STARTED\s+FINISHED\s+DURATION\s+OUTCOME$/,
    );
    assert.ok(lines[1].startsWith(docId));
    assert.match(table, new RegExp(`${ids[1]}\\s+run-bash\\s+auth\\s+running STALE\\s+`));
    assert.match(table, new RegExp(`${ids[1]}.*\\s6m\\d\\ds\\+\\n`), "running duration so far");
    assert.match(table, new RegExp(`${ids[0]}\\s+run-bash\\s+auth\\s+succeeded\\s+\\d{4}-`));
    assert.match(
      table,
      new RegExp(`${ids[3]}\\s+run-bash\\s+auth\\s+queued\\s+\\S+ \\S+\\s+-\\s+-\\s+-`),
    );
    assert.match(table, /1 stale/);

    const ids0 = (args: string[]) =>
      p.ok(["tasks", "--json", ...args]).then((o) =>
        JSON.parse(o).map((t: { id: string }) => t.id)
      );
    assert.deepEqual(await ids0(["--stale"]), [ids[1]]);
    assert.deepEqual(await ids0(["--status", "queued"]), [docId, ids[3], ids[2]]);
    assert.deepEqual(await ids0(["--status=queued", "--stream", "auth"]), [ids[3], ids[2]]);
    assert.deepEqual(await ids0(["--stream", "docs"]), [docId]);
    assert.deepEqual(await ids0(["--limit", "2"]), [docId, ids[3]]);
    assert.deepEqual(await ids0(["-n", "1", "--status", "succeeded"]), [ids[0]]);
    assert.deepEqual(await ids0(["--stale", "--status", "queued"]), []);
    assert.equal(await p.ok(["tasks", "--status", "failed"]), "No tasks match.\n");
  } finally {
    await p.cleanup();
  }
});

Deno.test("default limit of tasks is 50", async () => {
  const p = await project();
  try {
    const stream = p.query("SELECT id FROM streams WHERE name = 'auth'")[0].id as string;
    const now = Date.now();
    for (let i = 0; i < 60; i++) {
      const at = new Date(now - (60 - i) * 1000).toISOString();
      p.exec(
        `INSERT INTO tasks (id, stream_id, tool_name, task_class, payload, status, timeout,
           attempts, created_at, updated_at) VALUES (?, ?, 'run-bash', 'MEDIUM_SCRIPT', '{}',
           'queued', 300, 0, ?, ?)`,
        `tsk_${i.toString(16).padStart(12, "0")}`,
        stream,
        at,
        at,
      );
    }
    const list = JSON.parse(await p.ok(["tasks", "--json"]));
    assert.equal(list.length, 50);
    assert.equal(list[0].id, `tsk_${(59).toString(16).padStart(12, "0")}`);
    assert.equal(JSON.parse(await p.ok(["tasks", "--json", "--limit", "100"])).length, 60);
  } finally {
    await p.cleanup();
  }
});

Deno.test("task shows everything, human and JSON", async () => {
  const p = await project();
  try {
    const id = (await p.ok(["enqueue", "llm-sonnet", '{"prompt":"Write docs"}', "-s", "auth"]))
      .trim();
    await p.ok(["claim", "--stream", "auth"]);
    await p.ok([
      "complete",
      id,
      "--result",
      '{"files": ["a.md"], "summary": "Wrote the docs"}',
      "--stdout",
      "generated 1 file",
      "--stderr",
      "note: slow",
    ]);
    const human = await p.ok(["task", id]);
    assert.match(human, new RegExp(`^Task ${id}\n`));
    assert.match(human, /status\s+succeeded/);
    assert.match(human, /tool\s+llm-sonnet \(LLM_HEAVY\)/);
    assert.match(human, /stream\s+auth \(str_[0-9a-f]{12}\)/);
    assert.match(human, /created\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
    assert.match(human, /started\s+\d{4}-/);
    assert.match(human, /finished\s+\d{4}-/);
    assert.match(human, /duration\s+\d+(ms|\.?\d*s)/);
    assert.match(human, /attempts\s+1/);
    assert.match(human, /timeout\s+900s/);
    assert.match(human, /── Payload[^\n]*\n\{\n {2}"prompt": "Write docs"\n\}/);
    // summary first, then the rest of the result
    assert.match(human, /── Result[^\n]*\nSummary: Wrote the docs\n\{\n {2}"files": \[/);
    assert.match(human, /── Stdout[^\n]*\ngenerated 1 file/);
    assert.match(human, /── Stderr[^\n]*\nnote: slow/);
    assert.match(human, /── Stream instructions \(auth\)[^\n]*\nImplement JWT auth/);
    assert.doesNotMatch(human, /── Error/);

    const j = JSON.parse(await p.ok(["task", id, "--json"]));
    assert.equal(j.id, id);
    assert.deepEqual(j.payload, { prompt: "Write docs" });
    assert.deepEqual(j.result, { files: ["a.md"], summary: "Wrote the docs" });
    assert.equal(j.stdout, "generated 1 file");
    assert.equal(j.stream.name, "auth");
    assert.equal(j.stream.instructions, "Implement JWT auth");
    assert.equal(j.timeout, 900);
    assert.equal(j.attempts, 1);
    for (const k of ["created_at", "started_at", "finished_at", "updated_at"]) {
      assert.match(j[k], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/, k);
    }

    const fid = (await p.ok(["enqueue", "run-bash", "{}", "-s", "docs"])).trim();
    await p.ok(["claim", "--stream", "docs"]);
    await p.ok(["fail", fid, "--error", "it broke"]);
    const fh = await p.ok(["task", fid]);
    assert.match(fh, /status\s+failed/);
    assert.match(fh, /── Error[^\n]*\nit broke/);
    assert.match(fh, /── Stream instructions \(docs\)[^\n]*\n\(none\)/);
    assert.doesNotMatch(fh, /── Result/);
  } finally {
    await p.cleanup();
  }
});

Deno.test("requeue clones a failed task, into its stream or another", async () => {
  const p = await project();
  try {
    const id = (await p.ok(["enqueue", "run-bash", '{"cmd":"make"}', "-s", "auth", "-t", "77"]))
      .trim();
    await p.ok(["claim", "--stream", "auth"]);
    await p.ok(["fail", id, "--error", "flaky", "--stdout", "partial"]);

    const out = await p.ok(["requeue", id]);
    assert.match(out, /^tsk_[0-9a-f]{12}\n$/);
    const clone = out.trim();
    assert.notEqual(clone, id);
    const [orig, copy] = [id, clone].map((x) => p.query("SELECT * FROM tasks WHERE id = ?", x)[0]);
    assert.equal(orig.status, "failed", "the original stays as history");
    assert.equal(orig.error, "flaky");
    for (const k of ["stream_id", "tool_name", "task_class", "payload", "timeout"]) {
      assert.equal(copy[k], orig[k], k);
    }
    assert.deepEqual(
      [copy.status, copy.attempts, copy.result, copy.error, copy.stdout, copy.started_at],
      ["queued", 0, null, null, null, null],
    );
    assert.equal(JSON.parse(await p.ok(["claim", "--stream", "auth"])).id, clone);

    const moved = JSON.parse(await p.ok(["requeue", id, "--stream", "docs", "--json"]));
    assert.match(moved.id, ID);
    assert.equal(moved.status, "queued");
    assert.deepEqual(moved.payload, { cmd: "make" });
    assert.equal(moved.timeout, 77);
    assert.equal(moved.stream_id, p.query("SELECT id FROM streams WHERE name='docs'")[0].id);
  } finally {
    await p.cleanup();
  }
});

Deno.test("purge deletes old finished tasks only and says how many", async () => {
  const p = await project();
  try {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push((await p.ok(["enqueue", "run-bash", `{"i":${i}}`, "-s", "auth"])).trim());
    }
    for (let i = 0; i < 4; i++) await p.ok(["claim", "--stream", "auth"]);
    await p.ok(["complete", ids[0], "--result", '{"summary":"a"}']);
    await p.ok(["fail", ids[1], "--error", "b"]);
    await p.ok(["complete", ids[2], "--result", '{"summary":"c"}']);
    // ids[3] running, ids[4] queued; age everything by 5 days, except ids[2] (2 days)
    p.exec(
      "UPDATE tasks SET created_at = ?, finished_at = CASE WHEN finished_at IS NULL THEN NULL ELSE ? END",
      new Date(Date.now() - 5 * 864e5).toISOString(),
      new Date(Date.now() - 5 * 864e5).toISOString(),
    );
    p.exec(
      "UPDATE tasks SET finished_at = ? WHERE id = ?",
      new Date(Date.now() - 2 * 864e5).toISOString(),
      ids[2],
    );
    // the running task was started now: not dead, stays running
    assert.equal(await p.ok(["purge"]), "Purged 2 tasks finished more than 3d ago\n");
    assert.deepEqual(
      p.query("SELECT id, status FROM tasks ORDER BY rowid"),
      [
        { id: ids[2], status: "succeeded" },
        { id: ids[3], status: "running" },
        { id: ids[4], status: "queued" },
      ],
    );
    assert.equal(
      await p.ok(["purge", "--older-than", "3d"]),
      "Purged 0 tasks finished more than 3d ago\n",
    );
    assert.equal(
      await p.ok(["purge", "--older-than=36h"]),
      "Purged 1 task finished more than 36h ago\n",
    );
    assert.equal(p.query("SELECT COUNT(*) AS n FROM tasks")[0].n, 2);
  } finally {
    await p.cleanup();
  }
});
