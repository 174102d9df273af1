/**
 * Headless Chromium for the browser tests, launched one way: Debian's /usr/bin/chromium
 * driven by playwright-core, in a throw-away profile, with networking extras off.
 *
 * Needs, beyond the usual test flags: read and run of /usr/bin/chromium,
 * --allow-sys=homedir,osRelease and --ignore-read=/proc/sys/fs/binfmt_misc/WSLInterop
 * (Playwright's platform probes).
 */
import { type BrowserContext, chromium } from "playwright-core";

/** The Chromium the browser tests drive. */
export const CHROMIUM = "/usr/bin/chromium";

/** Whether {@link CHROMIUM} is installed (browser tests are skipped without it). */
export const HAVE_CHROMIUM: boolean = (() => {
  try {
    return Deno.statSync(CHROMIUM).isFile;
  } catch {
    return false;
  }
})();

/** A launched browser: its context, and `close` (which also removes the profile). */
export interface LaunchedBrowser {
  ctx: BrowserContext;
  close(): Promise<void>;
}

/**
 * Launches headless Chromium with a fresh temporary profile and a window of
 * `viewport` (default 1360 x 900).
 */
export async function launchBrowser(
  opts: { viewport?: { width: number; height: number } } = {},
): Promise<LaunchedBrowser> {
  const profile = await Deno.makeTempDir({ prefix: "sparkq-chromium-" });
  let ctx: BrowserContext;
  try {
    ctx = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: opts.viewport ?? { width: 1360, height: 900 },
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    });
  } catch (e) {
    await Deno.remove(profile, { recursive: true }).catch(() => {});
    throw e;
  }
  return {
    ctx,
    close: async () => {
      await ctx.close();
      await Deno.remove(profile, { recursive: true }).catch(() => {});
    },
  };
}
