/** The tool registry (SPEC §6) and timeout resolution: --timeout > tool > class. */
import type { Config, Tool } from "../config/schema.ts";
import { invalid, notFound } from "../core/errors.ts";
import type { TaskClass } from "../core/constants.ts";
import { didYouMean } from "../core/suggest.ts";

/** A registered tool with its resolved timeout. */
export interface ResolvedTool {
  name: string;
  description: string;
  task_class: TaskClass;
  /** The tool's own timeout, else its class's. */
  timeout: number;
  /** Where the timeout came from. */
  timeout_source: "tool" | "class";
  /** The tool's payload rules (a JSON Schema), when it declares any. */
  payload?: Record<string, unknown>;
}

/** Every registered tool, resolved, in registry order. */
export function listTools(config: Config): ResolvedTool[] {
  return Object.entries(config.tools).map(([name, tool]) => resolve(config, name, tool));
}

/** A registered tool by name; unknown names are refused with a suggestion. */
export function requireTool(config: Config, name: string): ResolvedTool {
  // Own keys only: a name like `toString` or `__proto__` must not reach Object.prototype.
  const tool = Object.hasOwn(config.tools, name) ? config.tools[name] : undefined;
  if (!tool) {
    const names = Object.keys(config.tools);
    const guess = didYouMean(name, names);
    throw notFound(
      `unknown tool '${name}'`,
      guess
        ? `did you mean '${guess}'? (registered: ${names.join(", ")})`
        : `registered tools: ${names.join(", ")}`,
    );
  }
  return resolve(config, name, tool);
}

/** The timeout a new task gets: `override` when given, else the tool's, else its class's. */
export function taskTimeout(tool: ResolvedTool, override?: number | null): number {
  if (override === undefined || override === null) return tool.timeout;
  if (!Number.isSafeInteger(override) || override <= 0) {
    throw invalid(`timeout must be a positive whole number of seconds (got ${override})`);
  }
  return override;
}

function resolve(config: Config, name: string, tool: Tool): ResolvedTool {
  const own = tool.timeout;
  const resolved: ResolvedTool = {
    name,
    description: tool.description,
    task_class: tool.task_class,
    timeout: own ?? config.task_classes[tool.task_class].timeout,
    timeout_source: own === undefined ? "class" : "tool",
  };
  if (tool.payload !== undefined) resolved.payload = tool.payload;
  return resolved;
}
