/**
 * SparkQ: a local task queue for developers who hand work to AI coding agents.
 * Entry point of `deno task sparkq`, the bundle and the compiled binary.
 */
import { runCli } from "./src/cli/main.ts";

Deno.exitCode = await runCli(Deno.args);
