// tests/queue_commands_test.ts on PostgreSQL (see tests/support/backend.ts).
import { suiteOnPostgres } from "../support/backend.ts";

await suiteOnPostgres(
  "queue_commands_test.ts",
  () => import("../queue_commands_test.ts"),
  (t) => Deno.test(t),
);
