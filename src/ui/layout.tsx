/** The page shell: head, top bar with navigation and the live indicator, footer. */
import type { Child } from "hono/jsx";
import { VERSION } from "../core/version.ts";
import { ASSET_PATHS } from "./assets/mod.ts";

/** Which navigation entry a page belongs to. */
export type NavKey = "dashboard" | "tasks" | "enqueue" | "streams" | "sessions" | "none";

const NAV: [NavKey, string, string][] = [
  ["dashboard", "/", "Dashboard"],
  ["tasks", "/tasks", "Tasks"],
  ["enqueue", "/enqueue", "Enqueue"],
  ["streams", "/streams", "Streams"],
  ["sessions", "/sessions", "Sessions"],
];

/** The SparkQ mark: a spark in a rounded square. */
export function Logo() {
  return (
    <svg viewBox="0 0 32 32" aria-hidden="true">
      <rect width="32" height="32" rx="8" fill="#5b4ee6" />
      <path d="M18.5 4 9 18h6l-1.5 10L23 14h-6z" fill="#fff" />
    </svg>
  );
}

/** A whole page. */
export function Layout(
  props: { title: string; nav: NavKey; project: string; head?: Child; children: Child },
) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <title>{`${props.title} · SparkQ`}</title>
        <link rel="icon" href={ASSET_PATHS.icon} type="image/svg+xml" />
        <link rel="stylesheet" href={ASSET_PATHS.css} />
        <script src={ASSET_PATHS.js} defer></script>
        {props.head}
      </head>
      <body>
        <header class="topbar">
          <a class="brand" href="/">
            <Logo />
            SparkQ
          </a>
          <span class="project" title="project">{props.project}</span>
          <nav class="nav">
            {NAV.map(([key, path, label]) => (
              <a href={path} class={key === props.nav ? "on" : undefined}>{label}</a>
            ))}
          </nav>
          <span class="spacer"></span>
          <span class="live" id="live" title="live updates">
            <i></i>
            <span>connecting</span>
          </span>
        </header>
        <main class="page">{props.children}</main>
        <footer class="foot">SparkQ {VERSION} · queue work, walk away, review results later</footer>
        <div id="toasts" aria-live="polite"></div>
      </body>
    </html>
  );
}
