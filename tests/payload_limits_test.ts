/**
 * Payload and result limits (SPEC §12.1, issue 10 "a deeply nested payload swallows a
 * claim"): more than 64 levels of nesting or more than 1 MiB of JSON is refused at
 * the door — CLI enqueue (argument and `-` stdin), complete --result/--result-file,
 * the API's enqueue and complete — with code `invalid` (depth) or `too_large` (size)
 * and a message that says the limit. A too-deep task already in the database (an
 * older SparkQ wrote it) stays queued when a claim cannot hand it over.
 */
import assert from "node:assert/strict";
import {
  assertRefused,
  exec,
  freshLauncher,
  query,
  sparkq,
  type TempProject,
  tempProject,
} from "./helpers.ts";
import { api, startServer } from "./server_helpers.ts";
import { MAX_JSON_BYTES, MAX_JSON_DEPTH } from "../src/core/constants.ts";

/** `{"a": [[…]]}` nested `levels` deep in all. */
function nested(levels: number): string {
  return `{"a":${"[".repeat(levels - 1)}${"]".repeat(levels - 1)}}`;
}
/** An object whose compact JSON is `bytes` long. */
function sized(bytes: number): string {
  return JSON.stringify({ x: "a".repeat(bytes - 8) });
}

async function project(): Promise<TempProject> {
  const p = await tempProject();
  await p.ok(["session", "create", "s1"]);
  await p.ok(["stream", "create", "st", "--session", "s1"]);
  return p;
}

/** Runs a freshly built launcher (the bundle) in `p`. */
async function viaLauncher(p: TempProject, args: string[], stdin?: string) {
  const env = { SPARKQ_TMPDIR: `${p.dir}/tmp` };
  return await sparkq(args, { cwd: p.dir, env, stdin, launcher: await freshLauncher() });
}

const DEEP = /nested more than 64 levels deep; the limit is 64 levels/;
const BIG = /the limit is 1 MiB \(1048576 bytes\)/;

Deno.test("CLI enqueue refuses payloads deeper than 64 levels or larger than 1 MiB (source and launcher)", async () => {
  const p = await project();
  try {
    assert.equal(MAX_JSON_DEPTH, 64);
    assert.equal(MAX_JSON_BYTES, 1024 * 1024);
    // The attack: 6000 levels through stdin.
    const attack = `{"a":${"[".repeat(6000)}${"]".repeat(6000)}}\n`;
    await assertRefused(p, ["enqueue", "run-bash", "-", "--stream", "st"], DEEP, 1, {
      stdin: attack,
    });
    await assertRefused(p, ["enqueue", "run-bash", nested(65), "--stream", "st"], DEEP);
    await assertRefused(p, ["enqueue", "run-bash", "-", "--stream", "st"], BIG, 1, {
      stdin: sized(MAX_JSON_BYTES + 1),
    });
    // Brackets inside strings do not count; exactly at the limits is accepted.
    await p.ok([
      "enqueue",
      "run-bash",
      JSON.stringify({ s: "[[[[".repeat(100) }),
      "--stream",
      "st",
    ]);
    await p.ok(["enqueue", "run-bash", nested(64), "--stream", "st"]);
    await p.ok(["enqueue", "run-bash", "-", "--stream", "st"], { stdin: sized(MAX_JSON_BYTES) });
    assert.equal(query(p.db, "SELECT count(*) AS n FROM tasks")[0].n, 3);

    // The same refusals through the launcher (the bundle).
    const deep = await viaLauncher(p, ["enqueue", "run-bash", "-", "--stream", "st"], attack);
    assert.equal(deep.code, 1, deep.stderr);
    assert.match(deep.stderr, DEEP);
    const big = await viaLauncher(
      p,
      ["enqueue", "run-bash", "-", "--stream", "st"],
      sized(MAX_JSON_BYTES + 1),
    );
    assert.equal(big.code, 1, big.stderr);
    assert.match(big.stderr, BIG);
    assert.equal(query(p.db, "SELECT count(*) AS n FROM tasks")[0].n, 3);
  } finally {
    await p.cleanup();
  }
});

