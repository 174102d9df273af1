/** `sparkq scripts [--json]`: the script index (SPEC §6). Cold: reached through loadCold("server"). */
import { configFor } from "../cli/context.ts";
import { c, line, printJson, table, writeErr } from "../platform/terminal.ts";
import type { Inv } from "../cli/table.ts";
import { buildScriptIndex } from "../engine/script_index.ts";

/** Lists the indexed scripts; warnings (missing dirs, duplicate names) go to stderr. */
export async function scripts(inv: Inv<"scripts">): Promise<number> {
  const loaded = await configFor(inv);
  const index = buildScriptIndex(loaded);
  for (const w of index.warnings) writeErr(`Warning: ${w}\n`);
  if (inv.flags.json) {
    printJson(index.scripts);
    return 0;
  }
  if (index.scripts.length === 0) {
    line(
      `No scripts indexed in ${loaded.config.script_dirs.join(", ")} (under ${index.repo}).`,
    );
    line(c.dim("A script is indexed when its leading comment block has a '# name:' line."));
    return 0;
  }
  line(table(
    ["NAME", "PATH", "TAGS", "DESCRIPTION"],
    index.scripts.map((s) => [c.bold(s.name), s.path, s.tags.join(","), s.description]),
  ));
  return 0;
}
