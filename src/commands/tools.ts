/** `sparkq tools [--json]`: the tool registry with classes and resolved timeouts. */
import { configFor } from "../cli/context.ts";
import { c, line, printJson, table } from "../platform/terminal.ts";
import type { Inv } from "../cli/table.ts";
import { listTools } from "../engine/tools.ts";

/** Lists registered tools: name, class, timeout and where it comes from, description. */
export async function tools(inv: Inv<"tools">): Promise<number> {
  const loaded = await configFor(inv);
  const rows = listTools(loaded.config);
  if (inv.flags.json) {
    printJson(rows);
    return 0;
  }
  if (rows.length === 0) {
    line(`No tools registered: add some under 'tools:' in ${loaded.path}`);
    return 0;
  }
  line(table(
    ["TOOL", "CLASS", "TIMEOUT", "FROM", "DESCRIPTION"],
    rows.map((t) => [
      t.name,
      t.task_class,
      `${t.timeout}s`,
      t.timeout_source === "tool" ? "tool" : c.dim("class"),
      t.description,
    ]),
  ));
  return 0;
}
