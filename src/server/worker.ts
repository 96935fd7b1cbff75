/**
 * Runs queued jobs: stored webhook deliveries go through the app's Probot handlers
 * (`probot.receive`), timed jobs through the function registered for their kind. A failed job is
 * retried with exponential backoff and marked failed (logged and counted) after its last attempt;
 * a GitHub rate limit is not a failure: the job waits for the reset without spending an attempt,
 * and a delivery that can never be processed is marked failed at once. Claims are short leases
 * renewed by a heartbeat while the job runs, so a killed worker's jobs are taken over within one
 * lease; a worker that lost a lease never settles the job over its new owner. A database outage
 * is survived: the outcome of a finished job is written once the database answers again.
 * Several workers, in one process or many, share the queue safely.
 */
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { setImmediate as nextTurn, setTimeout as sleep } from "node:timers/promises";
import type { Logger, Probot } from "probot";
import { DELIVERY, type Job, type JobQueue } from "../store/jobs.js";
import type { Metrics } from "./metrics.js";
import { unprocessableReason } from "./unprocessable.js";

/** Runs one timed job. */
export type JobHandler = (payload: unknown, job: Job) => Promise<void>;

/** Tuning of a worker. */
export interface WorkerOptions {
  readonly queue: JobQueue;
  readonly probot: Probot;
  readonly metrics: Metrics;
  readonly log: Logger;
  readonly now: () => Date;
  /** Jobs claimed and run at once (default {@link DEFAULT_CONCURRENCY}). */
  readonly concurrency?: number;
  /**
   * Whether the ingress sharing this thread is busy receiving deliveries. The worker then runs
   * one job at a time and starts at most one per `busyGapMs`, so acknowledging deliveries is never
   * starved and the queue still moves during a long burst; it fills its slots again once the
   * burst is over (woken by whoever tracks the ingress, or at the next poll).
   */
  readonly ingressBusy?: () => boolean;
  /** While the ingress is busy, the least time between two job starts (default {@link BUSY_GAP_MS}). */
  readonly busyGapMs?: number;
  /** How often an idle worker looks for due jobs. */
  readonly pollMs?: number;
  /** How long a claim lasts unless renewed; a dead worker's jobs are taken over after it. */
  readonly leaseMs?: number;
  /** How often the leases of running jobs are renewed (a third of the lease by default). */
  readonly heartbeatMs?: number;
}

/** A job that can never succeed, whatever the retries: marked failed at once with the reason. */
export class UnprocessableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnprocessableError";
  }
}

/** What {@link Worker.stop} did with the jobs in hand. */
export interface StopReport {
  /** Keys of the jobs that finished within the grace period. */
  readonly finished: readonly string[];
  /** Keys of the jobs released for another worker: lease cleared, attempt not counted. */
  readonly released: readonly string[];
}

/**
 * Jobs at once by default: at 50 ms per GitHub answer an event's dozen sequential requests take
 * over half a second, so a burst of a hundred events needs this many in parallel to be checked
 * within ten seconds (the throttling per installation still spaces each installation's writes).
 */
export const DEFAULT_CONCURRENCY = 16;

/**
 * While the ingress is busy, a job starts at most this often: an event's handling costs tens of
 * milliseconds of the thread, so the worker keeps to a few percent of it during a burst yet the
 * queue never stands still however long the burst lasts.
 */
export const BUSY_GAP_MS = 1_000;

/** The default lease: a killed worker's jobs resume within about this long. */
export const LEASE_MS = 30_000;

const FIRST_RETRY_MS = 5_000;
const LONGEST_RETRY_MS = 10 * 60_000;
const SECONDARY_LIMIT_FALLBACK_MS = 60_000;
/** Longest wait between attempts to write a job's outcome while the database is away. */
const LONGEST_SETTLE_WAIT_MS = 5_000;

interface GitHubError {
  status?: number;
  message?: string;
  response?: { headers?: Record<string, string | undefined> };
  errors?: unknown[];
}

