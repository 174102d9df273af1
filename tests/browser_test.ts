/**
 * The web UI in real headless Chromium (playwright-core + Debian's /usr/bin/chromium)
 * against a real `sparkq run`: create a session and a stream, enqueue from the form
 * with script autocomplete, see CLI changes appear without reloading, open a task,
 * requeue a failed one, and see the stale (yellow) and auto-failed (red) rows.
 * Screenshots of every page go to test-output/ (light and dark).
 *
 * Needs, beyond the usual test flags: --allow-sys=homedir,osRelease and
 * --ignore-read=/proc/sys/fs/binfmt_misc/WSLInterop (Playwright's platform probes).
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import type { Page } from "playwright-core";
import { query, ROOT, type TempProject, tempProject } from "./helpers.ts";
import { api, startServer, type TestServer } from "./server_helpers.ts";
import { addTool, DEPLOY_TOOL } from "./tool_helpers.ts";
import { CHROMIUM, HAVE_CHROMIUM, launchBrowser } from "./support/browser.ts";

const OUT = `${ROOT}/test-output`;
if (!HAVE_CHROMIUM) {
  console.warn(`SKIPPING browser tests: ${CHROMIUM} is missing (apt-get install -y chromium)`);
}

/** Collects console errors and page errors (a CSP violation shows up here). */
function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(String(e)));
  return errors;
}

let outDir = OUT;
async function shot(page: Page, name: string): Promise<void> {
  try {
    await Deno.mkdir(outDir, { recursive: true });
  } catch (e) {
    if (!(e instanceof Deno.errors.NotCapable) || outDir !== OUT) throw e;
    // The test runner may not allow writes in the repository (needs --allow-write=test-output).
    outDir = `${Deno.env.get("TMPDIR") || "/tmp"}/sparkq-test-output`;
    console.warn(`no write access to ${OUT}: screenshots go to ${outDir}`);
    await Deno.mkdir(outDir, { recursive: true });
  }
  await page.screenshot({ path: `${outDir}/${name}.png`, fullPage: true });
}

/** Marks the document so a later check can prove no navigation or reload happened. */
async function mark(page: Page): Promise<void> {
  await page.evaluate(() => {
    (globalThis as unknown as { __sameDocument: boolean }).__sameDocument = true;
  });
}
async function sameDocument(page: Page): Promise<boolean> {
  return await page.evaluate(() =>
    (globalThis as unknown as { __sameDocument?: boolean }).__sameDocument === true
  );
}

/** Moves a running task's start into the past, as if it had been claimed `seconds` ago. */
function backdate(dbPath: string, id: string, seconds: number): void {
  const db = new DatabaseSync(dbPath);
  try {
    db.prepare("UPDATE tasks SET started_at = ? WHERE id = ? AND status = 'running'")
      .run(new Date(Date.now() - seconds * 1000).toISOString(), id);
  } finally {
    db.close();
  }
}

async function cliTask(p: TempProject, id: string) {
  return JSON.parse(await p.ok(["task", id, "--json"]));
}

