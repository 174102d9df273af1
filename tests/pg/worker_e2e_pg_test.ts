// tests/worker_e2e_test.ts on PostgreSQL (see tests/support/backend.ts).
import { suiteOnPostgres } from "../support/backend.ts";

await suiteOnPostgres(
  "worker_e2e_test.ts",
  () => import("../worker_e2e_test.ts"),
  (t) => Deno.test(t),
);