/** The errors inside an error: `probot.receive` rejects with an AggregateError of handler errors. */
function leaves(error: unknown): GitHubError[] {
  const nested = (error as GitHubError)?.errors;
  return Array.isArray(nested) && nested.length > 0 ? nested.flatMap(leaves) : [error as GitHubError];
}

/**
 * When a GitHub rate limit caused the failure, how long GitHub asked us to wait (ms): a secondary
 * limit's `retry-after`, or the primary limit's reset time. Null for other failures.
 */
export function rateLimitWait(error: unknown, now: Date): number | null {
  for (const leaf of leaves(error)) {
    const headers = leaf.response?.headers ?? {};
    const limited = leaf.status === 429 || (leaf.status === 403 && (/rate limit/i.test(leaf.message ?? "") || headers["x-ratelimit-remaining"] === "0"));
    if (!limited) continue;
    const retryAfter = Number(headers["retry-after"]);
    if (Number.isFinite(retryAfter) && retryAfter > 0) return retryAfter * 1000;
    const reset = Number(headers["x-ratelimit-reset"]);
    if (Number.isFinite(reset) && reset > 0) return Math.max(1000, reset * 1000 - now.getTime() + 1000);
    return SECONDARY_LIMIT_FALLBACK_MS;
  }
  return null;
}

/** Exponential backoff for the n-th failed attempt: 5 s, 10 s, 20 s … at most 10 minutes. */
export function backoffMs(attempt: number): number {
  return Math.min(LONGEST_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, attempt - 1));
}

function describe(error: unknown): string {
  return leaves(error)
    .map((leaf) => `${leaf.status ? `HTTP ${leaf.status}: ` : ""}${leaf.message ?? String(leaf)}`)
    .join("; ");
}

/** The fields of a delivery job's log lines: its id and event, never its payload. */
function jobContext(job: Job): Record<string, unknown> {
  const event = job.kind === DELIVERY ? (job.payload as { name?: unknown } | null)?.name : undefined;
  return { ...(job.kind === DELIVERY ? { delivery: job.key, event } : { job: job.key, kind: job.kind }), attempt: job.attempts, of: job.maxAttempts };
}

interface Running {
  readonly job: Job;
  /** Released by a stopping worker, or taken over by another after a lost lease: never settled here. */
  given: boolean;
}

/** A queue worker: up to `concurrency` jobs at once, a freed slot refilled at once. */
export class Worker {
  readonly id = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly handlers = new Map<string, JobHandler>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly running = new Map<number, Running>();
  private timer: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private claiming = false;
  /** Whether the last claim failed: an outage is logged when it starts and when it ends, not at every poll. */
  private claimFailing = false;
  private wakeAgain = false;
  private stopped = true;
  /** Whether a job started less than the busy gap ago (only set while the ingress is busy). */
  private heldForIngress = false;

  constructor(private readonly options: WorkerOptions) {
    this.handlers.set(DELIVERY, async (payload, job) => {
      const { name, payload: body } = (payload ?? {}) as { name: string; payload: unknown };
      const reason = unprocessableReason(name, body);
      if (reason) throw new UnprocessableError(reason);
      // Probot logs a failing handler's error with the event attached: it serialises as its id and name only.
      const event = { id: job.key, name, payload: body };
      Object.defineProperty(event, "toJSON", { value: () => ({ id: job.key, name }) });
      await options.probot.receive(event as Parameters<Probot["receive"]>[0]);
    });
  }

  private get leaseMs(): number {
    return this.options.leaseMs ?? LEASE_MS;
  }

  /** Registers the function that runs timed jobs of a kind. */
  handle(kind: string, handler: JobHandler): void {
    this.handlers.set(kind, handler);
  }

  /** Starts polling and the lease heartbeat; the worker also runs whenever {@link wake} is called. */
  start(): void {
    this.stopped = false;
    this.timer = setInterval(() => this.wake(), this.options.pollMs ?? 1000);
    this.timer.unref();
    this.heartbeat = setInterval(() => void this.renewLeases(), this.options.heartbeatMs ?? Math.floor(this.leaseMs / 3));
    this.heartbeat.unref();
    this.wake();
  }

