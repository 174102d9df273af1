// tests/sessions_streams_test.ts on PostgreSQL (see tests/support/backend.ts).
import { suiteOnPostgres } from "../support/backend.ts";

await suiteOnPostgres(
  "sessions_streams_test.ts",
  () => import("../sessions_streams_test.ts"),
  (t) => Deno.test(t),
);
