/**
 * The wording every report renderer shares (Markdown, HTML): what a task's state is
 * called, how long it took, the one-line counts. Plain strings, no markup.
 */
import { duration, shortTime } from "../../core/format.ts";
import type { Report, ReportCounts, ReportTask } from "../../engine/report.ts";

/** A task's state as a person says it: "auto-failed" for the auto-fail rule's failures. */
export function stateWord(t: Pick<ReportTask, "status" | "auto_failed">): string {
  return t.auto_failed ? "auto-failed" : t.status;
}

/** How long a task ran: "12.3s", "4m05s so far" (running), "not started". */
export function ranFor(t: Pick<ReportTask, "status" | "duration_seconds">): string {
  if (t.duration_seconds === null) return "not started";
  const d = duration(t.duration_seconds);
  return t.status === "running" ? `${d} so far` : d;
}

/** A timestamp as tables show it (UTC): `2026-11-24 08:00:00`, or "-". */
export function when(iso: string | null): string {
  return iso ? `${shortTime(iso)} UTC` : "-";
}

/** "3 succeeded, 1 failed (1 auto-failed), 2 queued": only the states present. */
export function countsLine(c: ReportCounts): string {
  const parts: string[] = [];
  if (c.succeeded) parts.push(`${c.succeeded} succeeded`);
  if (c.failed) {
    parts.push(`${c.failed} failed${c.auto_failed ? ` (${c.auto_failed} auto-failed)` : ""}`);
  }
  if (c.running) parts.push(`${c.running} running`);
  if (c.queued) parts.push(`${c.queued} queued`);
  return parts.length ? parts.join(", ") : "no tasks";
}

/** "12 tasks" / "1 task". */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** The report's title. */
export function title(r: Report): string {
  return r.stream
    ? `Report: stream ${r.stream} (session ${r.session.name})`
    : `Report: session ${r.session.name}`;
}

/** What the report covers and when it was made, in one line. */
export function coverage(r: Report): string {
  const scope = r.since
    ? `tasks created or finished since ${when(r.since)}, and open ones`
    : "every task";
  const ended = r.session.ended_at ? `, ended ${when(r.session.ended_at)}` : "";
  return `Project ${r.project} · session ${r.session.status}, started ${
    when(r.session.started_at)
  }${ended} · ${scope} · generated ${when(r.generated_at)}`;
}

/** The time facts of the summary, one per line. */
export function timeLines(r: Report): string[] {
  const t = r.time;
  if (!t.first_created_at) return ["No tasks yet."];
  const ran = r.streams.reduce(
    (n, s) => n + s.tasks.filter((x) => x.finished_at && x.duration_seconds !== null).length,
    0,
  );
  const out = [
    `Elapsed: ${duration(t.elapsed_seconds)} (first task queued ${when(t.first_created_at)}${
      t.last_finished_at ? `, last finished ${when(t.last_finished_at)}` : ""
    })`,
    `Work time: ${duration(t.work_seconds)} of runs added up${
      t.median_seconds === null
        ? ""
        : `; median run ${duration(t.median_seconds)} over ${plural(ran, "finished task")}`
    }`,
  ];
  const extra: string[] = [];
  if (r.counts.late_reports) extra.push(`${plural(r.counts.late_reports, "late report")} kept`);
  if (r.counts.requeued) extra.push(`${plural(r.counts.requeued, "task")} requeued`);
  if (extra.length) out.push(extra.join(" · "));
  return out;
}
