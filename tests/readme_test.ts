/**
 * A newcomer following only the README: in a fresh copy of this folder, `./setup.sh`,
 * then the five-minute tour's own shell blocks, as written — setup, a session and two
 * streams, enqueue, one turn of a scripted worker, review — and the dashboard shows
 * the completed task. Only the port is changed (to a free one).
 */
import assert from "node:assert/strict";
import { freePort, ROOT } from "./helpers.ts";
import { run, spawn, type Spawned } from "./support/process.ts";

/** Files that a fresh clone does not have (build output, local state). */
const NOT_IN_A_CLONE = new Set([
  ".git",
  "dist",
  ".tools",
  "test-output",
  "node_modules",
  "sparkq",
  "sparkq.yml",
  "sparkq.db",
  "sparkq.db-wal",
  "sparkq.db-shm",
  "sparkq.lock",
  ".sparkq.yml.cache.json",
]);

async function copyTree(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const e of Deno.readDir(from)) {
    if (NOT_IN_A_CLONE.has(e.name)) continue;
    if (e.isDirectory) await copyTree(`${from}/${e.name}`, `${to}/${e.name}`);
    else if (e.isFile) {
      await Deno.copyFile(`${from}/${e.name}`, `${to}/${e.name}`);
      await Deno.chmod(`${to}/${e.name}`, (await Deno.stat(`${from}/${e.name}`)).mode! & 0o777);
    }
  }
}

/** The ```sh blocks of the README section that starts with `heading`. */
function shellBlocks(readme: string, heading: string): string[] {
  const start = readme.indexOf(`## ${heading}`);
  assert.ok(start >= 0, `README has a '## ${heading}' section`);
  const end = readme.indexOf("\n## ", start + 3);
  const section = readme.slice(start, end === -1 ? undefined : end);
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
}

function sh(cwd: string, script: string, env: Record<string, string>) {
  return run("sh", ["-ec", script], { cwd, env });
}

Deno.test("the README's quick start and tour work as written, up to the dashboard", async () => {
  const readme = await Deno.readTextFile(`${ROOT}/README.md`);
  const quick = shellBlocks(readme, "Quick start")[0];
  assert.match(quick, /^\.\/setup\.sh && \.\/sparkq setup /m, "quick start runs setup.sh first");
  const tour = shellBlocks(readme, "A five-minute tour");
  assert.equal(tour.length, 6, "setup, streams, enqueue, worker, review, dashboard");

  const top = await Deno.makeTempDir({ prefix: "sparkq-readme-" });
  const dir = `${top}/myrepo/sparkq`; // SparkQ copied into a repository
  const tmp = `${top}/tmp`;
  await Deno.mkdir(tmp, { recursive: true });
  await copyTree(ROOT, dir);
  const port = freePort();
  const env = { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", HOME: top, SPARKQ_TMPDIR: tmp };
  let server: Spawned | undefined;
  try {
    // The quick start's first half (its second half is the interactive setup).
    const setup = await sh(dir, "./setup.sh", env);
    assert.equal(setup.code, 0, `setup.sh failed:\n${setup.stdout}\n${setup.stderr}`);
    assert.match(setup.stdout, /\.\/sparkq setup/, "setup.sh names the next command");

    // Blocks 1-5 in one shell, as a newcomer would paste them.
    const script = tour.slice(0, 5).join("\n").replaceAll("8420", String(port));
    const r = await sh(dir, script, env);
    assert.equal(r.code, 0, `tour failed:\n${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /Created session checkout/);
    assert.match(r.stdout, /payments\s+checkout\s+active/, "status lists the streams");
    assert.match(r.stdout, /Applied migrations 0041-0043/, "task shows the summary");
    const ids = r.stdout.match(/^tsk_[0-9a-f]{12}$/gm) ?? [];
    assert.equal(ids.length, 3, "each enqueue printed its ID alone");
    assert.equal(r.stderr, "");

    // Block 6: the dashboard.
    server = spawn("sh", ["-ec", `exec ${tour[5].split("#")[0].trim()}`], { cwd: dir, env });
    let page = "";
    for (let i = 0; i < 100 && !page; i++) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/`);
        page = await res.text();
      } catch {
        await new Promise((ok) => setTimeout(ok, 200));
      }
    }
    assert.match(page, /Applied migrations 0041-0043/, "the dashboard shows the completed task");
    assert.match(page, /payments/);
    assert.match(page, /ui-polish/);

    const stop = await sh(dir, "./sparkq stop", env);
    assert.equal(stop.code, 0, stop.stderr);
    const ended = await server.done();
    server = undefined;
    assert.ok(ended.signal === "SIGTERM" || ended.code === 0, "the server ended");
  } finally {
    await server?.stop("SIGTERM");
    await Deno.remove(top, { recursive: true });
  }
});
