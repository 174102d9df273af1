// tests/server_api_test.ts on PostgreSQL (see tests/support/backend.ts).
import { suiteOnPostgres } from "../support/backend.ts";

await suiteOnPostgres(
  "server_api_test.ts",
  () => import("../server_api_test.ts"),
  (t) => Deno.test(t),
);