Deno.test({
  name: "web UI: sessions, streams, enqueue form, live updates, detail, requeue, colours",
  ignore: !HAVE_CHROMIUM,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    let s: TestServer | undefined;
    const browser = await launchBrowser();
    try {
      s = await startServer();
      const p = s.p;
      await Deno.mkdir(`${p.dir}/scripts/db`, { recursive: true });
      await Deno.writeTextFile(
        `${p.dir}/scripts/db/migrate.sh`,
        "#!/bin/bash\n# name: migrate\n# description: Apply database migrations\n" +
          "# inputs: DB_URL\n# outputs: applied versions\n# tags: db\nexit 0\n",
      );
      await p.ok(["reload"]);

      const page = await browser.ctx.newPage();
      const errors = watchErrors(page);
      page.on("dialog", (d) => d.accept());

      // --- create a session in the UI -------------------------------------------
      await page.goto(`${s.url}/sessions`);
      await page.waitForSelector("#live.on");
      await page.fill("#session-form input[name=name]", "checkout");
      await page.fill("#session-form input[name=description]", "Rebuild the checkout flow");
      await page.click("#session-form button[type=submit]");
      await page.waitForSelector('tr[data-session="checkout"]');
      await page.waitForSelector("#session-form .form-msg.ok");
      assert.equal(query(p.db, "SELECT name FROM sessions")[0]?.name, "checkout");
      await p.ok(["session", "create", "old-work", "-d", "Finished last week"]);
      await p.ok(["session", "end", "old-work"]);
      await page.waitForSelector('tr[data-session="old-work"]');
      await shot(page, "sessions");

      // A refused form shows the API's error and changes nothing.
      await page.fill("#session-form input[name=name]", "checkout");
      await page.click("#session-form button[type=submit]");
      await page.waitForSelector("#session-form .form-msg.error");
      assert.match(
        (await page.textContent("#session-form .form-msg")) ?? "",
        /already exists/,
      );

      // --- create streams in the UI ----------------------------------------------
      await page.goto(`${s.url}/streams`);
      await page.fill("#stream-form input[name=name]", "payments");
      await page.selectOption("#stream-form select[name=session]", "checkout");
      await page.fill(
        "#stream-form textarea[name=instructions]",
        "Wire the payment provider.\nRun `deno task test` before completing.",
      );
      await page.click("#stream-form button[type=submit]");
      await page.waitForSelector('tr[data-stream="payments"]');
      await page.fill("#stream-form input[name=name]", "ui-polish");
      await page.click("#stream-form button[type=submit]");
      await page.waitForSelector('tr[data-stream="ui-polish"]');
      const streams = query(p.db, "SELECT name, instructions FROM streams ORDER BY rowid");
      assert.deepEqual(streams.map((r) => r.name), ["payments", "ui-polish"]);
      assert.match(String(streams[0].instructions), /^Wire the payment provider/);

      // --- enqueue from the form, with script autocomplete --------------------------
      await page.goto(`${s.url}/enqueue?stream=payments`);
      assert.equal(await page.inputValue("select[name=stream]"), "payments");
      assert.deepEqual(
        JSON.parse(await page.inputValue("textarea[name=payload]")),
        { script_path: "", args: [] },
      );
      assert.equal(await page.getAttribute("input[name=timeout]", "placeholder"), "default 300 s");
      await page.fill("#script-path", "scripts/db/migrate.sh");
      await page.dispatchEvent("#script-path", "change");
      assert.match((await page.textContent("#script-info")) ?? "", /Apply database migrations/);
      assert.deepEqual(JSON.parse(await page.inputValue("textarea[name=payload]")), {
        script_path: "scripts/db/migrate.sh",
        args: [],
      });
      await page.fill("input[name=timeout]", "120");
      await shot(page, "enqueue");
      await page.click("#enqueue-form button[type=submit]");
      await page.waitForSelector("#enqueue-form .form-msg.ok");
      const formTask = query(p.db, "SELECT id, payload, timeout FROM tasks")[0] as {
        id: string;
        payload: string;
        timeout: number;
      };
      assert.deepEqual(JSON.parse(String(formTask.payload)), {
        script_path: "scripts/db/migrate.sh",
        args: [],
      });
      assert.equal(formTask.timeout, 120);
      await page.waitForSelector(`#enqueue-recent li[data-task="${formTask.id}"]`);
      // Switching the tool pre-fills that tool's payload.
      await page.selectOption("select[name=tool_name]", "llm-haiku");
      await page.fill("textarea[name=payload]", "");
      await page.selectOption("select[name=tool_name]", "llm-sonnet");
      assert.deepEqual(JSON.parse(await page.inputValue("textarea[name=payload]")), { prompt: "" });
      // Bad JSON is caught before sending.
      await page.fill("textarea[name=payload]", "{oops");
      await page.click("#enqueue-form button[type=submit]");
      await page.waitForSelector("#enqueue-form .form-msg.error");
      assert.equal(query(p.db, "SELECT COUNT(*) AS n FROM tasks")[0].n, 1);

      // --- the dashboard shows a CLI enqueue without a reload -----------------------
      await page.goto(`${s.url}/`);
      await page.waitForSelector("#live.on");
      await mark(page);
      const cliId = (await p.ok([
        "enqueue",
        "llm-haiku",
        JSON.stringify({ prompt: "Summarise the <script>alert(1)</script> checkout errors" }),
        "--stream",
        "payments",
      ])).trim();
      await page.waitForSelector(`#dash-queued li[data-task="${cliId}"]`, { timeout: 10_000 });
      assert.ok(await sameDocument(page), "updated in place, not reloaded");
      assert.equal(await page.textContent("#dash-stats .c-queued .value"), "2");

      // A worker claims and completes it; the dashboard follows.
      const claimed = JSON.parse(await p.ok(["claim", "--stream", "payments"]));
      assert.equal(claimed.id, formTask.id);
      await page.waitForSelector(`#dash-running li[data-task="${formTask.id}"]`);
      await p.ok([
        "complete",
        formTask.id,
        "--result",
        JSON.stringify({ summary: "Applied 3 migrations (0041–0043)", versions: [41, 42, 43] }),
        "--stdout",
        "migrating 0041… ok\nmigrating 0042… ok\nmigrating 0043… ok\n<script>window.__pwned=1</script>\n",
        "--stderr",
        "warning: index rebuild took 2.1s",
      ]);
      await page.waitForSelector(`#dash-succeeded li[data-task="${formTask.id}"]`);
      assert.ok(await sameDocument(page));

      // --- task detail, updated live when the worker finishes ------------------------
      await page.click(`#dash-queued li[data-task="${cliId}"] a`);
      await page.waitForURL(`**/tasks/${cliId}`);
      await page.waitForSelector("#live.on");
      await mark(page);
      assert.match((await page.textContent("#task-body")) ?? "", /Waiting in stream/);
      await p.ok(["claim", "--stream", "payments"]);
      await p.ok([
        "complete",
        cliId,
        "--result",
        JSON.stringify({ summary: "Grouped 14 checkout errors into 3 causes", causes: 3 }),
        "--stdout",
        "<script>window.__pwned=1</script>\n<b>not bold</b>",
      ]);
      await page.waitForSelector("#task-body .banner.summary");
      assert.ok(await sameDocument(page));
      assert.equal(
        await page.textContent("#task-body .banner.summary p"),
        "Grouped 14 checkout errors into 3 causes",
      );
      const stdout = await page.textContent('[data-output="stdout"] pre');
      assert.equal(stdout, "<script>window.__pwned=1</script>\n<b>not bold</b>");
      assert.equal(await page.locator('[data-output="stdout"] pre b').count(), 0);
      assert.match((await page.textContent("#task-body")) ?? "", /Wire the payment provider/);
      await page.goto(`${s.url}/tasks/${formTask.id}`);
      await shot(page, "task-succeeded");

      // --- requeue a failed task from the task list ------------------------------------
      const failedId = (await p.ok([
        "enqueue",
        "run-bash",
        '{"script_path": "scripts/deploy.sh", "args": ["--dry-run"]}',
        "--stream",
        "ui-polish",
      ])).trim();
      await p.ok(["claim", "--stream", "ui-polish"]);
      await p.ok([
        "fail",
        failedId,
        "--error",
        "deploy.sh exited 2: missing STRIPE_KEY",
        "--stderr",
        "error: STRIPE_KEY is not set\n    at deploy.sh:14",
      ]);
      await page.goto(`${s.url}/tasks?status=failed`);
      await page.waitForSelector("#live.on");
      await page.click(`tr[data-task="${failedId}"] button[data-post$="/requeue"]`);
      await page.waitForSelector(".toast");
      const copies = query(
        p.db,
        "SELECT id, payload, status, attempts FROM tasks WHERE id != ? AND payload LIKE '%deploy.sh%'",
        failedId,
      );
      assert.equal(copies.length, 1);
      assert.equal(copies[0].status, "queued");
      assert.equal(copies[0].attempts, 0);
      assert.equal(
        query(p.db, "SELECT status FROM tasks WHERE id = ?", failedId)[0].status,
        "failed",
      );
      await page.goto(`${s.url}/tasks/${failedId}`);
      await shot(page, "task-failed");
      // Requeue from the detail page goes to the new task.
      await page.click("#requeue-form button[type=submit]");
      await page.waitForURL((u) =>
        /\/tasks\/tsk_[0-9a-f]{12}$/.test(u.pathname) && !u.pathname.endsWith(failedId)
      );
      assert.notEqual(page.url(), `${s.url}/tasks/${failedId}`);
      assert.match((await page.textContent("#task-head")) ?? "", /queued/);

      // --- stale (yellow) and auto-failed (red) rows -----------------------------------
      // Claimed tasks are backdated (as if claimed long ago): stale past 1×, dead past 2× timeout.
      await p.ok(["stream", "create", "timing", "--session", "checkout"]);
      const dead = (await p.ok(["enqueue", "run-bash-fast", "{}", "--stream", "timing"])).trim();
      const stale =
        (await p.ok(["enqueue", "run-bash-fast", '{"slow": true}', "--stream", "timing"]))
          .trim();
      await p.ok(["claim", "--stream", "timing"]);
      await p.ok(["claim", "--stream", "timing"]);
      backdate(p.db, dead, 61); // timeout 30 s: dead after 60 s
      backdate(p.db, stale, 35); // stale after 30 s, dead only after 60 s
      await page.goto(`${s.url}/tasks`);
      const staleRow = page.locator(`tr.stale[data-task="${stale}"]`);
      const deadRow = page.locator(`tr.autofailed[data-task="${dead}"]`);
      assert.equal(await staleRow.count(), 1, "stale row marked");
      assert.equal(await deadRow.count(), 1, "auto-failed row marked");
      await shot(page, "tasks");
      const bg = (sel: string) =>
        page.$eval(
          sel,
          (el) =>
            (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } })
              .getComputedStyle(el).backgroundColor,
        );
      const plain = await bg(`tr[data-task="${cliId}"] td`);
      const yellow = await bg(`tr[data-task="${stale}"] td`);
      const red = await bg(`tr[data-task="${dead}"] td`);
      assert.equal(yellow, "rgb(255, 245, 214)", "stale rows are yellow");
      assert.equal(red, "rgb(253, 232, 230)", "auto-failed rows are red");
      assert.notEqual(plain, yellow);
      assert.match((await page.textContent(`tr[data-task="${dead}"]`)) ?? "", /auto-failed/);
      await page.goto(`${s.url}/tasks/${stale}`);
      assert.match((await page.textContent("#task-body .banner.stale")) ?? "", /auto-failed at/);
      // The page's script keeps the running time ticking with src/core/format.ts duration().
      const ticking = (await page.textContent("[data-since]")) ?? "";
      assert.match(ticking, /^\d+(\.\d)?s$/, `running time '${ticking}'`);
      assert.ok(parseFloat(ticking) >= 35, `running time '${ticking}'`);
      await shot(page, "task-stale");
      await page.goto(`${s.url}/`);
      assert.equal(await page.locator(`#dash-running li.stale[data-task="${stale}"]`).count(), 1);
      assert.equal(
        await page.locator(`#dash-failed li.autofailed[data-task="${dead}"]`).count(),
        1,
      );
      await shot(page, "dashboard");
      await page.goto(`${s.url}/?stream=payments`);
      await shot(page, "dashboard-stream");
      await page.goto(`${s.url}/streams`);
      await shot(page, "streams");
      // Ending a stream from the UI.
      await page.click('tr[data-stream="timing"] button[data-post$="/end"]');
      await page.waitForSelector('tr[data-stream="timing"] .pill.s-ended');
      assert.equal(
        query(p.db, "SELECT status FROM streams WHERE name='timing'")[0].status,
        "ended",
      );

      // --- dark mode ---------------------------------------------------------------------
      await page.emulateMedia({ colorScheme: "dark" });
      await page.goto(`${s.url}/`);
      await shot(page, "dashboard-dark");
      await page.goto(`${s.url}/tasks/${formTask.id}`);
      await shot(page, "task-succeeded-dark");
      await page.goto(`${s.url}/tasks`);
      await shot(page, "tasks-dark");

      assert.equal(
        await page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned),
        undefined,
        "no task text ever ran",
      );
      // The one refused request we made on purpose (a duplicate session) logs a 409.
      assert.deepEqual(
        errors.filter((e) => !/responded with a status of 409/.test(e)),
        [],
        "no console errors (CSP violations included)",
      );
      assert.equal(await cliTask(p, cliId).then((t) => t.status), "succeeded");
    } finally {
      await browser.close();
      if (s) {
        await s.stop();
        await s.p.cleanup();
      }
    }
  },
});

