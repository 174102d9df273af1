// tests/engine/queue_test.ts on PostgreSQL (see tests/support/backend.ts).
import { suiteOnPostgres } from "../support/backend.ts";

await suiteOnPostgres(
  "engine/queue_test.ts",
  () => import("../engine/queue_test.ts"),
  (t) => Deno.test(t),
);
