// tests/engine/task_query_test.ts on PostgreSQL (see tests/support/backend.ts).
import { suiteOnPostgres } from "../support/backend.ts";

await suiteOnPostgres(
  "engine/task_query_test.ts",
  () => import("../engine/task_query_test.ts"),
  (t) => Deno.test(t),
);
