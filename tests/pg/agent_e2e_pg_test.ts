// tests/agent_e2e_test.ts on PostgreSQL (see tests/support/backend.ts).
import { suiteOnPostgres } from "../support/backend.ts";

await suiteOnPostgres(
  "agent_e2e_test.ts",
  () => import("../agent_e2e_test.ts"),
  (t) => Deno.test(t),
);
