/**
 * Review (SPEC §12.3) on real processes: `sparkq report` in Markdown, JSON and HTML
 * against a session with a task of every kind (every task appears, failures first,
 * durations right, hostile text escaped); `sparkq follow` printing a scripted worker's
 * events in order, once each, and ending with exit 0 on SIGINT; the OUTCOME column of
 * `tasks`; the same through a freshly built launcher.
 */
import assert from "node:assert/strict";
import { freshLauncher, sparkqCommand, type TempProject, tempProject } from "./helpers.ts";
import { run, spawnSparkq } from "./support/process.ts";
import { HOSTILE, type ReviewSession, reviewSession } from "./review_helpers.ts";

function ids(s: ReviewSession): string[] {
  return [s.ok, s.failed, s.copy, s.auto, s.queued, s.running];
}

/** Checks the Markdown report of the review session. */
function checkMarkdown(s: ReviewSession, md: string): void {
  for (const id of ids(s)) assert.ok(md.includes(id), `${id} in the report`);
  const failures = md.indexOf("## Failures (2)");
  const streams = md.indexOf("## Streams");
  assert.ok(failures > 0 && streams > failures, "failures come before the streams");
  const failSection = md.slice(failures, streams);
  assert.ok(
    failSection.indexOf(s.failed) < failSection.indexOf(s.auto),
    "in the order they failed",
  );
  assert.ok(!failSection.includes(s.ok) && !failSection.includes(s.queued), "only failures");
  assert.match(failSection, /tests failed: \\<script\\>/); // Markdown-escaped, not raw HTML
  assert.match(failSection, /stderr line 30/);
  assert.match(failSection, /stderr line 19\n/); // the last 12 lines ...
  assert.doesNotMatch(failSection, /stderr line 18\n/); // ... and no more
  assert.match(failSection, /\\x1b\[31mred\\x1b\[0m/); // control characters shown, not sent
  assert.ok(!md.includes("\x1b"), "no raw escape character");
  assert.match(failSection, /auto-failed/);
  assert.match(failSection, /Late report .*succeeded: finished late after all/);
  assert.match(failSection, new RegExp(`Requeued as \`${s.copy}\` \\(queued\\)`));
  assert.match(md, /- 6 tasks: 1 succeeded, 2 failed \(1 auto-failed\), 1 running, 2 queued/);
  assert.match(
    md,
    new RegExp(`\`${s.ok}\` \\*\\*run-bash\\*\\* — succeeded in 1m30s: Built the login form`),
  );
  assert.match(md, new RegExp(`\`${s.failed}\` \\*\\*run-bash\\*\\* — failed in 12s`));
  assert.match(md, new RegExp(`requeued from \`${s.failed}\``));
  assert.match(md, /note \d\d:\d\d:\d\d: compiling/);
  assert.match(md, /note \d\d:\d\d:\d\d: writing the guide/);
  assert.match(md, /Implement login\.\nRun the tests\./); // the stream's instructions
  assert.match(md, /### docs \(active\) — 1 task: 1 running/);
}

Deno.test("report: Markdown, JSON and HTML show every task, failures first, durations right", async () => {
  const s = await reviewSession();
  try {
    checkMarkdown(s, await s.p.ok(["report"])); // default: the latest active session

    const data = JSON.parse(await s.p.ok(["report", "--session", "api", "--format", "json"]));
    assert.deepEqual(data.counts, {
      total: 6,
      queued: 2,
      running: 1,
      succeeded: 1,
      failed: 2,
      auto_failed: 1,
      late_reports: 1,
      requeued: 1,
    });
    assert.deepEqual(data.failures.map((t: { id: string }) => t.id), [s.failed, s.auto]);
    const all = data.streams.flatMap((x: { tasks: { id: string }[] }) => x.tasks);
    assert.deepEqual(all.map((t: { id: string }) => t.id).sort(), ids(s).sort());
    const byId = new Map(all.map((t: { id: string }) => [t.id, t]));
    const task = (id: string) => byId.get(id) as Record<string, unknown>;
    assert.equal(task(s.ok).duration_seconds, 90);
    assert.equal(task(s.failed).duration_seconds, 12);
    assert.equal(task(s.queued).duration_seconds, null);
    assert.equal(task(s.auto).auto_failed, true);
    assert.equal((task(s.auto).late_report as { outcome: string }).outcome, "succeeded");
    assert.deepEqual(task(s.failed).requeued_to, [{
      id: s.copy,
      status: "queued",
      stream: "auth",
    }]);
    assert.equal(task(s.copy).requeued_from, s.failed);
    assert.match(String(task(s.failed).stderr_tail), /^stderr line 19\n[\s\S]*stderr line 30$/);
    assert.deepEqual(data.charts.tools.map((t: { tool: string }) => t.tool), ["run-bash"]);
    assert.equal(data.charts.hourly.at(-1).failed >= 1, true);

    // One stream only, and a window that leaves the old finished tasks out.
    const docs = JSON.parse(await s.p.ok(["report", "--stream", "docs", "--format", "json"]));
    assert.equal(docs.stream, "docs");
    assert.deepEqual(docs.streams.map((x: { name: string }) => x.name), ["docs"]);
    const recent = JSON.parse(await s.p.ok(["report", "--since", "1h", "--format", "json"]));
    const recentIds = recent.streams.flatMap((x: { tasks: { id: string }[] }) => x.tasks)
      .map((t: { id: string }) => t.id);
    assert.ok(!recentIds.includes(s.ok) && !recentIds.includes(s.failed), "finished days ago");
    assert.ok(recentIds.includes(s.auto) && recentIds.includes(s.queued));

    // HTML to a file: one document, text escaped, failures before streams, nothing fetched.
    const out = `${s.p.dir}/report.html`;
    const w = await s.p.run(["report", "--format", "html", "--output", out]);
    assert.equal(w.code, 0, w.stderr);
    assert.equal(w.stdout, "");
    const html = await Deno.readTextFile(out);
    for (const id of ids(s)) assert.ok(html.includes(id), `${id} in the HTML`);
    assert.ok(!html.includes(HOSTILE), "task text never becomes markup");
    assert.ok(html.includes("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
    assert.ok(!/<script|<link|<img|@import|url\(|https?:\/\//i.test(html), "nothing external");
    assert.ok(html.indexOf('id="failures"') < html.indexOf("<h2>Streams</h2>"));
    assert.match(html, /<svg class="chart"/);

    // Refusals: unknown session, both scopes at once, a bad format.
    const none = await s.p.run(["report", "--session", "nope"]);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /^Error: no session named 'nope'/);
    const both = await s.p.run(["report", "--session", "api", "--stream", "docs"]);
    assert.equal(both.code, 2);
    const fmt = await s.p.run(["report", "--format", "pdf"]);
    assert.equal(fmt.code, 2);
    assert.match(fmt.stderr, /--format must be one of md, html, json/);
  } finally {
    await s.p.cleanup();
  }
});

Deno.test("report without an active session says what to pass", async () => {
  const p = await tempProject();
  try {
    const r = await p.run(["report"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^Error: no active session to report on\npass --session NAME/);
  } finally {
    await p.cleanup();
  }
});

/** Reads follow's stdout until `n` lines have arrived (or fails after `ms`). */
async function lines(
  f: { stdout(): string },
  n: number,
  ms = 20_000,
): Promise<string[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const got = f.stdout().split("\n").filter((l) => l !== "");
    if (got.length >= n) return got;
    if (Date.now() > deadline) {
      throw new Error(`follow printed ${got.length} of ${n} lines:\n${f.stdout()}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Runs a scripted worker against `follow --json`; returns the events it printed. */
async function followScript(p: TempProject): Promise<void> {
  await p.ok(["session", "create", "s1"]);
  await p.ok(["stream", "create", "other", "-s", "s1"]);
  await p.ok(["stream", "create", "work", "-s", "s1"]);
  const before = (await p.ok(["enqueue", "run-bash", '{"n":0}', "--stream", "other"])).trim();
  const f = spawnSparkq(["follow", "--json"], {
    cwd: p.dir,
    launcher: p.launcher,
    env: { SPARKQ_TMPDIR: `${p.dir}/tmp` },
  });
  try {
    const opening = await lines(f, 1);
    assert.equal(JSON.parse(opening[0]).id, before, "starts with the past events");
    const a = (await p.ok(["enqueue", "run-bash", '{"n":1}', "--stream", "work"])).trim();
    await p.ok(["claim", "work"]);
    await p.ok(["heartbeat", a, "--note", "half way \x1b[2J"]);
    await p.ok(["complete", a, "--summary", "done A"]);
    const b = (await p.ok(["enqueue", "run-bash", '{"n":2}', "--stream", "work"])).trim();
    await p.ok(["claim", "work"]);
    await p.ok(["fail", b, "--error", "broke B"]);
    const c = (await p.ok(["enqueue", "run-bash", '{"n":3}', "--stream", "work"])).trim();
    await p.ok(["claim", "work"]);
    p.exec(
      "UPDATE tasks SET started_at = ? WHERE id = ?",
      new Date(Date.now() - 3600_000).toISOString(),
      c,
    );
    const want = [
      ["enqueued", before],
      ["enqueued", a],
      ["claimed", a],
      ["note", a],
      ["succeeded", a],
      ["enqueued", b],
      ["claimed", b],
      ["failed", b],
      ["enqueued", c],
      ["claimed", c],
      ["auto-failed", c], // follow applies the auto-fail rule itself
    ];
    const got = (await lines(f, want.length)).map((l) => JSON.parse(l));
    await new Promise((r) => setTimeout(r, 1500)); // any duplicate would show by now
    const all = f.stdout().split("\n").filter((l) => l !== "").map((l) => JSON.parse(l));
    assert.deepEqual(all.map((e) => [e.event, e.id]), want, f.stdout());
    assert.equal(got[3].note, "half way \x1b[2J"); // JSON carries the text exactly
    assert.equal(got[4].summary, "done A");
    assert.equal(got[7].error, "broke B");
    assert.match(got[10].error, /^Auto-failed/);
    for (let i = 1; i < all.length; i++) assert.ok(all[i - 1].at <= all[i].at, "in time order");
    const code = await f.stop("SIGINT");
    assert.equal(code, 0, f.stderr());
    assert.equal(f.stderr(), "");
  } finally {
    await f.stop("SIGKILL").catch(() => {});
  }
  // The human feed: one line per event, control characters shown escaped, scoped.
  const h = spawnSparkq(["follow", "--stream", "work"], {
    cwd: p.dir,
    launcher: p.launcher,
    env: { SPARKQ_TMPDIR: `${p.dir}/tmp` },
  });
  try {
    const shown = await lines(h, 10);
    assert.ok(shown.every((l) => !l.includes("other/")), "only the stream's events");
    const note = shown.find((l) => /\bnote\b/.test(l))!;
    assert.match(note, /note +tsk_[0-9a-f]{12} {2}work\/run-bash {2}half way \\x1b\[2J$/);
    assert.ok(!h.stdout().includes("\x1b"), "no escape sequence reaches the terminal");
    assert.ok(shown.some((l) => /succeeded +tsk_\w+ {2}work\/run-bash {2}done A$/.test(l)));
    assert.equal(await h.stop("SIGINT"), 0);
  } finally {
    await h.stop("SIGKILL").catch(() => {});
  }
}

Deno.test("follow prints a scripted worker's events in order, once each, and ends 0 on SIGINT", async () => {
  const p = await tempProject();
  try {
    await followScript(p);
  } finally {
    await p.cleanup();
  }
});

/** `tasks` on a terminal `cols` wide: what the terminal showed. */
async function tasksOnTerminal(p: TempProject, cols: number): Promise<string> {
  const how = sparkqCommand(["tasks"], {
    cwd: p.dir,
    launcher: p.launcher,
    env: { SPARKQ_TMPDIR: `${p.dir}/tmp` },
  });
  const q = (w: string) => `'${w.replaceAll("'", `'\\''`)}'`;
  const inner = `stty cols ${cols}; cd ${q(how.cwd)} && exec ${
    [how.cmd, ...how.args].map(q).join(" ")
  }`;
  const r = await run("script", ["-qfec", inner, "/dev/null"], { env: how.env });
  assert.equal(r.code, 0, r.stdout);
  return r.stdout.replaceAll("\r", "");
}

Deno.test("tasks shows an OUTCOME column: the summary or the error, cut to the width", async () => {
  const s = await reviewSession();
  try {
    const long = "word ".repeat(80).trim();
    const id = (await s.p.ok(["enqueue", "run-bash", '{"n":9}', "--stream", "docs"])).trim();
    await s.p.ok(["complete", s.running, "--summary", "guide written"]);
    assert.equal(JSON.parse(await s.p.ok(["claim", "docs"])).id, id);
    await s.p.ok(["complete", id, "--summary", `first line\n${long}`]);
    const piped = await s.p.ok(["tasks"]);
    const rows = piped.trimEnd().split("\n");
    assert.match(rows[0], /DURATION +OUTCOME$/);
    const row = (t: string) => rows.find((r) => r.startsWith(t))!;
    assert.match(row(s.ok), /1m30s +Built the login form; 42 tests pass$/);
    assert.match(row(s.failed), /12s +tests failed: <script>alert\('x'\)<\/script>$/);
    assert.match(row(s.auto), /Auto-failed: task exceeded 2x timeout/);
    assert.match(row(s.queued), /queued .* -$/); // nothing yet
    const cut = row(id).slice(row(id).indexOf("first line"));
    assert.equal([...cut].length, 100, "cut to 100 characters when piped");
    assert.ok(cut.startsWith("first line ⏎ word word") && cut.endsWith("…"));

    const shown = await tasksOnTerminal(s.p, 150);
    const lines = shown.trimEnd().split("\n").filter((l) =>
      l.startsWith("tsk_") || l.startsWith("ID")
    );
    assert.ok(lines.length >= 7, shown);
    for (const l of lines) assert.ok([...l].length <= 150, `fits 150 columns: ${l}`);
    assert.ok(lines.find((l) => l.startsWith(id))!.endsWith("…"));
  } finally {
    await s.p.cleanup();
  }
});

Deno.test("report and follow through a freshly built launcher", async () => {
  const launcher = await freshLauncher();
  const s = await reviewSession({ launcher });
  try {
    checkMarkdown(s, await s.p.ok(["report", "--session", "api"]));
    const data = JSON.parse(await s.p.ok(["report", "--format", "json"]));
    assert.equal(data.counts.total, 6);
    const html = await s.p.ok(["report", "--format", "html"]);
    assert.ok(html.startsWith("<!doctype html>") && !html.includes(HOSTILE));
    const refused = await s.p.run(["report", "--output", "/var/tmp/sparkq-refused-report.md"]);
    assert.equal(refused.code, 1, "writes only where SparkQ may");
    assert.match(refused.stderr, /^Error: /);
  } finally {
    await s.p.cleanup();
  }
  const p = await tempProject([], { launcher });
  try {
    await followScript(p);
  } finally {
    await p.cleanup();
  }
});

/** What `follow` shows on a pseudo-terminal in 4 s, ended by SIGINT from `timeout`. */
async function followOnTerminal(p: TempProject, env: Record<string, string>): Promise<string> {
  const how = sparkqCommand(["follow"], {
    cwd: p.dir,
    launcher: p.launcher,
    env: { SPARKQ_TMPDIR: `${p.dir}/tmp`, ...env },
  });
  const q = (w: string) => `'${w.replaceAll("'", `'\\''`)}'`;
  const inner = `cd ${q(how.cwd)} && timeout -s INT 4 ${[how.cmd, ...how.args].map(q).join(" ")}`;
  const r = await run("script", ["-qfec", inner, "/dev/null"], { env: how.env });
  return r.stdout;
}

Deno.test("follow is coloured on a terminal, and not with NO_COLOR", async () => {
  const p = await tempProject();
  try {
    await p.ok(["session", "create", "s1"]);
    await p.ok(["stream", "create", "work", "-s", "s1"]);
    const id = (await p.ok(["enqueue", "run-bash", '{"n":1}', "--stream", "work"])).trim();
    const coloured = await followOnTerminal(p, { NO_COLOR: "" });
    assert.ok(coloured.includes(id), coloured);
    assert.ok(coloured.includes("\x1b[34menqueued"), coloured);
    const plain = await followOnTerminal(p, { NO_COLOR: "1" });
    assert.ok(plain.includes(id), plain);
    assert.ok(!plain.includes("\x1b["), plain);
  } finally {
    await p.cleanup();
  }
});
