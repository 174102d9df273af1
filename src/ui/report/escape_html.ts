/** HTML escaping for the report's string renderers (no JSX here: the CLI loads them). */
import { escapeControls } from "../../core/escape.ts";

const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/**
 * Text made safe for HTML content and quoted attributes: `& < > " '` as entities, and
 * control characters and bidi overrides as visible escapes (SPEC §12.4).
 */
export function escapeHtml(text: string): string {
  return escapeControls(text).replace(/[&<>"']/g, (ch) => ENTITIES[ch]);
}
