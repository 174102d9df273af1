/**
 * A closed pipe is a normal end (issue 9): when the reader of stdout goes away
 * (`sparkq task <id> | head -c 100`), every command exits quietly with status 0 and
 * nothing on stderr — under `deno run main.ts` and through a freshly built launcher.
 * The outputs here are far bigger than a pipe's buffer (64 KiB), so the writes
 * really meet the closed pipe; small outputs meet a pipe closed before the start.
 */
import assert from "node:assert/strict";
import { freshLauncher, sparkqCommand, type TempProject, tempProject } from "./helpers.ts";
import { shell } from "./support/process.ts";

const MiB = 1024 * 1024;

/** How the reader leaves: before the program writes, or after its first chunk. */
type Leave = "at once" | "after a chunk";

/** Runs `sparkq <args>` with a stdout reader that leaves early; returns the end. */
async function closedEarly(
  p: TempProject,
  args: string[],
  leave: Leave,
): Promise<{ code: number; stderr: string; read: number }> {
  const how = sparkqCommand(args, {
    cwd: p.dir,
    env: { SPARKQ_TMPDIR: `${p.dir}/tmp` },
    launcher: p.launcher,
  });
  const child = new Deno.Command(how.cmd, {
    args: how.args,
    cwd: how.cwd,
    env: how.env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  let read = 0;
  if (leave === "after a chunk") {
    const reader = child.stdout.getReader();
    const first = await reader.read();
    read = first.value?.length ?? 0;
    await reader.cancel();
  } else {
    await child.stdout.cancel();
  }
  const status = await child.status;
  return { code: status.code, stderr: await stderr, read };
}

/** `sh -c 'sparkq … | head -c 100'`: the exit status and stderr of sparkq itself. */
async function throughHead(
  p: TempProject,
  args: string[],
): Promise<{ code: number; stderr: string }> {
  const how = sparkqCommand(args, {
    cwd: p.dir,
    env: { SPARKQ_TMPDIR: `${p.dir}/tmp` },
    launcher: p.launcher,
  });
  const err = `${p.dir}/tmp/head.err`;
  const code = `${p.dir}/tmp/head.code`;
  const out = await shell(
    '{ "$@" 2>"$ERR_FILE"; echo $? >"$CODE_FILE"; } | head -c 100 >/dev/null',
    [how.cmd, ...how.args],
    { cwd: how.cwd, env: { ...how.env, ERR_FILE: err, CODE_FILE: code } },
  );
  assert.equal(out.code, 0, out.stderr);
  return {
    code: Number((await Deno.readTextFile(code)).trim()),
    stderr: await Deno.readTextFile(err),
  };
}

/** A project with a task whose stdout is 3 MB, and queued tasks with big payloads. */
async function bigProject(launcher: string | undefined): Promise<{ p: TempProject; id: string }> {
  const p = await tempProject([], { launcher });
  await p.ok(["session", "create", "s1"]);
  await p.ok(["stream", "create", "auth", "--session", "s1"]);
  const id = (await p.ok(["enqueue", "run-bash", "{}", "-s", "auth"])).trim();
  await p.ok(["claim", "-s", "auth"]);
  await Deno.writeTextFile(
    `${p.dir}/out.txt`,
    "build output line 0123456789\n".repeat(3 * MiB / 29),
  );
  await p.ok(["complete", id, "--result", '{"summary":"big"}', "--stdout-file", "out.txt"]);
  const payload = JSON.stringify({ note: "p".repeat(400 * 1024) });
  for (let i = 0; i < 4; i++) {
    await p.ok(["enqueue", "run-bash", "-", "-s", "auth"], { stdin: payload });
  }
  return { p, id };
}

for (const via of ["source", "launcher"] as const) {
  Deno.test(`closed pipe (${via}): every command ends quietly with status 0`, async () => {
    const { p, id } = await bigProject(via === "launcher" ? await freshLauncher() : undefined);
    try {
      const big: string[][] = [
        ["task", id],
        ["task", id, "--json"],
        ["tasks", "--json"],
        ["peek", "-s", "auth"],
        ["claim", "-s", "auth"],
      ];
      const small: string[][] = [
        ["completions", "bash"],
        ["tasks"],
        ["status"],
        ["--help"],
        ["session", "list"],
        ["stream", "list", "--json"],
      ];
      const cases: [string[], Leave][] = [
        ...big.map((a): [string[], Leave] => [a, "after a chunk"]),
        ...[...big, ...small].map((a): [string[], Leave] => [a, "at once"]),
      ];
      for (const [args, leave] of cases) {
        const r = await closedEarly(p, args, leave);
        const what = `sparkq ${args.join(" ")} (reader leaves ${leave}): exit ${r.code}`;
        assert.equal(r.stderr, "", `${what}, stderr: ${r.stderr}`);
        assert.equal(r.code, 0, what);
        if (leave === "after a chunk") assert.ok(r.read > 0, `${what}: nothing was read`);
      }
      // The issue's own example, through a shell pipe into head.
      const h = await throughHead(p, ["task", id]);
      assert.deepEqual(h, { code: 0, stderr: "" }, "sparkq task <id> | head -c 100");
      // A refusal still reports on stderr when stdout's reader is gone.
      const refused = await closedEarly(p, ["task", "tsk_000000000000"], "at once");
      assert.notEqual(refused.code, 0);
      assert.match(refused.stderr, /^Error: /);
    } finally {
      await p.cleanup();
    }
  });
}
