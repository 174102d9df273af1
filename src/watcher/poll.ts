/** Timing of the watcher and `sparkq wait`. */

/** Polling interval when database writes cannot be watched (no inotify), in ms. */
export const POLL_MS = 100;
/** How often the watcher looks for the worker's done flag, in ms. */
export const FLAG_POLL_MS = 250;
/** Full re-check interval even without any write notice (a safety net), in ms. */
export const SAFETY_MS = 1000;
