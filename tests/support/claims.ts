/**
 * What the concurrency tests check of many claimers sharing one stream: every task
 * claimed exactly once, none lost, each claimer's claims in FIFO order, no claimer failed.
 * Used by tests/queue_concurrency_test.ts (one folder) and tests/pg_two_folders_test.ts
 * (two folders on one PostgreSQL database).
 */
import assert from "node:assert/strict";

/** What one claimer took, in the order it took them, and how it ended. */
export interface Claims {
  who: string;
  ids: string[];
  failure?: string;
}

/**
 * Asserts that `claims` took every ID of `all` (the stream's tasks in FIFO order) exactly
 * once, nothing else, each claimer in FIFO order, and that no claimer failed.
 */
export function assertExactlyOnce(all: string[], claims: Claims[]): void {
  for (const c of claims) assert.equal(c.failure, undefined, `${c.who} failed: ${c.failure}`);
  const seen = new Map<string, string>();
  for (const c of claims) {
    for (const id of c.ids) {
      assert.ok(!seen.has(id), `${id} claimed twice: by ${seen.get(id)} and ${c.who}`);
      seen.set(id, c.who);
    }
  }
  const lost = all.filter((id) => !seen.has(id));
  assert.deepEqual(lost, [], `${lost.length} tasks never claimed`);
  assert.equal(seen.size, all.length, "every claimed ID is a task of the stream");
  const order = new Map(all.map((id, i) => [id, i]));
  for (const c of claims) {
    for (let i = 1; i < c.ids.length; i++) {
      assert.ok(
        order.get(c.ids[i])! > order.get(c.ids[i - 1])!,
        `${c.who} claimed out of FIFO order`,
      );
    }
  }
}
