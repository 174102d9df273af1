/** How often the watcher and `sparkq wait` look for work, in ms. */
export const POLL_MS = 100;
