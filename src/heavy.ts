/**
 * Loads the cold half of SparkQ (YAML, zod validation, setup, the server and web UI)
 * on demand, so the commands agents call all the time never pay for it.
 *
 * Under `deno run main.ts` this imports `src/heavy/mod.ts`. `scripts/build.ts`
 * bundles that module separately and replaces the marker below with a `data:` URL of
 * it, so the single-file bundle carries the cold half inside itself.
 */
import type * as Heavy from "./heavy/mod.ts";

const EMBEDDED: string = "SPARKQ_EMBEDDED_HEAVY_MODULE";
let loading: Promise<typeof Heavy> | undefined;

/** The cold half's exports, loaded once. */
export function heavy(): Promise<typeof Heavy> {
  loading ??= import(
    EMBEDDED.startsWith("data:") ? EMBEDDED : new URL("./heavy/mod.ts", import.meta.url).href
  );
  return loading;
}
