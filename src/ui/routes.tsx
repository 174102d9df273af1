/**
 * The web UI's pages (SPEC §8), rendered on the server with hono/jsx. Each route
 * gathers its data from the engine and hands it to a page component; nothing here
 * writes (the pages' forms post JSON to the API).
 */
import type { Context } from "hono";
import { Hono } from "hono";
import { raw } from "hono/html";
import type { Child } from "hono/jsx";
import { failedToRequeue, getTask, listTasks } from "../engine/queue.ts";
import { activity } from "../engine/activity.ts";
import { pageTasks } from "../engine/task_page.ts";
import { buildReport } from "../engine/report.ts";
import { listSessions } from "../engine/sessions.ts";
import { overview } from "../engine/status.ts";
import { listStreams, listStreamsBrief, requireStream } from "../engine/streams.ts";
import { parseTaskQuery } from "../engine/task_query.ts";
import { listTools } from "../engine/tools.ts";
import type { TaskStatus } from "../core/constants.ts";
import type { ServerContext } from "../server/context.ts";
import { escapeControls } from "../core/escape.ts";
import { ASSET_PATHS, ASSETS } from "./assets/mod.ts";
import { reportSection } from "./report/html.ts";
import { renderReport, REPORT_FORMATS, type ReportFormat } from "./report/mod.ts";
import { Layout, type NavKey } from "./layout.tsx";
import { Dashboard } from "./pages/dashboard.tsx";
import { EnqueuePage } from "./pages/enqueue.tsx";
import { SessionsPage } from "./pages/sessions.tsx";
import { StreamsPage } from "./pages/streams.tsx";
import { TaskPage } from "./pages/task.tsx";
import { PageLinks, TasksPage } from "./pages/tasks.tsx";
import { RequeueFailedPage } from "./pages/requeue_failed.tsx";

/**
 * Renders a whole page as an HTML answer. JSX escapes HTML; on top of that, control
 * characters and bidi overrides of task text are shown as visible escapes (SPEC §12.4)
 * on the whole page, so no component can forget it.
 */
export async function renderPage(
  s: ServerContext,
  title: string,
  nav: NavKey,
  body: Child,
  status = 200,
  head?: Child,
): Promise<Response> {
  const html = await (
    <Layout title={title} nav={nav} project={s.project.config.project.name} head={head}>
      {body}
    </Layout>
  ).toString();
  return new Response("<!doctype html>\n" + escapeControls(html), {
    status,
    headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" },
  });
}

/** An HTML error page (unknown task, stream…). */
export function errorPage(s: ServerContext, status: number, message: string): Promise<Response> {
  return renderPage(
    s,
    status === 404 ? "Not found" : "Error",
    "none",
    <div class="card card-body">
      <h1>{status === 404 ? "Not found" : "Something went wrong"}</h1>
      <p class="muted">{message}</p>
      <p>
        <a href="/">Back to the dashboard</a>
      </p>
    </div>,
    status,
  );
}

