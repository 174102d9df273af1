/**
 * The one reading of a task-listing request (CLI `tasks`, `GET /api/tasks`, the UI's
 * task list): defaults, the maximum, one set of stale values, refusals that name the
 * field the caller's way and the bad value; and the limit as `listTasks` applies it.
 */
import assert from "node:assert/strict";
import { TASK_LIST_DEFAULT, TASK_LIST_MAX } from "../../src/core/constants.ts";
import { isSparkqError } from "../../src/core/errors.ts";
import { enqueue, listTasks } from "../../src/engine/queue.ts";
import { parseTaskQuery, type RawTaskQuery } from "../../src/engine/task_query.ts";
import { testEngine } from "./support.ts";

const cli = (f: string) => `--${f}`;

function refused(raw: RawTaskQuery, name?: (f: string) => string): string {
  try {
    parseTaskQuery(raw, name);
  } catch (e) {
    assert.ok(isSparkqError(e));
    assert.equal(e.code, "usage");
    assert.equal(e.exitCode, 2);
    assert.equal(e.status, 400);
    return e.message;
  }
  assert.fail(`accepted ${JSON.stringify(raw)}`);
}

Deno.test("task query: defaults", () => {
  assert.equal(TASK_LIST_DEFAULT, 50);
  assert.equal(TASK_LIST_MAX, 1000);
  assert.deepEqual(parseTaskQuery({}), {
    status: undefined,
    stream: undefined,
    stale: false,
    limit: TASK_LIST_DEFAULT,
  });
  // Empty values (an untouched form field, `?limit=`) count as absent.
  assert.deepEqual(parseTaskQuery({ status: "", stream: "", stale: "", limit: "" }), {
    status: undefined,
    stream: undefined,
    stale: false,
    limit: TASK_LIST_DEFAULT,
  });
});

Deno.test("task query: values from text and from typed CLI flags read the same", () => {
  assert.deepEqual(
    parseTaskQuery({ status: "running", stream: "auth", stale: "1", limit: "7" }),
    { status: "running", stream: "auth", stale: true, limit: 7 },
  );
  assert.deepEqual(
    parseTaskQuery({ status: "running", stream: "auth", stale: true, limit: 7 }, cli),
    { status: "running", stream: "auth", stale: true, limit: 7 },
  );
  for (const yes of ["1", "true", "on", "yes", "TRUE", true]) {
    assert.equal(parseTaskQuery({ stale: yes }).stale, true, String(yes));
  }
  for (const no of ["0", "false", "off", "no", false, undefined, null]) {
    assert.equal(parseTaskQuery({ stale: no }).stale, false, String(no));
  }
  assert.equal(parseTaskQuery({ limit: "1" }).limit, 1);
  assert.equal(parseTaskQuery({ limit: String(TASK_LIST_MAX) }).limit, TASK_LIST_MAX);
  assert.equal(parseTaskQuery({ limit: TASK_LIST_MAX }, cli).limit, TASK_LIST_MAX);
});

Deno.test("task query: refusals name the field (the caller's way) and the value", () => {
  assert.equal(
    refused({ status: "done" }, cli),
    "--status must be one of queued, running, succeeded, failed (got 'done')",
  );
  assert.equal(
    refused({ status: "done" }),
    "'status' must be one of queued, running, succeeded, failed (got 'done')",
  );
  assert.equal(
    refused({ limit: "0" }),
    `'limit' must be a whole number from 1 to ${TASK_LIST_MAX} (got '0')`,
  );
  assert.equal(
    refused({ limit: TASK_LIST_MAX + 1 }, cli),
    `--limit must be a whole number from 1 to ${TASK_LIST_MAX} (got '${TASK_LIST_MAX + 1}')`,
  );
  for (const bad of ["abc", "-3", "2.5", "1e3", " "]) {
    assert.match(refused({ limit: bad }), /'limit'/);
  }
  assert.equal(
    refused({ stale: "maybe" }),
    "'stale' must be one of 1, true, on, yes or 0, false, off, no (got 'maybe')",
  );
});

Deno.test("task query: listTasks shows the default number of tasks, newest first", async () => {
  const e = testEngine();
  try {
    const ids: string[] = [];
    for (let i = 0; i < TASK_LIST_DEFAULT + 5; i++) {
      e.at(i);
      ids.push((await enqueue(e, { stream: "main", tool: "run-bash", payload: { i } })).id);
    }
    const listed = listTasks(e, parseTaskQuery({})).map((t) => t.id);
    assert.equal(listed.length, TASK_LIST_DEFAULT);
    assert.deepEqual(listed, ids.slice(-TASK_LIST_DEFAULT).reverse());
    assert.equal(listTasks(e).length, TASK_LIST_DEFAULT, "the engine's own default is the same");
    assert.equal(listTasks(e, parseTaskQuery({ limit: "3" })).length, 3);
  } finally {
    e.close();
  }
});
