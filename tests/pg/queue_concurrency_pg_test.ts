// tests/queue_concurrency_test.ts on PostgreSQL (see tests/support/backend.ts).
import { suiteOnPostgres } from "../support/backend.ts";

await suiteOnPostgres(
  "queue_concurrency_test.ts",
  () => import("../queue_concurrency_test.ts"),
  (t) => Deno.test(t),
);
