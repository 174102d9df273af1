/**
 * WORKER_PLAYBOOK.md, served as the resource `sparkq://playbook`. Imported as text, so
 * the bundle carries it (a cold module must not read files next to itself).
 */
import text from "../../WORKER_PLAYBOOK.md" with { type: "text" };

/** The worker playbook's Markdown. */
export const PLAYBOOK: string = text;
