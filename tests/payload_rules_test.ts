/**
 * Per-tool payload rules (SPEC §12.1): a tool in sparkq.yml declares `payload:` (a JSON
 * Schema, draft 2020-12) and every enqueue — CLI, API, the web UI's form, MCP — is checked
 * against it by the validator, the refusal naming the path and the rule. Tools without
 * a schema are unaffected; a bad schema is a config error with its line. Through the
 * source and a freshly built launcher (the validator is a cold module of the bundle).
 */
import assert from "node:assert/strict";
import { assertRefused, freshLauncher, ROOT, type TempProject, tempProject } from "./helpers.ts";
import { api, startServer } from "./server_helpers.ts";
import { addTool, DEPLOY_TOOL } from "./tool_helpers.ts";
import { ok as mcpOk, refused, stdioClient } from "./mcp_helpers.ts";

async function project(launcher?: string): Promise<TempProject> {
  const p = await tempProject([], { launcher });
  await addTool(p, DEPLOY_TOOL);
  await p.ok(["session", "create", "s1"]);
  await p.ok(["stream", "create", "st", "--session", "s1"]);
  return p;
}

const WHERE = [["source"], ["launcher"]] as const;

for (const [via] of WHERE) {
  Deno.test(`payload rules: CLI enqueue is checked against the tool's schema (${via})`, async () => {
    const p = await project(via === "launcher" ? await freshLauncher() : undefined);
    try {
      // A missing property, a wrong type deep inside, a property the schema forbids.
      await assertRefused(
        p,
        ["enqueue", "deploy", '{"args": []}', "--stream", "st"],
        /^Error: payload does not match tool 'deploy': \/script_path: required property missing\n/,
      );
      await assertRefused(
        p,
        ["enqueue", "deploy", '{"script_path": "scripts/d.sh", "args": ["--dry", 2]}', "-s", "st"],
        /payload does not match tool 'deploy': \/args\/1: type: must be string, got number/,
      );
      await assertRefused(
        p,
        ["enqueue", "deploy", '{"script_path": "d.sh", "cmd": "ls"}', "-s", "st"],
        /payload does not match tool 'deploy': \/cmd: property not allowed/,
      );
      await assertRefused(
        p,
        ["enqueue", "deploy", '{"script_path": ""}', "-s", "st"],
        /\/script_path: minLength: /,
      );
      // With --json the refusal is the API's error object, code `invalid`.
      const r = await p.run(["enqueue", "deploy", "{}", "--stream", "st", "--json"]);
      assert.equal(r.code, 1);
      const err = JSON.parse(r.stderr);
      assert.equal(err.code, "invalid");
      assert.equal(
        err.error,
        "payload does not match tool 'deploy': /script_path: required property missing",
      );
      assert.equal(p.query("SELECT COUNT(*) AS n FROM tasks")[0].n, 0);

      // A payload that keeps the rules is queued as given.
      const good = { script_path: "scripts/deploy.sh", args: ["--dry-run"] };
      const id = (await p.ok(["enqueue", "deploy", JSON.stringify(good), "-s", "st"])).trim();
      assert.deepEqual(JSON.parse(await p.ok(["task", id, "--json"])).payload, good);

      // A tool without a schema takes any JSON object, as before.
      const free = (await p.ok(["enqueue", "run-bash", '{"cmd": "ls"}', "-s", "st"])).trim();
      assert.match(free, /^tsk_[0-9a-f]{12}$/);

      // `tools --json` shows the schema (what an agent reads to build a payload);
      // the default tools declare none.
      const tools = JSON.parse(await p.ok(["tools", "--json"]));
      const deploy = tools.find((t: { name: string }) => t.name === "deploy");
      assert.deepEqual(deploy.payload.required, ["script_path"]);
      for (const t of tools.filter((t: { name: string }) => t.name !== "deploy")) {
        assert.equal(t.payload, undefined, `${t.name} declares no payload rules`);
      }
    } finally {
      await p.cleanup();
    }
  });

  Deno.test(`payload rules: a bad schema in sparkq.yml is a config error with its line (${via})`, async () => {
    const p = await project(via === "launcher" ? await freshLauncher() : undefined);
    const yml = `${p.dir}/sparkq.yml`;
    const good = await Deno.readTextFile(yml);
    const lineOf = (text: string, needle: string) =>
      text.split("\n").findIndex((l) => l.includes(needle)) + 1;
    try {
      const cases: [string, string, RegExp][] = [
        // a misspelt keyword would silently never apply
        [
          "required: [script_path]",
          "requird: [script_path]",
          /tools\.deploy\.payload\.requird: unknown keyword 'requird'/,
        ],
        // a keyword with a value of the wrong shape
        [
          "required: [script_path]",
          "required: script_path",
          /tools\.deploy\.payload\.required: type: must be array, got string/,
        ],
        // a pattern that is not a regular expression
        [
          "{ type: string, minLength: 1 }",
          '{ type: string, pattern: "(" }',
          /tools\.deploy\.payload\.properties\.script_path\.pattern: not a valid regular expression/,
        ],
        // a reference to nothing
        [
          "items: { type: string }",
          'items: { $ref: "#/$defs/arg" }',
          /tools\.deploy\.payload\.properties\.args\.items\.\$ref: \$ref '#\/\$defs\/arg' points at nothing/,
        ],
      ];
      for (const [from, to, pattern] of cases) {
        const bad = good.replace(from, to);
        assert.notEqual(bad, good);
        await Deno.writeTextFile(yml, bad);
        const line = lineOf(bad, to.trim().split("\n")[0]);
        const r = await assertRefused(p, ["tasks"], pattern);
        assert.ok(
          r.stderr.startsWith(`Error: ${yml}:${line}: `),
          `names line ${line}: ${r.stderr}`,
        );
        // The same refusal through the JSON error shape: code `config`.
        if (from === cases[0][0] && to === cases[0][1]) {
          const j = await p.run(["tasks", "--json"]);
          assert.equal(JSON.parse(j.stderr).code, "config");
        }
      }
      await Deno.writeTextFile(yml, good);
      await p.ok(["tasks"]);
    } finally {
      await p.cleanup();
    }
  });
}