/** The UI routes and the static assets. */
export function uiRoutes(s: ServerContext): Hono {
  const ui = new Hono();
  const ctx = () => s.project;
  const q = (c: Context, name: string) => c.req.query(name) || undefined;

  ui.get("/assets/:file", (c) => {
    const asset = ASSETS[c.req.path];
    if (!asset) return c.text("not found", 404);
    return c.body(asset.body, 200, {
      "content-type": asset.type,
      "cache-control": "public, max-age=31536000, immutable",
    });
  });
  ui.get("/favicon.ico", (c) => c.redirect(Object.keys(ASSETS).find((p) => p.endsWith(".svg"))!));

  ui.get("/", (c) => {
    const stream = q(c, "stream");
    const filtered = stream ? requireStream(ctx(), stream) : undefined;
    const view = overview(ctx());
    const totals = filtered
      ? view.streams.find((x) => x.id === filtered.id)?.counts ?? view.totals
      : view.totals;
    const list = (status: TaskStatus, limit: number) => listTasks(ctx(), { status, stream, limit });
    return renderPage(
      s,
      stream ? `${stream} · Dashboard` : "Dashboard",
      "dashboard",
      <Dashboard
        d={{
          view,
          stream,
          totals,
          queued: list("queued", 8),
          running: list("running", 8),
          succeeded: list("succeeded", 6),
          failed: list("failed", 6),
          activity: activity(ctx(), { stream }),
        }}
      />,
    );
  });

  ui.get(
    "/sessions",
    () => renderPage(s, "Sessions", "sessions", <SessionsPage sessions={listSessions(ctx())} />),
  );

  ui.get("/sessions/:name/report", (c) => {
    const name = c.req.param("name");
    const report = buildReport(ctx(), { session: name });
    const format = q(c, "format");
    if (format && (REPORT_FORMATS as readonly string[]).includes(format)) {
      // A download: the same renderers as `sparkq report --format …`.
      const ext = format as ReportFormat;
      const type = ext === "html"
        ? "text/html"
        : ext === "json"
        ? "application/json"
        : "text/markdown";
      return new Response(renderReport(report, ext), {
        headers: {
          "content-type": `${type}; charset=utf-8`,
          "content-disposition": `attachment; filename="sparkq-report-${name}.${ext}"`,
          "cache-control": "no-store",
        },
      });
    }
    const base = `/sessions/${encodeURIComponent(name)}/report`;
    return renderPage(
      s,
      `Report · ${name}`,
      "sessions",
      <>
        <link rel="stylesheet" href={ASSET_PATHS.reportCss} />
        <div class="page-head">
          <div>
            <p class="muted small">
              <a href="/sessions">Sessions</a> / {name}
            </p>
          </div>
          <div class="actions">
            {REPORT_FORMATS.map((f) => (
              <a class="btn" href={`${base}?format=${f}`} download="">
                Download {f === "md" ? "Markdown" : f.toUpperCase()}
              </a>
            ))}
          </div>
        </div>
        {raw(reportSection(report, { task: (id) => `/tasks/${encodeURIComponent(id)}` }))}
      </>,
    );
  });

  ui.get("/streams", (c) => {
    const session = q(c, "session");
    return renderPage(
      s,
      "Streams",
      "streams",
      <StreamsPage
        streams={listStreams(ctx(), { session })}
        sessions={listSessions(ctx())}
        session={session}
      />,
    );
  });

  ui.get("/enqueue", (c) => {
    const streams = listStreams(ctx(), { status: "active" });
    const wanted = q(c, "stream");
    const stream = streams.find((x) => x.name === wanted)?.name ?? streams[0]?.name;
    return renderPage(
      s,
      "Enqueue",
      "enqueue",
      <EnqueuePage
        d={{
          streams,
          tools: listTools(ctx().config),
          scripts: s.index.scripts,
          recent: stream ? listTasks(ctx(), { status: "queued", stream, limit: 8 }) : [],
          stream,
          tool: q(c, "tool"),
        }}
      />,
    );
  });

  ui.get("/tasks", (c) => {
    const f = parseTaskQuery({
      status: q(c, "status"),
      stream: q(c, "stream"),
      stale: q(c, "stale"),
      limit: q(c, "limit"),
      before: q(c, "before"),
      after: q(c, "after"),
      q: q(c, "q"),
    });
    const page = pageTasks(ctx(), f);
    return renderPage(
      s,
      f.search ? `${f.search} · Tasks` : "Tasks",
      "tasks",
      <TasksPage page={page} streams={listStreamsBrief(ctx())} f={f} />,
      200,
      <PageLinks page={page} f={f} />,
    );
  });

  ui.get("/streams/:name/requeue-failed", (c) => {
    const name = c.req.param("name");
    const counts = failedToRequeue(ctx(), name);
    return renderPage(
      s,
      `Requeue failed · ${counts.stream}`,
      "streams",
      <RequeueFailedPage
        d={{ ...counts, newest: listTasks(ctx(), { stream: name, status: "failed", limit: 10 }) }}
      />,
    );
  });

  ui.get("/tasks/:id", (c) => {
    const t = getTask(ctx(), c.req.param("id"));
    return renderPage(
      s,
      t.id,
      "tasks",
      <TaskPage t={t} streams={listStreamsBrief(ctx(), { status: "active" })} />,
    );
  });

  return ui;
}