Deno.test("CLI complete refuses results deeper than 64 levels or larger than 1 MiB; the task stays running", async () => {
  const p = await project();
  try {
    const id = (await p.ok(["enqueue", "run-bash", "{}", "--stream", "st"])).trim();
    await p.ok(["claim", "--stream", "st"]);
    const deepResult = `{"summary":"x","a":${"[".repeat(6000)}${"]".repeat(6000)}}`;
    await Deno.writeTextFile(`${p.dir}/deep.json`, deepResult);
    await assertRefused(p, ["complete", id, "--result-file", "deep.json"], DEEP);
    await assertRefused(p, ["complete", id, "--result-file", "-"], DEEP, 1, { stdin: deepResult });
    const bigResult = JSON.stringify({ summary: "x", blob: "b".repeat(MAX_JSON_BYTES) });
    await Deno.writeTextFile(`${p.dir}/big.json`, bigResult);
    await assertRefused(p, ["complete", id, "--result-file", "big.json"], BIG);
    const launched = await viaLauncher(p, ["complete", id, "--result-file", "deep.json"]);
    assert.equal(launched.code, 1, launched.stderr);
    assert.match(launched.stderr, DEEP);
    assert.equal(query(p.db, "SELECT status FROM tasks WHERE id = ?", id)[0].status, "running");
  } finally {
    await p.cleanup();
  }
});

Deno.test("API refuses too-deep and too-large payloads and results with invalid/too_large, storing nothing", async () => {
  const s = await startServer();
  try {
    await s.p.ok(["session", "create", "s1"]);
    await s.p.ok(["stream", "create", "st", "--session", "s1"]);
    const post = (raw: string) => api(s, "POST", "/api/tasks", undefined, { raw });
    const body = (payload: string) => `{"stream":"st","tool_name":"run-bash","payload":${payload}}`;

    const deep = await post(body(`{"a":${"[".repeat(100_000)}${"]".repeat(100_000)}}`));
    assert.equal(deep.status, 422, JSON.stringify(deep.body));
    assert.equal(deep.body.code, "invalid");
    assert.match(deep.body.error, DEEP);
    const six = await post(body(`{"a":${"[".repeat(6000)}${"]".repeat(6000)}}`));
    assert.equal(six.body.code, "invalid");
    const big = await post(body(sized(MAX_JSON_BYTES + 1)));
    assert.equal(big.status, 413, JSON.stringify(big.body));
    assert.equal(big.body.code, "too_large");
    assert.match(big.body.error, BIG);
    assert.equal(query(s.p.db, "SELECT count(*) AS n FROM tasks")[0].n, 0);

    const ok = await post(body(nested(64)));
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
    const claimed = await api(s, "POST", "/api/streams/st/claim", {});
    assert.equal(claimed.status, 200);
    const deepResult = `{"result":{"summary":"x","a":${"[".repeat(6000)}${"]".repeat(6000)}}}`;
    const done = await api(s, "POST", `/api/tasks/${ok.body.id}/complete`, undefined, {
      raw: deepResult,
    });
    assert.equal(done.status, 422, JSON.stringify(done.body));
    assert.equal(done.body.code, "invalid");
    const bigDone = await api(s, "POST", `/api/tasks/${ok.body.id}/complete`, {
      result: { summary: "x", blob: "b".repeat(MAX_JSON_BYTES) },
    });
    assert.equal(bigDone.status, 413);
    assert.equal(bigDone.body.code, "too_large");
    assert.equal(
      query(s.p.db, "SELECT status FROM tasks WHERE id = ?", ok.body.id)[0].status,
      "running",
    );
  } finally {
    await s.stop();
    await s.p.cleanup();
  }
});

Deno.test("a too-deep task written by an older SparkQ stays queued when claim and wait cannot hand it over", async () => {
  const s = await startServer();
  const p = s.p;
  try {
    await p.ok(["session", "create", "s1"]);
    await p.ok(["stream", "create", "st", "--session", "s1"]);
    const id = (await p.ok(["enqueue", "run-bash", "{}", "--stream", "st"])).trim();
    // What an older version stored: the 6000-deep payload.
    exec(p.db, "UPDATE tasks SET payload = ? WHERE id = ?", nested(6000), id);
    const status = () => query(p.db, "SELECT status FROM tasks WHERE id = ?", id)[0].status;

    for (
      const args of [["claim", "--stream", "st"], ["wait", "--stream", "st", "--timeout", "2"]]
    ) {
      const r = await p.run(args);
      assert.equal(r.code, 1, `${args.join(" ")}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, new RegExp(`task ${id} cannot be handed over.*stays queued`));
      assert.doesNotMatch(r.stderr, /unexpected failure|call stack/);
      assert.equal(status(), "queued", args.join(" "));
    }
    const viaApi = await api(s, "POST", "/api/streams/st/claim", {});
    assert.equal(viaApi.status, 422, JSON.stringify(viaApi.body));
    assert.equal(viaApi.body.code, "invalid");
    assert.equal(status(), "queued");
    const launched = await viaLauncher(p, ["claim", "--stream", "st"]);
    assert.equal(launched.code, 1, launched.stderr);
    assert.equal(status(), "queued");
  } finally {
    await s.stop();
    await p.cleanup();
  }
});
