/**
 * Visible escapes for text that must not drive a terminal (SPEC §12.4): control
 * characters from task or user text (ESC and every other C0 control except newline
 * and tab, DEL, C1 controls) and Unicode bidi overrides, embeddings, isolates and
 * marks. Human-readable output passes everything through `escapeControls`; `--json`
 * output never does.
 */

// deno-lint-ignore no-control-regex
const UNSAFE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
// deno-lint-ignore no-control-regex
const ANY_UNSAFE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/**
 * Replaces each unsafe character by a visible escape: a carriage return by `\r`,
 * other C0 controls by `\xNN` (ESC is `\x1b`), DEL, C1 controls and bidi controls
 * by `\uNNNN` (U+202E is `\u202e`). Newline and tab stay. Text without such
 * characters is returned as is.
 */
export function escapeControls(text: string): string {
  return ANY_UNSAFE.test(text) ? text.replace(UNSAFE, visible) : text;
}

function visible(ch: string): string {
  const code = ch.charCodeAt(0);
  if (code === 0x0d) return "\\r";
  const hex = code.toString(16).padStart(code < 0x20 ? 2 : 4, "0");
  return code < 0x20 ? `\\x${hex}` : `\\u${hex}`;
}
