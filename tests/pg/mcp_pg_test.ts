// tests/mcp_test.ts on PostgreSQL (see tests/support/backend.ts).
import { suiteOnPostgres } from "../support/backend.ts";

await suiteOnPostgres("mcp_test.ts", () => import("../mcp_test.ts"), (t) => Deno.test(t));
