// tests/queue_refusals_test.ts on PostgreSQL (see tests/support/backend.ts).
import { suiteOnPostgres } from "../support/backend.ts";

await suiteOnPostgres(
  "queue_refusals_test.ts",
  () => import("../queue_refusals_test.ts"),
  (t) => Deno.test(t),
);
