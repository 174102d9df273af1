/** The formats `sparkq report` writes (a module of its own: the command table reads it). */

/** The formats a report is written in. */
export const REPORT_FORMATS = ["md", "html", "json"] as const;
/** A report format. */
export type ReportFormat = typeof REPORT_FORMATS[number];