  /**
   * Stops claiming, lets the jobs in hand finish for up to `graceMs`, then releases the rest for
   * another worker (lease cleared, attempt not counted) and reports what it did.
   */
  async stop(graceMs = Number.POSITIVE_INFINITY): Promise<StopReport> {
    this.stopped = true;
    clearInterval(this.timer);
    const inHand = [...this.running.values()].map((entry) => entry.job);
    const all = Promise.all(this.inFlight);
    if (Number.isFinite(graceMs)) {
      const timeout = new AbortController();
      await Promise.race([all, sleep(graceMs, undefined, { signal: timeout.signal }).catch(() => undefined)]);
      timeout.abort();
    } else await all;
    const released: string[] = [];
    for (const entry of this.running.values()) {
      entry.given = true;
      try {
        if (await this.options.queue.release(entry.job, this.id, this.options.now(), "released by a worker shutting down")) released.push(entry.job.key);
      } catch (error) {
        this.options.log.warn({ ...jobContext(entry.job), reason: (error as Error).message }, "could not release the job; it is taken over when its lease expires");
      }
    }
    clearInterval(this.heartbeat);
    return { finished: inHand.filter((job) => !this.running.has(job.id)).map((job) => job.key), released };
  }

  /** Fills the free slots with due jobs, once started. */
  wake(): void {
    if (this.stopped) return;
    if (this.claiming) {
      this.wakeAgain = true;
      return;
    }
    this.claiming = true;
    void this.fillSlots()
      .then(() => {
        if (this.claimFailing) this.options.log.info("queue worker claims jobs again");
        this.claimFailing = false;
      })
      .catch((error: unknown) => {
        if (!this.claimFailing) this.options.log.error({ reason: (error as Error).message }, "queue worker could not claim jobs; retrying at every poll");
        this.claimFailing = true;
      })
      .finally(() => {
        this.claiming = false;
        if (this.wakeAgain) {
          this.wakeAgain = false;
          this.wake();
        }
      });
  }

  /**
   * Renews the leases of the jobs still running (the heartbeat calls it; tests on a fake clock
   * call it directly). A job whose lease another worker took over is given up: never settled here.
   */
  async renewLeases(): Promise<void> {
    const ids = [...this.running.values()].filter((entry) => !entry.given).map((entry) => entry.job.id);
    if (ids.length === 0) return;
    try {
      const kept = new Set(await this.options.queue.renew(this.id, ids, new Date(this.options.now().getTime() + this.leaseMs)));
      for (const id of ids) {
        const entry = this.running.get(id);
        if (kept.has(id) || !entry) continue;
        entry.given = true;
        this.options.log.warn(jobContext(entry.job), "lost the lease on a running job; its new owner settles it");
      }
    } catch (error) {
      this.options.log.warn({ reason: (error as Error).message }, "could not renew job leases; retrying at the next heartbeat");
    }
  }

