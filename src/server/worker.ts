/**
 * Runs queued jobs: stored webhook deliveries go through the app's Probot handlers
 * (`probot.receive`), timed jobs through the function registered for their kind. A failed job is
 * retried with exponential backoff, or after GitHub's `retry-after` when it hit a rate limit,
 * and marked failed (logged and counted) after its last attempt. Several workers, in one process
 * or many, share the queue safely: claims skip rows another worker holds.
 */
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { Logger, Probot } from "probot";
import { DELIVERY, type Job, type JobQueue } from "../store/jobs.js";
import type { Metrics } from "./metrics.js";

/** Runs one timed job. */
export type JobHandler = (payload: unknown, job: Job) => Promise<void>;

/** Tuning of a worker. */
export interface WorkerOptions {
  readonly queue: JobQueue;
  readonly probot: Probot;
  readonly metrics: Metrics;
  readonly log: Logger;
  readonly now: () => Date;
  /** Jobs claimed and run at once. */
  readonly concurrency?: number;
  /** How often an idle worker looks for due jobs. */
  readonly pollMs?: number;
  /** How long a claim lasts before another worker may take the job over. */
  readonly leaseMs?: number;
}

const FIRST_RETRY_MS = 5_000;
const LONGEST_RETRY_MS = 10 * 60_000;
const SECONDARY_LIMIT_FALLBACK_MS = 60_000;

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

/** A queue worker: up to `concurrency` jobs at once, a freed slot refilled at once. */
export class Worker {
  readonly id = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly handlers = new Map<string, JobHandler>();
  private readonly inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private claiming = false;
  private wakeAgain = false;
  private stopped = true;

  constructor(private readonly options: WorkerOptions) {
    this.handlers.set(DELIVERY, async (payload, job) => {
      const { name, payload: body } = payload as { name: string; payload: unknown };
      await options.probot.receive({ id: job.key, name, payload: body } as Parameters<Probot["receive"]>[0]);
    });
  }

  /** Registers the function that runs timed jobs of a kind. */
  handle(kind: string, handler: JobHandler): void {
    this.handlers.set(kind, handler);
  }

  /** Starts polling; the worker also runs whenever {@link wake} is called. */
  start(): void {
    this.stopped = false;
    this.timer = setInterval(() => this.wake(), this.options.pollMs ?? 1000);
    this.timer.unref();
    this.wake();
  }

  /** Stops claiming and waits for the jobs in hand. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await Promise.all(this.inFlight);
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
      .catch((error: unknown) => this.options.log.error({ err: error }, "queue worker could not claim jobs"))
      .finally(() => {
        this.claiming = false;
        if (this.wakeAgain) {
          this.wakeAgain = false;
          this.wake();
        }
      });
  }

  /** Runs jobs until none is due and none is running; returns how many ran. Tests call it directly. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const started = await this.fillSlots();
      total += started;
      if (this.inFlight.size === 0 && started === 0) return total;
      if (this.inFlight.size > 0) await Promise.race(this.inFlight);
    }
  }

  /** Claims due jobs for the free slots and starts them; returns how many started. */
  private async fillSlots(): Promise<number> {
    const { queue, now } = this.options;
    const free = (this.options.concurrency ?? 4) - this.inFlight.size;
    if (free <= 0) return 0;
    const jobs = await queue.claim(this.id, free, now(), this.options.leaseMs ?? 120_000);
    for (const job of jobs) {
      const running: Promise<void> = this.run(job).finally(() => {
        this.inFlight.delete(running);
        this.wake();
      });
      this.inFlight.add(running);
    }
    return jobs.length;
  }

  private async run(job: Job): Promise<void> {
    const { queue, metrics, log, now } = this.options;
    const started = process.hrtime.bigint();
    const handler = this.handlers.get(job.kind);
    try {
      if (!handler) throw new Error(`no handler for jobs of kind ${job.kind}`);
      await handler(job.payload, job);
      await queue.complete(job, this.id, now());
      metrics.count("hotfix_guard_jobs_processed_total", { kind: job.kind, outcome: "done" });
    } catch (error) {
      const at = now();
      const wait = rateLimitWait(error, at) ?? backoffMs(job.attempts);
      const result = await queue.fail(job, this.id, describe(error), new Date(at.getTime() + wait), at);
      metrics.count("hotfix_guard_jobs_processed_total", { kind: job.kind, outcome: result === "failed" ? "failed" : "retried" });
      const context = { job: job.key, kind: job.kind, attempt: job.attempts, of: job.maxAttempts, reason: describe(error) };
      if (result === "failed") log.error(context, "job failed after its last attempt");
      else log.warn({ ...context, retryInSeconds: Math.round(wait / 1000) }, "job failed; will retry");
    } finally {
      metrics.observeDuration(job.kind, Number(process.hrtime.bigint() - started) / 1e9);
    }
  }
}
