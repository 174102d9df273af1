import { invalid } from "./errors.ts";
import { NAME_PATTERN } from "./constants.ts";

/**
 * Checks a session or stream name against SPEC §4 and returns it.
 * Stream names become file names under the temp dir, so anything else is refused.
 */
export function checkName(kind: "session" | "stream", name: string): string {
  if (!NAME_PATTERN.test(name)) {
    const why = name.length === 0
      ? "it is empty"
      : name.length > 64
      ? `it is ${name.length} characters long (at most 64)`
      : /^[.-]/.test(name)
      ? `it starts with '${name[0]}'`
      : `it contains ${JSON.stringify(name.match(/[^A-Za-z0-9._-]/)?.[0] ?? "")}`;
    throw invalid(
      `invalid ${kind} name ${JSON.stringify(name)}: ${why}`,
      "names are 1-64 characters of a-z A-Z 0-9 . _ - and do not start with '.' or '-'",
    );
  }
  return name;
}