  /**
   * Runs jobs until none is due and none is running, at full concurrency whatever the ingress is
   * doing; returns how many ran. Tests call it directly.
   */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const started = await this.fillSlots(false);
      total += started;
      if (this.inFlight.size === 0 && started === 0) return total;
      if (this.inFlight.size > 0) await Promise.race(this.inFlight);
    }
  }

  /**
   * How many jobs may start now: the free slots, or while the ingress is busy one job, when none
   * runs and the last one started at least the busy gap ago.
   */
  private freeSlots(yieldToIngress: boolean): number {
    if (!yieldToIngress || !this.options.ingressBusy?.()) return (this.options.concurrency ?? DEFAULT_CONCURRENCY) - this.inFlight.size;
    return this.inFlight.size === 0 && !this.heldForIngress ? 1 : 0;
  }

  /** Claims due jobs for the free slots and starts them; returns how many started. */
  private async fillSlots(yieldToIngress = true): Promise<number> {
    const { queue, now } = this.options;
    // Deliveries that arrived meanwhile are acknowledged before the worker takes more work.
    await nextTurn();
    const free = this.freeSlots(yieldToIngress);
    if (free <= 0) return 0;
    if (yieldToIngress && this.options.ingressBusy?.()) this.holdForIngress();
    const jobs = await queue.claim(this.id, free, now(), this.leaseMs);
    for (const job of jobs) {
      this.running.set(job.id, { job, given: false });
      const running: Promise<void> = this.run(job).finally(() => {
        this.running.delete(job.id);
        this.inFlight.delete(running);
        this.wake();
      });
      this.inFlight.add(running);
    }
    return jobs.length;
  }

  /** Lets no other job start for the busy gap, then wakes the worker. */
  private holdForIngress(): void {
    this.heldForIngress = true;
    setTimeout(() => {
      this.heldForIngress = false;
      this.wake();
    }, this.options.busyGapMs ?? BUSY_GAP_MS).unref();
  }

  private async run(job: Job): Promise<void> {
    const { metrics, log, now } = this.options;
    const started = process.hrtime.bigint();
    const handler = this.handlers.get(job.kind);
    let error: unknown;
    try {
      if (!handler) throw new UnprocessableError(`no handler for jobs of kind ${job.kind}`);
      await handler(job.payload, job);
    } catch (caught) {
      error = caught ?? new Error("the job failed without a reason");
    }
    metrics.observeDuration(job.kind, Number(process.hrtime.bigint() - started) / 1e9);
    const at = now();
    const context = jobContext(job);
    if (error === undefined) {
      if ((await this.settle(job, () => this.options.queue.complete(job, this.id, now()))) === true) {
        metrics.count("hotfix_guard_jobs_processed_total", { kind: job.kind, outcome: "done" });
      }
      return;
    }
    const reason = describe(error);
    const limitWait = rateLimitWait(error, at);
    if (limitWait !== null) {
      const resumeAt = new Date(at.getTime() + limitWait);
      if ((await this.settle(job, () => this.options.queue.release(job, this.id, resumeAt, reason))) === true) {
        metrics.count("hotfix_guard_jobs_processed_total", { kind: job.kind, outcome: "rate_limited" });
        log.info({ ...context, reason, resumeAt: resumeAt.toISOString() }, "job hit a GitHub rate limit; it resumes after the reset without spending an attempt");
      }
      return;
    }
    const permanent = error instanceof UnprocessableError;
    const wait = backoffMs(job.attempts);
    const result = await this.settle(job, () => this.options.queue.fail(job, this.id, reason, new Date(at.getTime() + wait), at, permanent));
    if (result === undefined || result === "lost") return;
    const outcome = permanent ? "unprocessable" : result === "failed" ? "failed" : "retried";
    metrics.count("hotfix_guard_jobs_processed_total", { kind: job.kind, outcome });
    if (permanent) log.error({ ...context, reason }, "job can never be processed; marked failed without retrying");
    else if (result === "failed") log.error({ ...context, reason }, "job failed after its last attempt; a later recovery pass retries it");
    else log.warn({ ...context, reason, retryInSeconds: Math.round(wait / 1000) }, "job failed; will retry");
  }

  /**
   * Writes a job's outcome, retrying while the database is away; gives up (returns undefined)
   * when the job was released or taken over meanwhile, or the worker stops: the lease then
   * hands the job to another worker.
   */
  private async settle<T>(job: Job, write: () => Promise<T>): Promise<T | undefined> {
    for (let wait = 250; ; wait = Math.min(LONGEST_SETTLE_WAIT_MS, wait * 2)) {
      if (this.running.get(job.id)?.given) return undefined;
      try {
        return await write();
      } catch (error) {
        this.options.log.warn({ ...jobContext(job), reason: (error as Error).message }, "could not record the job's outcome; retrying");
        await sleep(wait);
      }
    }
  }
}
