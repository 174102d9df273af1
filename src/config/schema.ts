/**
 * The schema of `sparkq.yml` (zod). `Config` is the validated, defaults-filled shape
 * every command works with.
 */
import { z } from "zod";
import {
  DEFAULT_CLASS_TIMEOUTS,
  DEFAULT_PORT,
  DEFAULT_PURGE_DAYS,
  DEFAULT_TOOLS,
  TASK_CLASSES,
} from "../core/constants.ts";

const timeout = z.int().positive();
const classEntry = (seconds: number) =>
  z.strictObject({ timeout: timeout.default(seconds) }).default({ timeout: seconds });

/** A registered tool. */
export const ToolSchema = z.strictObject({
  description: z.string().default(""),
  task_class: z.enum(TASK_CLASSES),
  timeout: timeout.optional(),
  /**
   * The tool's payload rules: a JSON Schema (draft 2020-12) every enqueue checks
   * (SPEC §12.1). Its keywords are checked when the file is read (`readConfig`).
   */
  payload: z.record(z.string(), z.unknown()).optional(),
});

/** The whole of sparkq.yml. */
export const ConfigSchema = z.strictObject({
  project: z.strictObject({
    name: z.string().min(1),
    repo_path: z.string().nullable().default(null),
    prd_path: z.string().nullable().default(null),
  }),
  server: z.strictObject({ port: z.int().min(1).max(65535).default(DEFAULT_PORT) })
    .default({ port: DEFAULT_PORT }),
  database: z.strictObject({
    path: z.string().min(1).default("sparkq.db"),
    mode: z.literal("wal").default("wal"),
    /**
     * A PostgreSQL URL (postgres://user[:password]@host[:port]/database): the store lives
     * there instead of the SQLite file at `path` (SPEC §12.5).
     */
    url: z.string().regex(/^postgres(ql)?:\/\//, "must start with postgres://").optional(),
  }).default({ path: "sparkq.db", mode: "wal" }),
  purge: z.strictObject({ older_than_days: z.number().positive().default(DEFAULT_PURGE_DAYS) })
    .default({ older_than_days: DEFAULT_PURGE_DAYS }),
  script_dirs: z.array(z.string().min(1)).default(["scripts"]),
  task_classes: z.strictObject({
    FAST_SCRIPT: classEntry(DEFAULT_CLASS_TIMEOUTS.FAST_SCRIPT),
    MEDIUM_SCRIPT: classEntry(DEFAULT_CLASS_TIMEOUTS.MEDIUM_SCRIPT),
    LLM_LITE: classEntry(DEFAULT_CLASS_TIMEOUTS.LLM_LITE),
    LLM_HEAVY: classEntry(DEFAULT_CLASS_TIMEOUTS.LLM_HEAVY),
  }).default({
    FAST_SCRIPT: { timeout: DEFAULT_CLASS_TIMEOUTS.FAST_SCRIPT },
    MEDIUM_SCRIPT: { timeout: DEFAULT_CLASS_TIMEOUTS.MEDIUM_SCRIPT },
    LLM_LITE: { timeout: DEFAULT_CLASS_TIMEOUTS.LLM_LITE },
    LLM_HEAVY: { timeout: DEFAULT_CLASS_TIMEOUTS.LLM_HEAVY },
  }),
  tools: z.record(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/), ToolSchema)
    .default(() => structuredClone(DEFAULT_TOOLS) as Record<string, z.output<typeof ToolSchema>>),
});

/** A validated sparkq.yml. */
export type Config = z.infer<typeof ConfigSchema>;
/** A registered tool. */
export type Tool = z.infer<typeof ToolSchema>;
