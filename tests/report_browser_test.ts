/**
 * The HTML report in real headless Chromium: the file written by `sparkq report --format
 * html` opens from disk with every request intercepted (none may leave the file), shows
 * hostile task text as text (no dialog), puts the failures before the streams and draws
 * its SVG charts; the web UI's /sessions/<name>/report shows the same report under the
 * UI's Content-Security-Policy, linked from the sessions page and the dashboard.
 * Screenshots go to test-output/.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { ROOT } from "./helpers.ts";
import { HOSTILE, reviewSession } from "./review_helpers.ts";
import { startServer } from "./server_helpers.ts";
import { CHROMIUM, HAVE_CHROMIUM, launchBrowser } from "./support/browser.ts";

if (!HAVE_CHROMIUM) console.warn(`SKIPPING report browser tests: ${CHROMIUM} is missing`);

/** Runs in the page: an element's computed left border width. */
function borderLeft(el: unknown): string {
  const g = globalThis as unknown as {
    getComputedStyle(e: unknown): { borderLeftWidth: string };
  };
  return g.getComputedStyle(el).borderLeftWidth;
}

async function shot(page: Page, name: string): Promise<void> {
  let dir = `${ROOT}/test-output`;
  try {
    await Deno.mkdir(dir, { recursive: true });
  } catch {
    dir = `${Deno.env.get("TMPDIR") || "/tmp"}/sparkq-test-output`;
    await Deno.mkdir(dir, { recursive: true });
  }
  await page.screenshot({ path: `${dir}/${name}.png`, fullPage: true });
}

Deno.test({
  name: "HTML report: opens offline in Chromium with no request leaving the file; UI report page",
  ignore: !HAVE_CHROMIUM,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const s = await reviewSession();
    const browser = await launchBrowser({ viewport: { width: 1280, height: 900 } });
    const ctx = browser.ctx;
    try {
      const file = `${s.p.dir}/report.html`;
      await s.p.ok(["report", "--format", "html", "--output", file]);
      const fileUrl = `file://${file}`;
      const requests: string[] = [];
      const dialogs: string[] = [];
      await ctx.route("**/*", (route) => {
        const url = route.request().url();
        if (url === fileUrl) return route.continue();
        requests.push(url);
        return route.abort();
      });
      ctx.on("request", (r) => {
        if (r.url() !== fileUrl) requests.push(r.url());
      });
      const page = await ctx.newPage();
      page.on("dialog", (d) => {
        dialogs.push(d.message());
        d.dismiss();
      });
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(String(e)));
      await page.goto(fileUrl, { waitUntil: "load" });
      await page.waitForTimeout(300);
      assert.deepEqual(requests, [], "no request leaves the file");
      assert.deepEqual(dialogs, [], "task text never runs");
      assert.deepEqual(errors, []);
      const text = await page.innerText("body");
      assert.ok(text.includes(`tests failed: ${HOSTILE}`), "hostile text shown as text");
      for (const id of [s.ok, s.failed, s.copy, s.auto, s.queued, s.running]) {
        assert.ok(text.includes(id), `${id} shown`);
      }
      const y = async (sel: string) => (await page.locator(sel).first().boundingBox())!.y;
      assert.ok(await y("#failures") < await y("section.stream"), "failures first");
      assert.equal(await page.locator(".failure").count(), 2);
      assert.equal(await page.locator("svg.chart rect.c-ok").count() >= 1, true);
      assert.equal(await page.locator("svg.chart rect.c-fail").count() >= 1, true);
      // The CSS applied (inline): the failure cards have their red edge.
      const edge = await page.locator(".failure").first().evaluate(borderLeft);
      assert.equal(edge, "4px");
      // A requeue chain links inside the file.
      await page.click(`.failure a[href="#${s.copy}"]`);
      assert.equal(new URL(page.url()).hash, `#${s.copy}`);
      await shot(page, "report-file");
      await page.emulateMedia({ colorScheme: "dark" });
      await shot(page, "report-file-dark");
      await page.close();
      await ctx.unrouteAll();

      // The web UI's page: same report, its CSS from /assets (the CSP allows no inline style).
      const server = await startServer({ p: s.p });
      try {
        const ui = await ctx.newPage();
        const uiErrors: string[] = [];
        ui.on("console", (m) => {
          if (m.type() === "error") uiErrors.push(m.text());
        });
        await ui.goto(`${server.url}/sessions`);
        await ui.click(`tr[data-session="api"] a[href="/sessions/api/report"]`);
        await ui.waitForURL(`${server.url}/sessions/api/report`);
        const shown = await ui.innerText("main");
        assert.ok(shown.includes(`tests failed: ${HOSTILE}`));
        assert.ok(shown.includes("Failures (2)"));
        const uiEdge = await ui.locator(".failure").first().evaluate(borderLeft);
        assert.equal(uiEdge, "4px", "report CSS served as an asset");
        assert.deepEqual(uiErrors, [], "no CSP violation");
        await shot(ui, "report-ui");
        // Task IDs link to their task pages in the UI.
        await ui.click(`.failure a[href="/tasks/${s.failed}"]`);
        await ui.waitForURL(`${server.url}/tasks/${s.failed}`);
        await ui.goto(server.url);
        assert.equal(
          await ui.locator(`a[href="/sessions/api/report"]`).count(),
          1,
          "dashboard link",
        );
        const download = await fetch(`${server.url}/sessions/api/report?format=json`);
        assert.match(download.headers.get("content-disposition") ?? "", /attachment/);
        assert.equal((await download.json()).counts.total, 6);
        const missing = await fetch(`${server.url}/sessions/nope/report`);
        assert.equal(missing.status, 404);
        await missing.body?.cancel();
      } finally {
        await server.stop();
      }
    } finally {
      await browser.close();
      await s.p.cleanup();
    }
  },
});
