/**
 * The web UI at scale (SPEC §12.3) against a real `sparkq run`: cursor paging of the task
 * list (the API's `Link` header and the page's `rel="next"`/`rel="prev"` links), search by
 * ID prefix and by words of a summary, an error and a payload, the bulk requeue of a
 * stream's failed tasks (API with its CSRF guard, and the UI's confirmation step in
 * headless Chromium), the dashboard's server-drawn charts against a seeded history, and
 * dark mode. Screenshots go to test-output/ (docs/ keeps copies for the README).
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import type { Page } from "playwright-core";
import { query, ROOT } from "./helpers.ts";
import { api, startServer, type TestServer } from "./server_helpers.ts";
import { HAVE_CHROMIUM, launchBrowser } from "./support/browser.ts";

const OUT = `${ROOT}/test-output`;

const HOUR = 3_600_000;

/** One task row to insert directly (the tests seed history faster than the CLI could). */
interface Seed {
  id: string;
  stream: string;
  tool?: string;
  status?: string;
  payload?: unknown;
  result?: unknown;
  error?: string | null;
  created: number;
  started?: number | null;
  finished?: number | null;
  auto_failed?: boolean;
}

/** Inserts tasks straight into the project's database (the triggers index and count them). */
function seed(dbPath: string, rows: Seed[]): void {
  const db = new DatabaseSync(dbPath);
  try {
    db.exec("PRAGMA busy_timeout = 5000");
    const streams = new Map(
      (db.prepare("SELECT id, name FROM streams").all() as { id: string; name: string }[])
        .map((r) => [r.name, r.id]),
    );
    const ins = db.prepare(
      `INSERT INTO tasks (id, stream_id, tool_name, task_class, payload, status, timeout, attempts,
         result, error, created_at, updated_at, started_at, finished_at, auto_failed)
       VALUES (?, ?, ?, 'MEDIUM_SCRIPT', ?, ?, 86400, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const iso = (ms: number | null | undefined) => ms == null ? null : new Date(ms).toISOString();
    db.exec("BEGIN");
    for (const r of rows) {
      ins.run(
        r.id,
        streams.get(r.stream)!,
        r.tool ?? "run-bash",
        JSON.stringify(r.payload ?? {}),
        r.status ?? "queued",
        r.started ? 1 : 0,
        r.result === undefined ? null : JSON.stringify(r.result),
        r.error ?? null,
        iso(r.created),
        iso(r.finished ?? r.created),
        iso(r.started),
        iso(r.finished),
        r.auto_failed ? 1 : 0,
      );
    }
    db.exec("COMMIT");
  } finally {
    db.close();
  }
}

/** A task ID from a number: `tsk_` and 12 hex digits. */
const tid = (n: number, prefix = "") =>
  `tsk_${prefix}${n.toString(16).padStart(12 - prefix.length, "0")}`;

/** The `Link` header's targets by rel. */
function links(res: { headers: Headers }): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (res.headers.get("link") ?? "").split(",")) {
    const m = /<([^>]+)>;\s*rel="(\w+)"/.exec(part.trim());
    if (m) out[m[2]] = m[1];
  }
  return out;
}

/** The head's `<link rel=… href=…>` targets of an HTML page (hono writes rel before href). */
function headLinks(html: string): Record<string, string> {
  const head = html.slice(0, html.indexOf("</head>"));
  const out: Record<string, string> = {};
  for (const m of head.matchAll(/<link rel="(next|prev)" href="([^"]+)"/g)) {
    out[m[1]] = m[2].replaceAll("&amp;", "&");
  }
  return out;
}

/** The task IDs of a task-list page, in order. */
const rowIds = (html: string) =>
  [...html.matchAll(/<tr[^>]* data-task="([^"]+)"/g)].map((m) => m[1]);

/** The areas the paging tasks work on, in turn (a word of each payload). */
const AREAS = ["checkout", "search", "billing", "auth", "catalog"];

/** A scattered but fixed task ID for a number (a bijection on 48 bits). */
const scattered = (n: number) =>
  `tsk_${(BigInt(n) * 0x9e3779b97f4an % (1n << 48n)).toString(16).padStart(12, "0")}`;

/**
 * 250 tasks in `main` from two days ago, two per second (rowid breaks the ties): test
 * runs over five areas; every 7th failed, the newest 10 still queued, the rest succeeded.
 * Returns them newest first.
 */
function seedPaging(s: TestServer): { id: string; area: string }[] {
  const t0 = Date.now() - 2 * 86_400_000;
  const rows: (Seed & { area: string })[] = [];
  for (let i = 0; i < 250; i++) {
    const area = AREAS[i % AREAS.length];
    const created = t0 + Math.floor(i / 2) * 1000;
    const status = i >= 240 ? "queued" : i % 7 === 3 ? "failed" : "succeeded";
    rows.push({
      id: scattered(i + 1),
      area,
      stream: "main",
      tool: i % 4 === 0 ? "llm-haiku" : "run-bash",
      status,
      payload: { cmd: `pytest tests/${area}/test_case_${i}.py` },
      result: status === "succeeded"
        ? { summary: `Fixed the ${area} test ${i}: ${10 + (i % 9)} passed` }
        : undefined,
      error: status === "failed" ? `test_case_${i}: expected 200 from /${area}, got 500` : null,
      created,
      started: status === "queued" ? null : created + 500,
      finished: status === "queued" ? null : created + 2500 + (i % 13) * 700,
    });
  }
  seed(s.p.db, rows);
  return rows.map((r) => ({ id: r.id, area: r.area })).reverse();
}

async function project(): Promise<TestServer> {
  const s = await startServer();
  await s.p.ok(["session", "create", "scale"]);
  await s.p.ok(["stream", "create", "main", "--session", "scale"]);
  await s.p.ok(["stream", "create", "jobs", "--session", "scale"]);
  return s;
}

Deno.test("API and pages: 250 tasks paged 50 at a time by cursor (rel=next to the end, rel=prev back), search, bulk requeue", async () => {
  const s = await project();
  try {
    const tasks = seedPaging(s);
    const newest = tasks.map((t) => t.id);
    // The server indexes new tasks for search by itself, a batch every 2 s.
    const pending = () => Number(query(s.p.db, "SELECT COUNT(*) AS n FROM tasks_fts_pending")[0].n);
    assert.equal(pending(), 250, "new tasks wait for the search index");
    const deadline = Date.now() + 10_000;
    while (pending() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    assert.equal(pending(), 0, "the server's upkeep indexed them");

    // --- the API: follow the Link header ------------------------------------------
    const down: string[][] = [];
    let path: string | undefined = "/api/tasks?stream=main&limit=50";
    let last: Response | undefined;
    while (path) {
      const res: Response = await fetch(`${s.url}${path}`);
      assert.equal(res.status, 200);
      down.push((await res.json()).map((t: { id: string }) => t.id));
      last = res;
      path = links(res).next;
    }
    assert.deepEqual(down.map((p) => p.length), [50, 50, 50, 50, 50]);
    assert.deepEqual(down.flat(), newest, "each of the 250 tasks exactly once, newest first");
    const up: string[][] = [];
    path = links(last!).prev;
    while (path) {
      const res: Response = await fetch(`${s.url}${path}`);
      up.unshift((await res.json()).map((t: { id: string }) => t.id));
      path = links(res).prev;
    }
    assert.deepEqual(up, down.slice(0, 4), "rel=prev walks back over the same pages");
    const bad = await api(s, "GET", "/api/tasks?before=yesterday");
    assert.equal(bad.status, 400);
    assert.match(JSON.stringify(bad.body), /'before' must be a page cursor/);

    // --- the HTML page: follow <link rel=next> in the head, then rel=prev -----------
    const pages: string[][] = [];
    let url: string | undefined = "/tasks?stream=main";
    let html = "";
    while (url) {
      html = await (await fetch(`${s.url}${url}`)).text();
      pages.push(rowIds(html));
      url = headLinks(html).next;
    }
    assert.deepEqual(pages.flat(), newest, "the page's rel=next visits each task once");
    assert.match(html, /<span[^>]*aria-disabled="true"[^>]*>Older →<\/span>/, "no older page");
    const back: string[][] = [];
    url = headLinks(html).prev;
    while (url) {
      const h = await (await fetch(`${s.url}${url}`)).text();
      back.unshift(rowIds(h));
      url = headLinks(h).prev;
    }
    assert.deepEqual(back, pages.slice(0, 4));

    // --- search: ID prefix, a word in a summary, an error, a payload ----------------
    const now = Date.now();
    seed(s.p.db, [
      {
        id: "tsk_5ea4c0000001",
        stream: "jobs",
        status: "succeeded",
        payload: { cmd: "make" },
        result: { summary: "Rebuilt the flamingo index" },
        created: now - 5000,
        started: now - 4000,
        finished: now - 3000,
      },
      {
        id: "tsk_5ea4c0000002",
        stream: "jobs",
        status: "failed",
        error: "pelican: connection refused",
        created: now - 4000,
        started: now - 3000,
        finished: now - 2000,
      },
      { id: "tsk_5ea4c0000003", stream: "jobs", payload: { file: "toucan.csv" }, created: now },
    ]);
    const find = async (q: string, extra = "") =>
      ((await api(s, "GET", `/api/tasks?q=${encodeURIComponent(q)}${extra}`)).body as {
        id: string;
      }[]).map((t) => t.id);
    assert.deepEqual(await find("flamingo"), ["tsk_5ea4c0000001"], "a word of a summary");
    assert.deepEqual(await find("pelican"), ["tsk_5ea4c0000002"], "a word of an error");
    assert.deepEqual(await find("toucan"), ["tsk_5ea4c0000003"], "a word of a payload");
    assert.deepEqual(await find("tsk_5ea4c"), [
      "tsk_5ea4c0000003",
      "tsk_5ea4c0000002",
      "tsk_5ea4c0000001",
    ], "an ID prefix");
    assert.deepEqual(await find(newest[7]), [newest[7]], "a whole ID");
    for (const prefix of [newest[7].slice(0, 7), newest[7].slice(0, 10), newest[7].slice(4, 9)]) {
      const full = prefix.startsWith("tsk_") ? prefix : `tsk_${prefix}`;
      assert.deepEqual(
        await find(prefix, "&stream=main"),
        newest.filter((id) => id.startsWith(full)),
        `ID prefix ${prefix}`,
      );
    }
    assert.deepEqual(await find("flamingo", "&status=failed"), [], "with a filter");
    const searched = await (await fetch(`${s.url}/tasks?q=pelican`)).text();
    assert.deepEqual(rowIds(searched), ["tsk_5ea4c0000002"]);
    assert.match(searched, /value="pelican"/, "the search box keeps the text");

    // --- bulk requeue: one copy per failed task of the stream, nothing else ---------
    seed(s.p.db, [
      { id: tid(1, "fa"), stream: "jobs", status: "failed", error: "x", created: now - 900 },
      { id: tid(2, "fa"), stream: "jobs", status: "failed", error: "y", created: now - 800 },
      { id: tid(3, "fa"), stream: "main", status: "failed", error: "other stream", created: now },
    ]);
    const count = () => Number(query(s!.p.db, "SELECT COUNT(*) AS n FROM tasks")[0].n);
    const before = count();
    // The CSRF guard: a cross-origin post and a form post change nothing.
    const cross = await api(s, "POST", "/api/streams/jobs/requeue-failed", {}, {
      headers: { origin: "http://evil.example" },
    });
    assert.equal(cross.status, 403);
    const form = await api(s, "POST", "/api/streams/jobs/requeue-failed", undefined, {
      headers: { "content-type": "application/x-www-form-urlencoded" },
      raw: "",
    });
    assert.equal(form.status, 415);
    assert.equal(count(), before, "refused requests changed nothing");
    const r = await api(s, "POST", "/api/streams/jobs/requeue-failed", {});
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const body = r.body as {
      requeued: { requeued_from: string; status: string }[];
      skipped: number;
    };
    assert.deepEqual(
      body.requeued.map((t) => t.requeued_from).sort(),
      ["tsk_5ea4c0000002", tid(1, "fa"), tid(2, "fa")].sort(),
    );
    assert.equal(count(), before + 3, "three copies and nothing else");
    const copies = query(
      s.p.db,
      "SELECT status, requeued_from FROM tasks WHERE requeued_from IS NOT NULL ORDER BY requeued_from",
    );
    assert.equal(copies.length, 3);
    assert.ok(copies.every((c) => c.status === "queued"));
    const again = await api(s, "POST", "/api/streams/jobs/requeue-failed", {});
    assert.equal(again.status, 200);
    assert.deepEqual(again.body, { stream: "jobs", requeued: [], skipped: 3 });
    assert.equal(count(), before + 3, "a second bulk requeue copies nothing");
    const unknown = await api(s, "POST", "/api/streams/nope/requeue-failed", {});
    assert.equal(unknown.status, 404);
    // The confirmation page has nothing left to offer: no form, a reason.
    const confirmPage = await (await fetch(`${s.url}/streams/jobs/requeue-failed`)).text();
    assert.doesNotMatch(confirmPage, /requeue-failed-form/);
    assert.match(confirmPage, /Nothing to requeue/);
    assert.match(confirmPage, /All 3 failed tasks have been requeued already/);
    const mainPage = await (await fetch(`${s.url}/streams/main/requeue-failed`)).text();
    assert.match(
      mainPage,
      /id="requeue-count">35 copies</,
      "main: 34 seeded failures and one more",
    );
    assert.equal((await fetch(`${s.url}/streams/nope/requeue-failed`)).status, 404);
  } finally {
    await s.stop();
    await s.p.cleanup();
  }
});

/** Saves a screenshot in test-output/ (docs/ keeps copies of some: `docs` names them). */
async function shot(page: Page, name: string, _docs?: string): Promise<void> {
  await Deno.mkdir(OUT, { recursive: true });
  await page.screenshot({ path: `${OUT}/${name}.png`, fullPage: true });
}

Deno.test({
  name:
    "web UI: paging by the pager, the search box, the bulk requeue confirmation, the charts, dark mode",
  ignore: !HAVE_CHROMIUM,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const s = await project();
    const browser = await launchBrowser();
    try {
      const tasks = seedPaging(s);
      const newest = tasks.map((t) => t.id);
      // A seeded day: per hour ago, [succeeded, failed, auto-failed] (finished mid-hour).
      const now = Date.now();
      const hourStart = (k: number) => Math.floor((now - k * HOUR) / HOUR) * HOUR;
      const history: [number, number, number, number][] = [
        [1, 4, 1, 0],
        [3, 2, 0, 2],
        [7, 6, 2, 1],
        [20, 1, 0, 0],
        [30, 9, 9, 9], // older than 24 h: not charted
      ];
      const rows: Seed[] = [];
      let n = 0;
      for (const [k, ok, failed, auto] of history) {
        const kinds = [
          ...Array(ok).fill("ok"),
          ...Array(failed).fill("failed"),
          ...Array(auto).fill("auto"),
        ];
        for (const kind of kinds) {
          const end = hourStart(k) + 20 * 60_000 + n * 1000;
          rows.push({
            id: tid(++n, "c"),
            stream: "jobs",
            tool: n % 2 ? "run-bash" : "llm-haiku",
            status: kind === "ok" ? "succeeded" : "failed",
            payload: { cmd: `./scripts/build.sh --module m${n}` },
            result: kind === "ok" ? { summary: `Built module m${n}; 24 tests pass` } : undefined,
            error: kind === "ok"
              ? null
              : kind === "auto"
              ? "Auto-failed: task exceeded 2x timeout with no complete/fail reported."
              : `build.sh exited 2: module m${n} does not compile`,
            auto_failed: kind === "auto",
            created: end - 60_000,
            started: end - (n % 2 ? 10_000 : 40_000),
            finished: end,
          });
        }
      }
      seed(s.p.db, rows);
      const page = await browser.ctx.newPage();
      const errors: string[] = [];
      page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
      page.on("pageerror", (e) => errors.push(String(e)));

      // --- the dashboard's charts match the seeded hours -------------------------------
      await page.goto(`${s.url}/`);
      await page.waitForSelector("#live.on");
      const bars = await page.$$eval(
        "#chart-throughput rect.bar",
        (rs) =>
          rs.map((r) =>
            [
              r.closest("g")!.getAttribute("data-hour"),
              r.getAttribute("data-outcome"),
              Number(r.getAttribute("data-n")),
            ] as const
          ),
      );
      const expected: (readonly [string, string, number])[] = [];
      for (const [k, ok, failed, auto] of [...history].reverse().filter((h) => h[0] < 24)) {
        const hour = new Date(hourStart(k)).toISOString();
        if (ok) expected.push([hour, "succeeded", ok]);
        if (failed) expected.push([hour, "failed", failed]);
        if (auto) expected.push([hour, "auto-failed", auto]);
      }
      assert.deepEqual(bars, expected, "one bar per hour and outcome, with its count");
      assert.equal(await page.$$eval("#chart-throughput g.hour", (g) => g.length), 24);
      const tools = await page.$$eval(
        "#chart-durations g.tool",
        (gs) => gs.map((g) => [g.getAttribute("data-tool"), Number(g.getAttribute("data-median"))]),
      );
      assert.deepEqual(tools, [["llm-haiku", 40], ["run-bash", 10]], "median per tool");
      await shot(page, "ui-scale-dashboard-light", "dashboard");

      // --- dark mode: the variables switch, the charts stay legible ----------------------
      await page.emulateMedia({ colorScheme: "dark" });
      /** A computed style property of the first element matching a selector. */
      const style = (sel: string, prop: "backgroundColor" | "fill") =>
        page.$eval(sel, (el, p) =>
          (globalThis as unknown as {
            getComputedStyle(e: unknown): Record<string, string>;
          }).getComputedStyle(el)[p], prop);
      const colours = {
        bg: await style("body", "backgroundColor"),
        axis: await style("#chart-throughput text", "fill"),
        ok: await style("#chart-throughput rect.o-succeeded", "fill"),
      };
      assert.equal(colours.bg, "rgb(13, 16, 23)", "dark background");
      assert.notEqual(colours.axis, "rgb(93, 102, 121)", "axis text switches to the dark palette");
      assert.equal(colours.ok, "rgb(95, 211, 141)", "bars use the dark palette");
      await shot(page, "ui-scale-dashboard-dark", "dashboard-dark");
      await page.emulateMedia({ colorScheme: "light" });

      // --- paging with the pager's links --------------------------------------------------
      await page.goto(`${s.url}/tasks?stream=main`);
      const seen: string[] = [];
      for (;;) {
        seen.push(
          ...await page.$$eval(
            "#tasks-table tr[data-task]",
            (trs) => trs.map((t) => t.getAttribute("data-task")!),
          ),
        );
        const next = await page.$("#tasks-pager a[rel=next]");
        if (!next) break;
        await Promise.all([page.waitForNavigation(), next.click()]);
      }
      assert.deepEqual(seen, newest, "the Older links visit each task once");
      const prevSeen: string[] = [];
      for (;;) {
        const prev = await page.$("#tasks-pager a[rel=prev]");
        if (!prev) break;
        await Promise.all([page.waitForNavigation(), prev.click()]);
        prevSeen.unshift(
          ...await page.$$eval(
            "#tasks-table tr[data-task]",
            (trs) => trs.map((t) => t.getAttribute("data-task")!),
          ),
        );
      }
      assert.deepEqual(prevSeen, newest.slice(0, 200), "the Newer links walk back");

      // --- the search box, with paging ----------------------------------------------
      const checkout = tasks.filter((t) => t.area === "checkout").map((t) => t.id);
      await page.goto(`${s.url}/tasks?limit=10`);
      await page.fill("input[name=q]", "checkout");
      await Promise.all([page.waitForNavigation(), page.click("form.filters button[type=submit]")]);
      const shown = () =>
        page.$$eval(
          "#tasks-table tr[data-task]",
          (trs) => trs.map((t) => t.getAttribute("data-task")),
        );
      assert.deepEqual(
        await shown(),
        checkout.slice(0, 10),
        "a word of the payloads, newest first",
      );
      await Promise.all([page.waitForNavigation(), page.click("#tasks-pager a[rel=next]")]);
      assert.deepEqual(await shown(), checkout.slice(10, 20), "the next page of the search");
      assert.equal(await page.inputValue("input[name=q]"), "checkout");
      await shot(page, "ui-scale-tasks-searched-paged", "tasks-search");

      // --- bulk requeue: the button, the confirmation, the copies ---------------------
      await page.goto(`${s.url}/tasks?stream=jobs&status=failed`);
      await Promise.all([page.waitForNavigation(), page.click("#requeue-failed")]);
      const failedJobs = rows.filter((r) => r.status === "failed").length;
      assert.equal(await page.textContent("#requeue-count"), `${failedJobs} copies`);
      const before = Number(query(s.p.db, "SELECT COUNT(*) AS n FROM tasks")[0].n);
      await page.click("#requeue-submit"); // not confirmed: the form does not submit
      await page.waitForTimeout(300);
      assert.equal(Number(query(s.p.db, "SELECT COUNT(*) AS n FROM tasks")[0].n), before);
      await shot(page, "ui-scale-requeue-confirm");
      await page.check("#requeue-confirm");
      await Promise.all([page.waitForURL(/status=queued/), page.click("#requeue-submit")]);
      assert.equal(
        Number(query(s.p.db, "SELECT COUNT(*) AS n FROM tasks")[0].n),
        before + failedJobs,
        "one copy per failed task, nothing else",
      );
      assert.equal(
        Number(
          query(s.p.db, "SELECT COUNT(*) AS n FROM tasks WHERE requeued_from IS NOT NULL")[0].n,
        ),
        failedJobs,
      );
      assert.deepEqual(errors, [], "no console errors (CSP included)");
    } finally {
      await browser.close();
      await s.stop();
      await s.p.cleanup();
    }
  },
});
