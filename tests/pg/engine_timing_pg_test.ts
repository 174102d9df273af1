// tests/engine/timing_test.ts on PostgreSQL (see tests/support/backend.ts).
import { suiteOnPostgres } from "../support/backend.ts";

await suiteOnPostgres(
  "engine/timing_test.ts",
  () => import("../engine/timing_test.ts"),
  (t) => Deno.test(t),
);
