/** SparkQ's version, printed by `sparkq --version` and `/api/health`. */
export const VERSION = "0.1.0";
