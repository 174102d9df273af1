// tests/review_test.ts on PostgreSQL (see tests/support/backend.ts).
import { suiteOnPostgres } from "../support/backend.ts";

await suiteOnPostgres("review_test.ts", () => import("../review_test.ts"), (t) => Deno.test(t));
