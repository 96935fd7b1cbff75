/**
 * The durable queue on PGlite and, when DATABASE_URL is set, on PostgreSQL: deliveries stored
 * once per id, leases that survive a dead worker, retries with backoff, timed jobs on a fake
 * clock, and two claimers that never take the same job.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { KeyedLock } from "../../src/handlers/keyed-lock.js";
import type { Database } from "../../src/store/database.js";
import { DELIVERY_ATTEMPTS, JobQueue } from "../../src/store/jobs.js";
import { migrate } from "../../src/store/migrations.js";
import { BACKENDS, FakeClock, HOOK_TIMEOUT_MS, resetTables } from "../helpers/databases.js";

const T0 = new Date("2026-11-23T15:00:00Z");
const LEASE = 60_000;

describe.each(BACKENDS)("the queue on $name", (backend) => {
  let db: Database;
  let queue: JobQueue;
  let clock: FakeClock;

  beforeAll(async () => {
    db = await backend.open();
    queue = new JobQueue(db);
  }, HOOK_TIMEOUT_MS);
  afterAll(() => backend.dispose(db), HOOK_TIMEOUT_MS);
  beforeEach(async () => {
    await resetTables(db);
    clock = new FakeClock(T0);
  });

  const delivery = (id: string) => ({ id, name: "pull_request", payload: { action: "opened", number: 1 } });

  it("stores a delivery once, however often and however concurrently it arrives", async () => {
    const first = await queue.enqueueDelivery(delivery("d-1"), clock.now());
    const again = await Promise.all([1, 2, 3].map(() => queue.enqueueDelivery(delivery("d-1"), clock.now())));
    expect([first, ...again]).toStrictEqual([true, false, false, false]);
    expect((await queue.stats(clock.now())).pending).toBe(1);
    expect(await queue.hasDelivery("d-1")).toBe(true);
  });

  it("applies migrations once", async () => {
    expect(await migrate(db)).toStrictEqual([]);
  });

  it("hands a job to one worker, and to another once the first one's lease ran out", async () => {
    await queue.enqueueDelivery(delivery("d-2"), clock.now());
    const [claimed] = await queue.claim("worker-a", 10, clock.now(), LEASE);
    expect(claimed).toMatchObject({ key: "d-2", attempts: 1, payload: { name: "pull_request" } });
    expect(await queue.claim("worker-b", 10, clock.now(), LEASE)).toStrictEqual([]);

    clock.advance(LEASE + 1);
    const [reclaimed] = await queue.claim("worker-b", 10, clock.now(), LEASE);
    expect(reclaimed).toMatchObject({ key: "d-2", attempts: 2 });
    expect(claimed && (await queue.complete(claimed, "worker-a", clock.now()))).toBe(false);
    expect(reclaimed && (await queue.complete(reclaimed, "worker-b", clock.now()))).toBe(true);
    expect((await queue.stats(clock.now())).done).toBe(1);
  });

  it("retries a failed job at the time given, and marks it failed after its last attempt", async () => {
    await queue.enqueueDelivery(delivery("d-3"), clock.now());
    for (let attempt = 1; attempt <= DELIVERY_ATTEMPTS; attempt += 1) {
      const [job] = await queue.claim("w", 10, clock.now(), LEASE);
      expect(job?.attempts).toBe(attempt);
      const outcome = job && (await queue.fail(job, "w", `HTTP 502 (attempt ${attempt})`, new Date(clock.now().getTime() + 5_000), clock.now()));
      expect(outcome).toBe(attempt < DELIVERY_ATTEMPTS ? "pending" : "failed");
      expect(await queue.claim("w", 10, clock.now(), LEASE)).toStrictEqual([]);
      clock.advance(5_000);
    }
    const job = await queue.findDelivery("d-3");
    expect(job).toMatchObject({ status: "failed", lastError: `HTTP 502 (attempt ${DELIVERY_ATTEMPTS})` });
    expect((await queue.stats(clock.now())).failed).toBe(1);
  });

  it("runs a timed job only once the clock reaches it, and schedules a key once", async () => {
    const runAt = new Date(T0.getTime() + 2 * 60 * 60_000);
    expect(await queue.schedule("recheck", "recheck:acme/payments#42@abc", { number: 42 }, runAt, clock.now())).toBe(true);
    expect(await queue.schedule("recheck", "recheck:acme/payments#42@abc", { number: 42 }, T0, clock.now())).toBe(false);
    expect(await queue.claim("w", 10, clock.now(), LEASE)).toStrictEqual([]);
    clock.advance(2 * 60 * 60_000 - 1);
    expect(await queue.claim("w", 10, clock.now(), LEASE)).toStrictEqual([]);
    clock.advance(1);
    expect(await queue.claim("w", 10, clock.now(), LEASE)).toMatchObject([{ kind: "recheck", payload: { number: 42 } }]);
  });

  it("never gives one job to two claimers racing for the same batch", async () => {
    await Promise.all(Array.from({ length: 40 }, (_, i) => queue.enqueueDelivery(delivery(`race-${i}`), clock.now())));
    const batches = await Promise.all(["a", "b", "c", "d"].map((worker) => queue.claim(worker, 15, clock.now(), LEASE)));
    const keys = batches.flat().map((job) => job.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.length).toBe(40);
  });

  it.runIf(backend.name === "PostgreSQL")("serialises work on one key across replicas with an advisory lock", async () => {
    const replicas = [new KeyedLock((key, work) => db.withLock(key, work)), new KeyedLock((key, work) => db.withLock(key, work))];
    const timeline: string[] = [];
    const evaluate = (replica: number) => async () => {
      timeline.push(`start ${replica}`);
      await new Promise((resolve) => setTimeout(resolve, 30));
      timeline.push(`end ${replica}`);
    };
    await Promise.all([replicas[0]?.run("acme/payments#42", evaluate(0)), replicas[1]?.run("acme/payments#42", evaluate(1))]);
    expect(timeline[0]?.startsWith("start") && timeline[1]?.startsWith("end")).toBe(true);
    expect(timeline[2]?.startsWith("start") && timeline[3]?.startsWith("end")).toBe(true);
  });

  it("reports depth and lag, and prunes finished jobs past their retention", async () => {
    await queue.enqueueDelivery(delivery("old"), clock.now());
    await queue.enqueueDelivery(delivery("waiting"), clock.now());
    const [old] = await queue.claim("w", 1, clock.now(), LEASE);
    if (old) await queue.complete(old, "w", clock.now());
    clock.advance(30_000);
    expect(await queue.stats(clock.now())).toMatchObject({ pending: 1, done: 1, lagSeconds: 30 });
    expect(await queue.prune(new Date(clock.now().getTime() - 60_000))).toBe(0);
    expect(await queue.prune(clock.now())).toBe(1);
  });

  it("keeps keys apart per kind: a delivery id never passes for a timed job's key, also for rows stored before the migration", async () => {
    // Back to an empty database, whatever later migrations created, to store rows under version 1.
    await db.query("DROP SCHEMA public CASCADE");
    await db.query("CREATE SCHEMA public");
    try {
      expect(await migrate(db, 1)).toStrictEqual([1]);
      const insert = "INSERT INTO jobs (kind, key, payload, max_attempts, run_at, created_at) VALUES ($1, $2, '{}', 5, $3, $3)";
      await db.query(insert, ["delivery", "d-before", clock.now()]);
      await db.query(insert, ["prune", "prune@7", clock.now()]);
    } finally {
      expect((await migrate(db))[0]).toBe(2);
    }

    expect(await queue.enqueueDelivery(delivery("prune@7"), clock.now())).toBe(true);
    expect(await queue.enqueueDelivery(delivery("d-before"), clock.now())).toBe(false);
    expect(await queue.schedule("prune", "prune@7", {}, clock.now(), clock.now())).toBe(false);
    expect(await queue.schedule("recheck", "d-before", {}, clock.now(), clock.now())).toBe(true);
    await expect(queue.schedule("delivery", "d-new", {}, clock.now(), clock.now())).rejects.toThrow("enqueueDelivery");
    expect((await queue.stats(clock.now())).pending).toBe(4);
  });

  it("renews the holder's leases only, and a released job keeps its attempts", async () => {
    await queue.enqueueDelivery(delivery("held"), clock.now());
    const [job] = await queue.claim("a", 1, clock.now(), LEASE);
    if (!job) throw new Error("nothing claimed");
    expect(await queue.renew("b", [job.id], new Date(clock.now().getTime() + LEASE))).toStrictEqual([]);
    clock.advance(LEASE - 1);
    expect(await queue.renew("a", [job.id], new Date(clock.now().getTime() + LEASE))).toStrictEqual([job.id]);
    clock.advance(LEASE - 1);
    expect(await queue.claim("b", 1, clock.now(), LEASE)).toStrictEqual([]);

    expect(await queue.release(job, "b", clock.now())).toBe(false);
    expect(await queue.release(job, "a", clock.now(), "rate limited")).toBe(true);
    expect(await queue.findDelivery("held")).toMatchObject({ status: "pending", attempts: 0, lastError: "rate limited" });
    expect(await queue.claim("b", 1, clock.now(), LEASE)).toMatchObject([{ key: "held", attempts: 1 }]);
  });

  it("revives failed jobs a bounded number of times, never a poisoned one nor an excepted kind", async () => {
    await queue.schedule("recheck", "flaky", {}, clock.now(), clock.now(), 1);
    await queue.schedule("recheck", "poison", {}, clock.now(), clock.now(), 1);
    await queue.schedule("recovery", "recovery@1", {}, clock.now(), clock.now(), 1);
    const failAll = async () => {
      for (const job of await queue.claim("w", 10, clock.now(), LEASE)) {
        await queue.fail(job, "w", "broken", clock.now(), clock.now(), job.key === "poison");
      }
    };
    await failAll();
    for (let revival = 1; revival <= 3; revival += 1) {
      expect((await queue.revive(clock.now(), 2, ["recovery"])).map((job) => job.key)).toStrictEqual(revival <= 2 ? ["flaky"] : []);
      await failAll();
    }
    expect(await queue.find("recheck", "flaky")).toMatchObject({ status: "failed", revivals: 2 });
    expect(await queue.find("recheck", "poison")).toMatchObject({ status: "failed", revivals: 0, attempts: 1 });
    expect(await queue.find("recovery", "recovery@1")).toMatchObject({ status: "failed", revivals: 0 });
  });

  it("starts a maintenance pass once among racers, and again only for a request after it", async () => {
    const since = new Date(clock.now().getTime() - 60_000);
    const won = await Promise.all(["start:a", "start:b", "start:c"].map((holder) => queue.startPass("recovery", holder, clock.now(), since)));
    expect(won.filter(Boolean)).toHaveLength(1);
    const winner = ["start:a", "start:b", "start:c"][won.indexOf(true)] ?? "";
    expect(await queue.startPass("recovery", winner, clock.now(), since)).toBe(true);
    clock.advance(30_000);
    expect(await queue.startPass("recovery", "start:d", clock.now(), new Date(clock.now().getTime() - 60_000))).toBe(false);
    clock.advance(10 * 60_000);
    expect(await queue.startPass("recovery", "start:e", clock.now(), new Date(clock.now().getTime() - 60_000))).toBe(true);
  });
});
