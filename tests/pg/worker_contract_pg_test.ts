// tests/worker_contract_test.ts on PostgreSQL (see tests/support/backend.ts).
import { suiteOnPostgres } from "../support/backend.ts";

await suiteOnPostgres(
  "worker_contract_test.ts",
  () => import("../worker_contract_test.ts"),
  (t) => Deno.test(t),
);
