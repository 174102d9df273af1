/** The UI's static assets (embedded strings) and their cache-busting URLs. */
import { CLIENT_JS } from "./client.ts";
import { STYLES } from "./styles.ts";

/** The favicon. */
export const ICON_SVG =
  `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="8" fill="#5b4ee6"/><path d="M18.5 4 9 18h6l-1.5 10L23 14h-6z" fill="#fff"/></svg>`;

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
};

/** The body and content type served at each asset path. */
export const ASSETS: Record<string, { body: string; type: string }> = {
  [ASSET_PATHS.css]: { body: STYLES, type: "text/css; charset=utf-8" },
  [ASSET_PATHS.js]: { body: CLIENT_JS, type: "text/javascript; charset=utf-8" },
  [ASSET_PATHS.icon]: { body: ICON_SVG, type: "image/svg+xml" },
};
