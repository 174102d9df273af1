/**
 * The UI's static assets and their cache-busting URLs. The stylesheet and the script are
 * real files next to this one (`deno fmt`, `lint` and `check` see them), imported as text:
 * under `deno run main.ts` Deno reads them, and `deno bundle` puts their text into the
 * bundle, so the program needs no files at runtime.
 */
import { duration } from "../../core/format.ts";
import STYLES from "./styles.css" with { type: "text" };
import CLIENT_SOURCE from "./client.js" with { type: "text" };
import { REPORT_CSS } from "../report/html.ts";

/** The favicon. */
export const ICON_SVG =
  `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="8" fill="#5b4ee6"/><path d="M18.5 4 9 18h6l-1.5 10L23 14h-6z" fill="#fff"/></svg>`;

/**
 * The served script: client.js, then the call that starts it with the one duration
 * formatter of src/core/format.ts (its source text; Deno and the bundler hand V8 plain
 * JavaScript, and the function uses nothing outside itself).
 */
export const CLIENT_JS = `${CLIENT_SOURCE}\nsparkqClient(${duration.toString()});\n`;

function hash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(36);
}

/** Asset URLs; the content hash in them lets browsers cache them for good. */
export const ASSET_PATHS = {
  css: `/assets/app.${hash(STYLES)}.css`,
  js: `/assets/app.${hash(CLIENT_JS)}.js`,
  icon: `/assets/icon.${hash(ICON_SVG)}.svg`,
  /** The report page's stylesheet (the same CSS the HTML file carries inline). */
  reportCss: `/assets/report.${hash(REPORT_CSS)}.css`,
};

/** The body and content type served at each asset path. */
export const ASSETS: Record<string, { body: string; type: string }> = {
  [ASSET_PATHS.css]: { body: STYLES, type: "text/css; charset=utf-8" },
  [ASSET_PATHS.js]: { body: CLIENT_JS, type: "text/javascript; charset=utf-8" },
  [ASSET_PATHS.icon]: { body: ICON_SVG, type: "image/svg+xml" },
  [ASSET_PATHS.reportCss]: { body: REPORT_CSS, type: "text/css; charset=utf-8" },
};
