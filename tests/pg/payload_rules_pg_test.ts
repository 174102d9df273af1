// tests/payload_rules_test.ts on PostgreSQL (see tests/support/backend.ts).
import { suiteOnPostgres } from "../support/backend.ts";

await suiteOnPostgres(
  "payload_rules_test.ts",
  () => import("../payload_rules_test.ts"),
  (t) => Deno.test(t),
);
