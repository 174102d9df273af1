// tests/wait_test.ts on PostgreSQL (see tests/support/backend.ts).
import { suiteOnPostgres } from "../support/backend.ts";

await suiteOnPostgres("wait_test.ts", () => import("../wait_test.ts"), (t) => Deno.test(t));
