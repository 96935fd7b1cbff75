/**
 * The queue's group commit, over a database whose writes finish when the test says: deliveries
 * arriving together share one write, each caller is answered only once its own write is durable,
 * a failed write answers all of its callers with the error (and no one else), and PostgreSQL takes
 * the next write while one is in flight whereas the embedded database (one statement at a time)
 * gathers the next batch meanwhile. The SQL itself is exercised on both databases in
 * test/store/queue.test.ts and test/integration/ingress.test.ts.
 */
import { describe, expect, it } from "vitest";
import type { Database } from "../../src/store/database.js";
import { JobQueue } from "../../src/store/jobs.js";

const T0 = new Date("2026-11-23T15:00:00Z");

interface PendingWrite {
  /** The delivery ids of the write, in order. */
  readonly ids: readonly string[];
  /** Makes the write durable: the ids not stored before come back as inserted. */
  commit(): void;
  fail(error: Error): void;
}

/** A database whose delivery inserts wait for the test to commit or fail them. */
function heldDatabase(kind: Database["kind"]): Database & { writes: PendingWrite[] } {
  const stored = new Set<string>();
  const writes: PendingWrite[] = [];
  const db = {
    kind,
    writes,
    query: <Row>(sql: string, params: readonly unknown[] = []): Promise<Row[]> => {
      if (!sql.trimStart().startsWith("INSERT INTO jobs")) return Promise.reject(new Error(`unexpected statement: ${sql}`));
      // Parameters: kind, attempts, then id, name, body, time per delivery.
      const ids = params.slice(2).filter((_, i) => i % 4 === 0) as string[];
      return new Promise<Row[]>((resolve, reject) => {
        writes.push({
          ids,
          commit: () => resolve(ids.filter((id) => !stored.has(id) && stored.add(id)).map((key) => ({ key }) as Row)),
          fail: reject,
        });
      });
    },
    transaction: () => Promise.reject(new Error("not used")),
    withLock: () => Promise.reject(new Error("not used")),
    reclaimSpace: () => Promise.reject(new Error("not used")),
    close: async () => undefined,
  };
  return db;
}

/** Lets the queue's immediates and promise callbacks run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i += 1) await new Promise((resolve) => setImmediate(resolve));
}

/** Enqueues deliveries and records which callers were answered, and how. */
function enqueue(queue: JobQueue, ids: readonly string[], answers: Map<string, string>): void {
  ids.forEach((id, i) => {
    void queue.enqueueDelivery({ id, name: "pull_request", body: `{"n":${i}}` }, T0).then(
      (stored) => answers.set(`${id}#${i}`, stored ? "stored" : "duplicate"),
      (error: Error) => answers.set(`${id}#${i}`, `error: ${error.message}`),
    );
  });
}

describe("the queue's group commit", () => {
  it("writes deliveries arriving together once, and answers each caller only when that write is durable", async () => {
    const db = heldDatabase("postgres");
    const answers = new Map<string, string>();
    enqueue(new JobQueue(db), ["a", "b", "a", "c"], answers);
    await settle();
    expect(db.writes.map((write) => write.ids)).toStrictEqual([["a", "b", "c"]]);
    expect(answers.size).toBe(0);

    db.writes[0]?.commit();
    await settle();
    expect(Object.fromEntries(answers)).toStrictEqual({ "a#0": "stored", "b#1": "stored", "a#2": "duplicate", "c#3": "stored" });
  });

  it("on PostgreSQL writes the next batch while one is in flight; a failed write answers only its own callers, with the error", async () => {
    const db = heldDatabase("postgres");
    const queue = new JobQueue(db);
    const first = new Map<string, string>();
    const second = new Map<string, string>();
    enqueue(queue, ["a", "b"], first);
    await settle();
    enqueue(queue, ["c", "d"], second);
    await settle();
    expect(db.writes.map((write) => write.ids)).toStrictEqual([["a", "b"], ["c", "d"]]);

    db.writes[1]?.commit();
    await settle();
    expect(Object.fromEntries(second)).toStrictEqual({ "c#0": "stored", "d#1": "stored" });
    expect(first.size).toBe(0);

    db.writes[0]?.fail(new Error("the disk is full"));
    await settle();
    expect(Object.fromEntries(first)).toStrictEqual({ "a#0": "error: the disk is full", "b#1": "error: the disk is full" });
  });

  it("on the embedded database gathers the deliveries arriving during a write into the next one", async () => {
    const db = heldDatabase("pglite");
    const queue = new JobQueue(db);
    const answers = new Map<string, string>();
    enqueue(queue, ["a"], answers);
    await settle();
    enqueue(queue, ["b", "c"], answers);
    await settle();
    enqueue(queue, ["d"], answers);
    await settle();
    expect(db.writes.map((write) => write.ids)).toStrictEqual([["a"]]);

    db.writes[0]?.commit();
    await settle();
    expect(db.writes.map((write) => write.ids)).toStrictEqual([["a"], ["b", "c", "d"]]);
    expect([...answers.keys()]).toStrictEqual(["a#0"]);

    db.writes[1]?.commit();
    await settle();
    expect(answers.size).toBe(4);
  });
});
