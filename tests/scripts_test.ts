/**
 * The script index (SPEC §6): header parsing, `sparkq scripts [--json]` over nested
 * script dirs relative to project.repo_path, warnings for missing dirs and duplicate
 * names, and `reload` staying off the heavy modules on its hot path.
 */
import assert from "node:assert/strict";
import { parseHeader } from "../src/engine/script_header.ts";
import { DENO, ROOT, tempProject } from "./helpers.ts";
import { run } from "./support/process.ts";

Deno.test("parseHeader reads the leading comment block only", () => {
  assert.deepEqual(
    parseHeader(
      "#!/usr/bin/env bash\n# name: deploy-preview\n#   description: Builds a preview  \n" +
        "# inputs: BRANCH, ENV\n# outputs: the preview URL\n# tags: deploy, ci  web\n" +
        "# (other comments are ignored)\nset -e\n# name: not-this\n",
    ),
    {
      name: "deploy-preview",
      description: "Builds a preview",
      inputs: "BRANCH, ENV",
      outputs: "the preview URL",
      tags: ["deploy", "ci", "web"],
    },
  );
  // Only a name is needed; the other fields default to empty. CRLF and `##` work.
  assert.deepEqual(parseHeader("## Name: tiny\r\necho\r\n"), {
    name: "tiny",
    description: "",
    inputs: "",
    outputs: "",
    tags: [],
  });
  // The block ends at the first non-comment line (a blank one too).
  assert.equal(parseHeader("#!/bin/sh\n\n# name: late\n"), undefined);
  assert.equal(parseHeader("echo hi\n# name: late\n"), undefined);
  assert.equal(parseHeader("# description: no name\n"), undefined);
  assert.equal(parseHeader("# name:\n"), undefined);
  assert.equal(parseHeader(""), undefined);
  // A field given twice keeps both lines.
  assert.equal(parseHeader("# name: a\n# inputs: x\n# inputs: y\n")?.inputs, "x\ny");
});

Deno.test("sparkq scripts lists the index of every script dir", async () => {
  const p = await tempProject([
    "--repo-path",
    "repo",
    "--script-dir",
    "scripts",
    "--script-dir",
    "tools/bin",
    "--script-dir",
    "missing",
  ]);
  try {
    const repo = `${p.dir}/repo`;
    await Deno.mkdir(`${repo}/scripts/db`, { recursive: true });
    await Deno.mkdir(`${repo}/tools/bin`, { recursive: true });
    await Deno.mkdir(`${repo}/scripts/.hidden`, { recursive: true });
    const write = (path: string, text: string | Uint8Array) =>
      typeof text === "string"
        ? Deno.writeTextFile(`${repo}/${path}`, text)
        : Deno.writeFile(`${repo}/${path}`, text);
    await write(
      "scripts/db/migrate.sh",
      "#!/bin/bash\n# name: migrate\n# description: Runs migrations\n# inputs: DB_URL\n" +
        "# outputs: applied versions\n# tags: db\nexit 0\n",
    );
    await write("scripts/report.py", "# name: report\n# description: Weekly report\nprint(1)\n");
    await write("scripts/notes.txt", "plain text, no header\n");
    await write("scripts/blob.bin", new Uint8Array([0, 1, 2, 35, 32, 110]));
    await write("scripts/.hidden/secret.sh", "# name: secret\n");
    await write("tools/bin/migrate2.sh", "# name: migrate\n# description: duplicate name\n");
    await write("tools/bin/lint", "#!/bin/sh\n# name: lint\n# tags: ci,fast\nexec lint\n");

    const r = await p.run(["scripts", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const list = JSON.parse(r.stdout);
    assert.deepEqual(
      list.map((s: { name: string; path: string; tags: string[] }) => [s.name, s.path, s.tags]),
      [
        ["lint", "tools/bin/lint", ["ci", "fast"]],
        ["migrate", "scripts/db/migrate.sh", ["db"]],
        ["report", "scripts/report.py", []],
      ],
    );
    assert.equal(list[1].description, "Runs migrations");
    assert.equal(list[1].inputs, "DB_URL");
    assert.equal(list[1].outputs, "applied versions");
    assert.equal(list[1].abs_path, `${repo}/scripts/db/migrate.sh`);
    assert.match(r.stderr, /Warning: script dir 'missing' \(.*\/repo\/missing\) does not exist/);
    assert.match(
      r.stderr,
      /Warning: script name 'migrate' in tools\/bin\/migrate2\.sh is already used by scripts\/db\/migrate\.sh; skipped/,
    );

    const table = await p.ok(["scripts"]);
    assert.match(table, /^NAME\s+PATH\s+TAGS\s+DESCRIPTION/);
    assert.match(table, /migrate\s+scripts\/db\/migrate\.sh\s+db\s+Runs migrations/);

    // reload reports the same index (no server running).
    const reload = await p.run(["reload"]);
    assert.equal(reload.code, 0, reload.stderr);
    assert.match(reload.stdout, /Script index: 3 scripts/);
    assert.match(reload.stdout, /Server: not running/);
  } finally {
    await p.cleanup();
  }
});

Deno.test("sparkq scripts with nothing indexed says how to index a script", async () => {
  const p = await tempProject();
  try {
    await Deno.mkdir(`${p.dir}/scripts`);
    const out = await p.ok(["scripts"]);
    assert.match(out, /No scripts indexed in scripts/);
    assert.match(out, /'# name:'/);
    assert.deepEqual(JSON.parse(await p.ok(["scripts", "--json"])), []);
  } finally {
    await p.cleanup();
  }
});

Deno.test("reload's hot module imports no hono, yaml or zod (they load through loadCold())", async () => {
  const out = await run(DENO, ["info", "--json", `${ROOT}/src/commands/reload.ts`], {
    env: { RUST_BACKTRACE: "0" },
  });
  assert.equal(out.code, 0, out.stderr);
  const info = JSON.parse(out.stdout);
  type Dep = { code?: { specifier?: string }; isDynamic?: boolean };
  const modules = new Map<string, { dependencies?: Dep[] }>(
    info.modules.map((m: { specifier: string }) => [m.specifier, m]),
  );
  const redirects: Record<string, string> = info.redirects ?? {};
  const seen = new Set<string>();
  const stack = [`file://${ROOT}/src/commands/reload.ts`];
  while (stack.length) {
    const spec = stack.pop()!;
    if (seen.has(spec)) continue;
    seen.add(spec);
    for (const d of modules.get(spec)?.dependencies ?? []) {
      if (d.isDynamic || !d.code?.specifier) continue;
      stack.push(redirects[d.code.specifier] ?? d.code.specifier);
    }
  }
  const heavyDeps = [...seen].filter((s) => /^npm:\/?(hono|yaml|zod)@/.test(s));
  assert.deepEqual(heavyDeps, [], `statically reachable from reload.ts: ${[...seen].join(", ")}`);
  assert.ok(seen.has(`file://${ROOT}/src/core/cold.ts`), "reload goes through loadCold()");
});
