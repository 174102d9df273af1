/**
 * Writes the stored expected completion scripts, tests/fixtures/completions/sparkq.<shell>,
 * from the command table as it is now. tests/completions_test.ts compares what
 * `sparkq completions <shell>` prints with them; after a deliberate change to the
 * table or to the scripts, regenerate them and review the diff:
 *
 *   deno task fixtures
 */
import { SHELLS } from "../src/cli/table.ts";
import { completionScript } from "../src/commands/completions.ts";

for (const shell of SHELLS) {
  const url = new URL(`../tests/fixtures/completions/sparkq.${shell}`, import.meta.url);
  const text = completionScript(shell);
  const old = await Deno.readTextFile(url).catch(() => undefined);
  await Deno.writeTextFile(url, text);
  console.log(`${old === text ? "unchanged" : "wrote"} ${url.pathname}`);
}
