/**
 * One page of the task list (SPEC §12.3): the tasks of a listing request and the cursors
 * of the pages beside it. Pages are keyset ranges (newest first), so a page stays the same
 * when tasks are added in front of it, and the 1,000th page costs what the first does.
 */
import type { TaskListItem } from "../core/schemas.ts";
import type { EngineContext } from "./context.ts";
import { listTaskEntries, type ListView } from "./queue.ts";
import { formatCursor, type ParsedTaskQuery } from "./task_query.ts";

/** A page of tasks and the cursors of its neighbours (absent at either end). */
export interface TaskPage {
  tasks: TaskListItem[];
  /** `before` of the next (older) page. */
  next?: string;
  /** `after` of the previous (newer) page. */
  prev?: string;
}

/**
 * The page a listing request asks for. The page is read with one row more than it
 * shows (is there a page past it in the direction read?) and one probe of a single row
 * the other way, each an index range.
 */
export function pageTasks(
  ctx: EngineContext,
  q: ParsedTaskQuery,
  view: ListView = {},
): TaskPage {
  const rows = listTaskEntries(ctx, { ...q, limit: q.limit + 1 }, view);
  const newerFirst = q.after === undefined;
  const more = rows.length > q.limit;
  const shown = more ? (newerFirst ? rows.slice(0, q.limit) : rows.slice(1)) : rows;
  const page: TaskPage = { tasks: shown.map((r) => r.task) };
  if (shown.length === 0) {
    // Past either end: offer the way back to the listing's other side, if anything is there.
    const back = q.before ? { after: q.before } : q.after ? { before: q.after } : undefined;
    if (
      back &&
      listTaskEntries(ctx, { ...q, before: undefined, after: undefined, ...back, limit: 1 }).length
    ) {
      if (q.before) page.prev = formatCursor(q.before);
      else if (q.after) page.next = formatCursor(q.after);
    }
    return page;
  }
  const first = shown[0].cursor;
  const last = shown[shown.length - 1].cursor;
  const probe = (side: "before" | "after", c: typeof first) =>
    listTaskEntries(ctx, { ...q, before: undefined, after: undefined, [side]: c, limit: 1 })
      .length > 0;
  if (newerFirst) {
    if (more) page.next = formatCursor(last);
    if (q.before && probe("after", first)) page.prev = formatCursor(first);
  } else {
    if (more) page.prev = formatCursor(first);
    if (probe("before", last)) page.next = formatCursor(last);
  }
  return page;
}