Deno.test({
  name:
    "web UI: payload rules in the form, heartbeats live, progress notes, a late report, lineage",
  ignore: !HAVE_CHROMIUM,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    let s: TestServer | undefined;
    const browser = await launchBrowser();
    try {
      const proj = await tempProject();
      await addTool(proj, DEPLOY_TOOL);
      s = await startServer({ p: proj });
      const p = s.p;
      await p.ok(["session", "create", "contract"]);
      await p.ok(["stream", "create", "work", "--session", "contract"]);
      const page = await browser.ctx.newPage();
      const errors = watchErrors(page);
      /** A worker's heartbeat with a progress note, through the API. */
      const beat = async (id: string, note: string) => {
        const r = await api(s!, "POST", `/api/tasks/${id}/heartbeat`, { note });
        assert.equal(r.status, 200, JSON.stringify(r.body));
      };

      // --- the enqueue form shows a payload-rule refusal with its path --------------
      await page.goto(`${s.url}/enqueue?stream=work&tool=deploy`);
      await page.selectOption("select[name=tool_name]", "deploy");
      assert.match(
        (await page.textContent("#tool-info")) ?? "",
        /payload rules: requires script_path/,
      );
      await page.fill("textarea[name=payload]", '{"args": ["--dry-run"]}');
      await page.click("#enqueue-form button[type=submit]");
      await page.waitForSelector("#enqueue-form .form-msg.error");
      assert.match(
        (await page.textContent("#enqueue-form .form-msg")) ?? "",
        /payload does not match tool 'deploy': \/script_path: required property missing/,
      );
      assert.equal(query(p.db, "SELECT COUNT(*) AS n FROM tasks")[0].n, 0);
      await shot(page, "enqueue-payload-rules");
      await page.fill("textarea[name=payload]", '{"script_path": "scripts/deploy.sh"}');
      await page.click("#enqueue-form button[type=submit]");
      await page.waitForSelector("#enqueue-form .form-msg.ok");
      const long = String(query(p.db, "SELECT id FROM tasks")[0].id);

      // --- the dashboard's running card: time since start, then since the heartbeat --
      const claimed = JSON.parse(await p.ok(["claim", "work"]));
      assert.equal(claimed.id, long);
      await page.goto(`${s.url}/`);
      await page.waitForSelector("#live.on");
      await mark(page);
      const card = `#dash-running li[data-task="${long}"]`;
      await page.waitForSelector(`${card} [data-beat="start"]`);
      assert.match((await page.textContent(`${card} .beat`)) ?? "", /^started .+ ago$/);
      await beat(long, "built 2 of 5 packages");
      await page.waitForSelector(`${card} [data-beat="heartbeat"]`);
      assert.ok(await sameDocument(page), "the card followed the heartbeat without a reload");
      const since = (await page.textContent(`${card} .beat [data-since]`)) ?? "";
      assert.match(since, /^\d+(\.\d)?s$|^\d+ms$/, `time since the heartbeat: '${since}'`);
      assert.equal(await page.textContent(`${card} .line2`), "built 2 of 5 packages", "last note");
      await shot(page, "dashboard-heartbeat");

      // --- the task page: last heartbeat and notes, newest last, live ---------------
      await page.goto(`${s.url}/tasks/${long}`);
      await page.waitForSelector("#live.on");
      await mark(page);
      await page.waitForSelector("#task-heartbeat time");
      const heartbeat1 = await page.getAttribute("#task-heartbeat time", "datetime");
      assert.equal(heartbeat1, JSON.parse(await p.ok(["task", long, "--json"])).heartbeat_at);
      assert.deepEqual(await page.locator("#task-notes li .note").allTextContents(), [
        "built 2 of 5 packages",
      ]);
      await beat(long, "built 5 of 5 packages; running tests");
      await page.waitForFunction(() =>
        (globalThis as unknown as { document: { querySelectorAll(s: string): { length: number } } })
          .document.querySelectorAll("#task-notes li").length === 2
      );
      assert.ok(await sameDocument(page), "notes arrived without a reload");
      assert.deepEqual(await page.locator("#task-notes li .note").allTextContents(), [
        "built 2 of 5 packages",
        "built 5 of 5 packages; running tests",
      ]);
      assert.notEqual(await page.getAttribute("#task-heartbeat time", "datetime"), heartbeat1);
      await shot(page, "task-heartbeat");
      // The task list shows the time since the heartbeat under the running time.
      await page.goto(`${s.url}/tasks?status=running`);
      assert.equal(
        await page.locator(`tr[data-task="${long}"] [data-beat="heartbeat"]`).count(),
        1,
      );
      await page.goto(`${s.url}/tasks/${long}`);
      await page.waitForSelector("#live.on");
      await p.ok(["complete", long, "--summary", "Deployed; 5 packages built, tests pass."]);
      await page.waitForSelector("#task-body .banner.summary");

      // --- a late report: the worker stopped heartbeating, was auto-failed, reported --
      const late = (await p.ok([
        "enqueue",
        "run-bash",
        '{"command": "make release"}',
        "--stream",
        "work",
        "--timeout",
        "1",
      ])).trim();
      await p.ok(["claim", "work"]);
      backdate(p.db, late, 3); // 1 s timeout: auto-failed after 2 s
      const refused = await p.run([
        "complete",
        late,
        "--summary",
        "Released 1.4.0 after all.",
        "--stdout",
        "tagged v1.4.0\n",
      ]);
      assert.equal(refused.code, 1, refused.stderr);
      await page.goto(`${s.url}/tasks/${late}`);
      const lateBox = (await page.textContent("#late-report")) ?? "";
      assert.match(lateBox, /arrived after the auto-fail/);
      assert.match(lateBox, /Released 1\.4\.0 after all\./);
      assert.equal(
        await page.textContent('#late-report [data-output="late stdout"] pre'),
        "tagged v1.4.0\n",
      );
      assert.match((await page.textContent("#task-body .banner.error h3")) ?? "", /Auto-failed/);
      await shot(page, "task-late-report");

      // --- lineage, both ways ----------------------------------------------------------
      const copy = JSON.parse(await p.ok(["requeue", late, "--json"])).id as string;
      await page.goto(`${s.url}/tasks/${late}`);
      assert.equal(
        await page.getAttribute('[data-lineage="to"] a', "href"),
        `/tasks/${copy}`,
      );
      await page.click('[data-lineage="to"] a');
      await page.waitForURL(`**/tasks/${copy}`);
      assert.equal(
        await page.getAttribute('[data-lineage="from"] a', "href"),
        `/tasks/${late}`,
      );
      await shot(page, "task-lineage");
      await page.click('[data-lineage="from"] a');
      await page.waitForURL(`**/tasks/${late}`);

      assert.deepEqual(
        errors.filter((e) => !/responded with a status of 422/.test(e)),
        [],
        "no console errors besides the refused enqueue",
      );
    } finally {
      await browser.close();
      if (s) {
        await s.stop();
        await s.p.cleanup();
      }
    }
  },
});
