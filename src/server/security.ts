/**
 * The localhost guard (SPEC §8, STACK.md "Localhost server security"):
 * - every request: `Host` must be 127.0.0.1:<port>, localhost:<port> or [::1]:<port]
 *   (DNS rebinding), else 403;
 * - every mutation (any method but GET and HEAD): `Origin` absent or one of those
 *   origins, `Sec-Fetch-Site` absent, `same-origin` or `none`, else 403 (CSRF); and
 *   `Content-Type: application/json`, else 415 (a cross-site form cannot send it
 *   without a CORS preflight, which this server never grants).
 * No CORS headers are ever sent. Header values are only compared, never parsed, so a
 * malformed one is a refusal, not a crash.
 */

/** A refusal: HTTP status, message and stable code (the API's error body). */
export interface Refusal {
  status: 403 | 415;
  error: string;
  code: "permission" | "invalid";
}

/** The Host values this server answers to. */
export function allowedHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`];
}

/** Checks a request against the guard; undefined when it may proceed. */
export function checkRequest(req: Request, port: number): Refusal | undefined {
  const hosts = allowedHosts(port);
  const host = (req.headers.get("host") ?? "").toLowerCase();
  if (!hosts.includes(host)) {
    return {
      status: 403,
      code: "permission",
      error: `forbidden: Host '${clip(host)}' is not this server (use http://127.0.0.1:${port}/)`,
    };
  }
  if (req.method === "GET" || req.method === "HEAD") return undefined;
  const origin = req.headers.get("origin");
  if (origin !== null && !hosts.some((h) => origin.toLowerCase() === `http://${h}`)) {
    return {
      status: 403,
      code: "permission",
      error: `forbidden: cross-origin request from '${clip(origin)}'`,
    };
  }
  const site = req.headers.get("sec-fetch-site");
  if (site !== null && site !== "same-origin" && site !== "none") {
    return {
      status: 403,
      code: "permission",
      error: `forbidden: Sec-Fetch-Site '${clip(site)}' is not same-origin`,
    };
  }
  const type = (req.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
  if (type !== "application/json") {
    return {
      status: 415,
      code: "invalid",
      error: `Content-Type must be application/json (got '${clip(type || "none")}')`,
    };
  }
  return undefined;
}

/** Headers every answer carries: no sniffing, no framing, no referrer, scripts only from here. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "cross-origin-resource-policy": "same-origin",
  "cross-origin-opener-policy": "same-origin",
  "content-security-policy": "default-src 'none'; script-src 'self'; style-src 'self'; " +
    "img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; " +
    "base-uri 'none'",
};

function clip(s: string): string {
  return s.length > 80 ? s.slice(0, 77) + "..." : s;
}
