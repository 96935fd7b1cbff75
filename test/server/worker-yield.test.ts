/**
 * The worker shares its thread with the ingress: it runs as many jobs as its concurrency allows,
 * never more, and while deliveries are arriving it yields, running one job at a time and
 * starting at most one a second, then fills every slot once the burst is over. On a fake clock,
 * over a queue held in memory, so what is measured is which jobs run when, not how fast.
 */
import pino from "pino";
import type { Probot } from "probot";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { IngressActivity } from "../../src/server/durable-app.js";
import { Metrics } from "../../src/server/metrics.js";
import { BUSY_GAP_MS, DEFAULT_CONCURRENCY, Worker } from "../../src/server/worker.js";
import type { Job, JobQueue } from "../../src/store/jobs.js";

const KIND = "recheck";

/** A queue of `count` due jobs that hands each out once and records which ones finished. */
function memoryQueue(count: number): { queue: JobQueue; done: string[] } {
  const due: Job[] = Array.from({ length: count }, (_, i) => ({
    id: i + 1,
    kind: KIND,
    key: `job-${i + 1}`,
    payload: {},
    status: "pending",
    attempts: 1,
    maxAttempts: 5,
    runAt: new Date(0),
    lastError: null,
    revivals: 0,
  }));
  const done: string[] = [];
  const queue = {
    claim: async (_worker: string, limit: number) => due.splice(0, limit),
    complete: async (job: Job) => (done.push(job.key), true),
    renew: async (_worker: string, ids: readonly number[]) => [...ids],
  } as unknown as JobQueue;
  return { queue, done };
}

/** Jobs that run until the test finishes them. */
class HeldJobs {
  readonly running: string[] = [];
  private readonly finishers = new Map<string, () => void>();

  readonly handler = (_payload: unknown, job: Job) =>
    new Promise<void>((resolve) => {
      this.running.push(job.key);
      this.finishers.set(job.key, resolve);
    });

  /** Finishes the jobs running now. */
  finishAll(): void {
    for (const [key, finish] of this.finishers) {
      this.finishers.delete(key);
      this.running.splice(this.running.indexOf(key), 1);
      finish();
    }
  }
}

/** Lets promises and immediates settle without moving the clock. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i += 1) await vi.advanceTimersByTimeAsync(0);
}

describe("the worker beside the ingress", () => {
  let worker: Worker | undefined;
  beforeEach(() => vi.useFakeTimers());
  afterEach(async () => {
    await worker?.stop(0);
    vi.useRealTimers();
  });

  function startWorker(queue: JobQueue, jobs: HeldJobs, options: { concurrency?: number; ingressBusy?: () => boolean } = {}): Worker {
    worker = new Worker({ queue, probot: {} as Probot, metrics: new Metrics(), log: pino({ level: "silent" }) as never, now: () => new Date(), pollMs: 60_000, ...options });
    worker.handle(KIND, jobs.handler);
    worker.start();
    return worker;
  }

  it("runs as many jobs at once as its concurrency, never more, and refills a freed slot", async () => {
    const { queue, done } = memoryQueue(12);
    const jobs = new HeldJobs();
    startWorker(queue, jobs, { concurrency: 5 });
    await settle();
    expect(jobs.running).toStrictEqual(["job-1", "job-2", "job-3", "job-4", "job-5"]);

    jobs.finishAll();
    await settle();
    expect(done).toHaveLength(5);
    expect(jobs.running).toStrictEqual(["job-6", "job-7", "job-8", "job-9", "job-10"]);
  });

  it("runs enough jobs at once by default to check a burst of a hundred pull requests within seconds", async () => {
    const { queue } = memoryQueue(40);
    const jobs = new HeldJobs();
    startWorker(queue, jobs);
    await settle();
    expect(jobs.running).toHaveLength(DEFAULT_CONCURRENCY);
    expect(DEFAULT_CONCURRENCY).toBeGreaterThanOrEqual(16);
  });

  it("while deliveries arrive runs one job at a time, at most one a second, and fills every slot once they stop", async () => {
    const { queue, done } = memoryQueue(20);
    const jobs = new HeldJobs();
    let deliveriesArriving = true;
    const running = startWorker(queue, jobs, { concurrency: 8, ingressBusy: () => deliveriesArriving });
    await settle();
    expect(jobs.running).toStrictEqual(["job-1"]);

    jobs.finishAll();
    running.wake();
    await settle();
    expect(done).toStrictEqual(["job-1"]);
    expect(jobs.running).toStrictEqual([]);

    await vi.advanceTimersByTimeAsync(BUSY_GAP_MS);
    await settle();
    expect(jobs.running).toStrictEqual(["job-2"]);

    deliveriesArriving = false;
    jobs.finishAll();
    await settle();
    expect(jobs.running).toStrictEqual(["job-3", "job-4", "job-5", "job-6", "job-7", "job-8", "job-9", "job-10"]);
  });

  it("counts the ingress busy while deliveries are in hand and for a quiet time after, then wakes the worker once", async () => {
    const wakes: string[] = [];
    const activity = new IngressActivity(50, () => wakes.push("wake"));
    expect(activity.busy()).toBe(false);

    activity.received();
    activity.received();
    expect(activity.busy()).toBe(true);
    activity.answered(true);
    expect(wakes).toStrictEqual(["wake"]);
    await vi.advanceTimersByTimeAsync(200);
    expect(activity.busy()).toBe(true);
    expect(wakes).toStrictEqual(["wake"]);

    activity.answered(false);
    await vi.advanceTimersByTimeAsync(49);
    expect(activity.busy()).toBe(true);
    await vi.advanceTimersByTimeAsync(1);
    expect(activity.busy()).toBe(false);
    expect(wakes).toStrictEqual(["wake", "wake"]);
  });
});
