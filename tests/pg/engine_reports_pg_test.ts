// tests/engine/reports_test.ts on PostgreSQL (see tests/support/backend.ts).
import { suiteOnPostgres } from "../support/backend.ts";

await suiteOnPostgres(
  "engine/reports_test.ts",
  () => import("../engine/reports_test.ts"),
  (t) => Deno.test(t),
);
