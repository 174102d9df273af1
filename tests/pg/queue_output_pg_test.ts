// tests/queue_output_test.ts on PostgreSQL (see tests/support/backend.ts).
import { suiteOnPostgres } from "../support/backend.ts";

await suiteOnPostgres(
  "queue_output_test.ts",
  () => import("../queue_output_test.ts"),
  (t) => Deno.test(t),
);
