/**
 * `deno task check` runs this after `deno check`: SparkQ's imports must run one way and
 * form no cycle, dynamic imports and cold-module loads included.
 *
 * The folder says the layer (lowest first):
 *
 *   core      src/core                       errors, ids, names, constants, types
 *   platform  src/platform                   processes, locks, the terminal
 *   config    src/config                     sparkq.yml
 *   storage   src/storage                    all SQL
 *   engine    src/engine                     every queue rule
 *   adapters  src/server src/ui src/watcher src/mcp
 *   cli       src/cli src/commands           the command line (nothing imports it)
 *   main      main.ts
 *
 * A module may import its own layer and the layers listed as below it in `MAY_IMPORT`.
 * `import type` counts for the direction (a type is a dependency too) but not for
 * cycles (types are erased). A call `loadCold<…>("name")` counts as a dynamic import of
 * that cold entry (`COLD_ENTRIES` in src/core/cold.ts).
 *
 * Usage: deno run --allow-read=. scripts/check_layers.ts   (exit 1 on a violation)
 */
import { COLD_ENTRIES } from "../src/core/cold.ts";

const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");

/** Layers by folder, and which layers each may import besides its own. */
const LAYER_OF: [prefix: string, layer: string][] = [
  ["src/core/", "core"],
  ["src/platform/", "platform"],
  ["src/config/", "config"],
  ["src/storage/", "storage"],
  ["src/engine/", "engine"],
  ["src/server/", "adapters"],
  ["src/ui/", "adapters"],
  ["src/watcher/", "adapters"],
  ["src/mcp/", "adapters"],
  ["src/cli/", "cli"],
  ["src/commands/", "cli"],
  ["main.ts", "main"],
];
const MAY_IMPORT: Record<string, string[]> = {
  core: [],
  platform: ["core"],
  config: ["core", "platform"],
  storage: ["core", "platform"],
  engine: ["core", "platform", "config", "storage"],
  adapters: ["core", "platform", "config", "storage", "engine"],
  cli: ["core", "platform", "config", "storage", "engine", "adapters"],
  main: ["cli"],
};

/** One import: from a module to another, by kind. */
export interface Edge {
  from: string;
  to: string;
  kind: "static" | "type" | "dynamic" | "cold";
}

/** The layer of a repository-relative path, or undefined outside the program. */
export function layerOf(path: string): string | undefined {
  return LAYER_OF.find(([prefix]) => path === prefix || path.startsWith(prefix))?.[1];
}

const STATIC = /^\s*(import|export)\s+(type\s+)?(?:[^'"]*?\s+from\s+)?["'](\.{1,2}\/[^"']+)["']/gm;
const DYNAMIC = /\bimport\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/g;
const COLD = /\bloadCold\s*(?:<[^>]*>)?\(\s*["'](\w+)["']/g;

/** The relative imports of one module's source text. */
export function importsOf(path: string, source: string): Edge[] {
  const text = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  const dir = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : ".";
  const resolve = (spec: string) => normalize(`${dir}/${spec}`);
  const edges: Edge[] = [];
  for (const m of text.matchAll(STATIC)) {
    edges.push({ from: path, to: resolve(m[3]), kind: m[2] ? "type" : "static" });
  }
  for (const m of text.matchAll(DYNAMIC)) {
    edges.push({ from: path, to: resolve(m[1]), kind: "dynamic" });
  }
  for (const m of text.matchAll(COLD)) {
    const rel = (COLD_ENTRIES as Record<string, string>)[m[1]];
    if (!rel) throw new Error(`${path}: loadCold("${m[1]}") names no entry of COLD_ENTRIES`);
    edges.push({ from: path, to: normalize(`src/core/${rel}`), kind: "cold" });
  }
  return edges;
}

function normalize(p: string): string {
  const out: string[] = [];
  for (const seg of p.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") out.pop();
    else out.push(seg);
  }
  return out.join("/");
}

/** Imports that run against the layer order, as messages. */
export function directionViolations(edges: Edge[]): string[] {
  const out: string[] = [];
  for (const e of edges) {
    const from = layerOf(e.from);
    const to = layerOf(e.to);
    if (!from || !to || from === to) continue;
    if (!MAY_IMPORT[from].includes(to)) {
      out.push(
        `${e.from} (${from}) imports ${e.to} (${to}): ${from} may import only ${
          MAY_IMPORT[from].join(", ") || "itself"
        }`,
      );
    }
  }
  return out;
}

/** Cycles among runtime imports (static, dynamic and cold), each as a path. */
export function cycles(edges: Edge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const e of edges) {
    if (e.kind === "type") continue;
    next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  }
  const found: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (n: string) => {
    state.set(n, "open");
    stack.push(n);
    for (const m of next.get(n) ?? []) {
      if (state.get(m) === "open") found.push([...stack.slice(stack.indexOf(m)), m]);
      else if (!state.has(m)) visit(m);
    }
    stack.pop();
    state.set(n, "done");
  };
  for (const n of [...next.keys()].sort()) if (!state.has(n)) visit(n);
  return found;
}

/**
 * Every module of the program: main.ts and src/**.ts(x), with the files that modules
 * import as text (the web UI's .js and .css, which import nothing).
 */
async function programFiles(): Promise<string[]> {
  const out = ["main.ts"];
  const walk = async (dir: string) => {
    for await (const e of Deno.readDir(`${ROOT}/${dir}`)) {
      const p = `${dir}/${e.name}`;
      if (e.isDirectory) await walk(p);
      else if (/\.(tsx?|js|css)$/.test(e.name) && !/_test\.tsx?$/.test(e.name)) out.push(p);
    }
  };
  await walk("src");
  return out.sort();
}

/** A document the program imports as text (WORKER_PLAYBOOK.md): in no layer, imports nothing. */
function isTextFile(path: string): boolean {
  if (!/\.md$/.test(path)) return false;
  try {
    return Deno.statSync(`${ROOT}/${path}`).isFile;
  } catch {
    return false;
  }
}

if (import.meta.main) {
  const files = await programFiles();
  const edges: Edge[] = [];
  const problems: string[] = [];
  for (const f of files) {
    if (!layerOf(f)) problems.push(`${f}: in no layer (add its folder to scripts/check_layers.ts)`);
    edges.push(...importsOf(f, await Deno.readTextFile(`${ROOT}/${f}`)));
  }
  const known = new Set(files);
  for (const e of edges) {
    if (!known.has(e.to) && !isTextFile(e.to)) {
      problems.push(`${e.from} imports ${e.to}, which does not exist`);
    }
  }
  problems.push(...directionViolations(edges));
  for (const c of cycles(edges)) problems.push(`import cycle: ${c.join(" -> ")}`);
  if (problems.length) {
    console.error(problems.map((p) => `Error: ${p}`).join("\n"));
    console.error(`${problems.length} layer problem(s); see the layers in scripts/check_layers.ts`);
    Deno.exit(1);
  }
  console.log(`Layers OK: ${files.length} modules, ${edges.length} imports, no cycle`);
}
