/**
 * The report's renderers, shared by `sparkq report` and the web UI: Markdown (safe on a
 * terminal), one self-contained HTML file, and JSON (the `Report` data as is).
 */
import type { Report } from "../../engine/report.ts";
import { reportHtml } from "./html.ts";
import { reportMarkdown } from "./markdown.ts";
import type { ReportFormat } from "./formats.ts";

export { REPORT_FORMATS, type ReportFormat } from "./formats.ts";

/** The report as text in a format. */
export function renderReport(r: Report, format: ReportFormat): string {
  if (format === "html") return reportHtml(r);
  if (format === "json") return JSON.stringify(r, null, 2) + "\n";
  return reportMarkdown(r);
}