Deno.test("payload rules: the API and the web UI's form post are checked (422, code invalid, path and rule)", async () => {
  const p = await tempProject();
  await addTool(p, DEPLOY_TOOL);
  const s = await startServer({ p });
  try {
    await s.p.ok(["session", "create", "s1"]);
    await s.p.ok(["stream", "create", "st", "--session", "s1"]);
    // As the enqueue form's script sends it: JSON, from the page's own origin.
    const form = { headers: { Origin: s.url, Accept: "application/json" } };
    const post = (tool: string, payload: unknown) =>
      api(s, "POST", "/api/tasks", { stream: "st", tool_name: tool, payload }, form);

    const bad = await post("deploy", { args: ["x"] });
    assert.equal(bad.status, 422);
    assert.deepEqual(bad.body, {
      error: "payload does not match tool 'deploy': /script_path: required property missing",
      code: "invalid",
      hint: "'sparkq tools --json' shows the payload schema of 'deploy'",
    });
    const deep = await post("deploy", { script_path: "d.sh", args: [true] });
    assert.equal(deep.status, 422);
    assert.match(deep.body.error, /\/args\/0: type: must be string, got boolean/);
    assert.equal(s.p.query("SELECT COUNT(*) AS n FROM tasks")[0].n, 0);

    const ok = await post("deploy", { script_path: "scripts/deploy.sh" });
    assert.equal(ok.status, 201);
    assert.equal(ok.body.tool_name, "deploy");
    const free = await post("llm-haiku", { anything: [1, 2] });
    assert.equal(free.status, 201);

    // GET /api/tools carries the schema for the form and for agents.
    const tools = await api(s, "GET", "/api/tools");
    const deploy = tools.body.find((t: { name: string }) => t.name === "deploy");
    assert.equal(deploy.payload.additionalProperties, false);
  } finally {
    await s.stop();
    await s.p.cleanup();
  }
});

Deno.test("payload rules: sparkq.yml.example's schema is valid and enforced; no default tool has one", async () => {
  const { readConfig } = await import("../src/config/yaml.ts");
  const { DEFAULT_TOOLS } = await import("../src/core/constants.ts");
  const { payloadProblem } = await import("../src/core/json_schema.ts");
  const path = `${ROOT}/sparkq.yml.example`;
  const config = await readConfig(path, await Deno.readTextFile(path));
  const schema = config.tools.deploy.payload!;
  assert.equal(payloadProblem(schema, { script_path: "scripts/deploy.sh", args: ["x"] }), null);
  assert.equal(payloadProblem(schema, { script_path: "/etc/passwd" })?.pointer, "/script_path");
  assert.equal(payloadProblem(schema, {})?.rule, "required property missing");
  for (const name of Object.keys(DEFAULT_TOOLS)) {
    assert.equal(config.tools[name].payload, undefined, `default tool ${name}`);
  }
});

Deno.test("payload rules: sparkq_enqueue of the MCP server is checked the same way", async () => {
  const p = await project();
  const c = await stdioClient(p, ["--stream", "st"]);
  try {
    const body = await refused(
      c.client,
      "sparkq_enqueue",
      { tool: "deploy", payload: { args: ["x"] } },
      "invalid",
      /^payload does not match tool 'deploy': \/script_path: required property missing$/,
    );
    assert.match(body.hint ?? "", /sparkq tools --json/);
    assert.equal(p.query("SELECT COUNT(*) AS n FROM tasks")[0].n, 0);
    const task = await mcpOk(c.client, "sparkq_enqueue", {
      tool: "deploy",
      payload: { script_path: "scripts/deploy.sh" },
    });
    assert.equal(task.tool_name, "deploy");
  } finally {
    await c.close();
    await p.cleanup();
  }
});
