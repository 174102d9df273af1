/**
 * The web UI's stylesheet and script are the files src/ui/assets/styles.css and
 * client.js, served as they are, and the script formats durations with the one
 * `duration` of src/core/format.ts: under the source and through a freshly built
 * launcher (where the bundler embedded the files and minified the function).
 */
import assert from "node:assert/strict";
import { duration } from "../src/core/format.ts";
import { ASSET_PATHS, ASSETS, CLIENT_JS } from "../src/ui/assets/mod.ts";
import { freshLauncher, ROOT, tempProject } from "./helpers.ts";
import { startServer } from "./server_helpers.ts";

const SECONDS = [0, 0.0004, 0.85, 1, 12.34, 59.96, 60, 245.9, 3599, 3600, 7380, 90061];

/** The duration function a served script starts its client with. */
function servedDuration(js: string): (seconds: number) => string {
  const m = js.match(/\nsparkqClient\((function[\s\S]*)\);\n$/);
  assert.ok(m, "the served script ends with sparkqClient(<function>);");
  return new Function(`return (${m[1]});`)();
}

/** Checks one served script: the client file, then the call with core's duration. */
function checkScript(js: string, client: string): void {
  assert.ok(js.startsWith(client), "the served script starts with client.js as written");
  new Function(js); // parses as a classic script
  const served = servedDuration(js);
  for (const s of SECONDS) assert.equal(served(s), duration(s), `duration(${s})`);
}

Deno.test("UI assets: styles.css and client.js are served as written, durations from core", async () => {
  const css = await Deno.readTextFile(`${ROOT}/src/ui/assets/styles.css`);
  const client = await Deno.readTextFile(`${ROOT}/src/ui/assets/client.js`);
  assert.equal(ASSETS[ASSET_PATHS.css].body, css);
  assert.equal(ASSETS[ASSET_PATHS.js].body, CLIENT_JS);
  checkScript(CLIENT_JS, client);
  assert.doesNotMatch(client, /function dur\(|Math\.floor\(s \/ 3600\)/, "no second formatter");
});

for (const via of ["source", "launcher"] as const) {
  Deno.test(`UI assets: a running server (${via}) serves the files and core's duration`, async () => {
    const launcher = via === "launcher" ? await freshLauncher() : undefined;
    const p = await tempProject([], { launcher });
    const s = await startServer({ p });
    try {
      const page = await (await fetch(`${s.url}/`)).text();
      const cssPath = page.match(/href="(\/assets\/app\.\w+\.css)"/)?.[1];
      const jsPath = page.match(/src="(\/assets\/app\.\w+\.js)"/)?.[1];
      assert.ok(cssPath && jsPath, "the page links the stylesheet and the script");
      const css = await fetch(`${s.url}${cssPath}`);
      assert.match(css.headers.get("content-type") ?? "", /^text\/css/);
      assert.equal(await css.text(), await Deno.readTextFile(`${ROOT}/src/ui/assets/styles.css`));
      const js = await fetch(`${s.url}${jsPath}`);
      assert.match(js.headers.get("content-type") ?? "", /^text\/javascript/);
      checkScript(await js.text(), await Deno.readTextFile(`${ROOT}/src/ui/assets/client.js`));
    } finally {
      await s.stop();
      await p.cleanup();
    }
  });
}
