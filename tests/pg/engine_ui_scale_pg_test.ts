// tests/engine/ui_scale_test.ts on PostgreSQL (see tests/support/backend.ts).
import { suiteOnPostgres } from "../support/backend.ts";

await suiteOnPostgres(
  "engine/ui_scale_test.ts",
  () => import("../engine/ui_scale_test.ts"),
  (t) => Deno.test(t),
);
