// tests/refusal_parity_test.ts on PostgreSQL (see tests/support/backend.ts).
import { suiteOnPostgres } from "../support/backend.ts";

await suiteOnPostgres(
  "refusal_parity_test.ts",
  () => import("../refusal_parity_test.ts"),
  (t) => Deno.test(t),
);
