/**
 * The durable queue: webhook deliveries and timed jobs in one table. A delivery is stored under
 * its `X-GitHub-Delivery` id, so a duplicate or redelivery is recognised by the unique key and
 * never queued twice. Workers claim due jobs with `FOR UPDATE SKIP LOCKED`, so replicas sharing a
 * database never run one job twice; a claim is a lease, and a job whose worker died is claimed
 * again once its lease expires. Every time comes from the caller's clock, so tests control it.
 */
import type { Database } from "./database.js";

/** A job's state. */
export type JobStatus = "pending" | "running" | "done" | "failed";

/** A claimed or listed job. */
export interface Job {
  readonly id: number;
  readonly kind: string;
  readonly key: string;
  readonly payload: unknown;
  readonly status: JobStatus;
  readonly attempts: number;
  readonly maxAttempts: number;
  readonly runAt: Date;
  readonly lastError: string | null;
}

/** A webhook delivery as stored. */
export interface StoredDelivery {
  readonly id: string;
  readonly name: string;
  readonly payload: unknown;
}

/** The kind of job that carries a webhook delivery. */
export const DELIVERY = "delivery";
/** Attempts before a delivery is marked failed. */
export const DELIVERY_ATTEMPTS = 6;

interface JobRow {
  id: number | string;
  kind: string;
  key: string;
  payload: unknown;
  status: JobStatus;
  attempts: number;
  max_attempts: number;
  run_at: Date | string;
  last_error: string | null;
}

function toJob(row: JobRow): Job {
  return {
    id: Number(row.id),
    kind: row.kind,
    key: row.key,
    payload: row.payload,
    status: row.status,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    runAt: new Date(row.run_at),
    lastError: row.last_error,
  };
}

/** Counts by status, and the age of the oldest due job, for health and metrics. */
export interface QueueStats {
  readonly pending: number;
  readonly running: number;
  readonly done: number;
  readonly failed: number;
  /** Seconds the oldest due pending job has waited past its run time (0 when none). */
  readonly lagSeconds: number;
}

/** The queue over the `jobs` table. */
export class JobQueue {
  constructor(private readonly db: Database) {}

  /** Stores a delivery; false when one with the same id was stored before (a duplicate). */
  async enqueueDelivery(delivery: StoredDelivery, now: Date): Promise<boolean> {
    const rows = await this.db.query(
      `INSERT INTO jobs (kind, key, payload, max_attempts, run_at, created_at)
       VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (key) DO NOTHING RETURNING id`,
      [DELIVERY, delivery.id, JSON.stringify({ name: delivery.name, payload: delivery.payload }), DELIVERY_ATTEMPTS, now],
    );
    return rows.length === 1;
  }

  /**
   * Schedules a timed job once per key: a key already pending or running keeps its time; a key
   * whose job finished is not scheduled again (the key names one occurrence, such as a head commit).
   * Returns whether a job was added.
   */
  async schedule(kind: string, key: string, payload: unknown, runAt: Date, now: Date, maxAttempts = 5): Promise<boolean> {
    const rows = await this.db.query(
      `INSERT INTO jobs (kind, key, payload, max_attempts, run_at, created_at)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (key) DO NOTHING RETURNING id`,
      [kind, key, JSON.stringify(payload), maxAttempts, runAt, now],
    );
    return rows.length === 1;
  }

  /** Claims up to `limit` due jobs for `worker`, leased until `now + leaseMs`. */
  async claim(worker: string, limit: number, now: Date, leaseMs: number): Promise<Job[]> {
    const rows = await this.db.query<JobRow>(
      `WITH due AS (
         SELECT id FROM jobs
         WHERE (status = 'pending' AND run_at <= $1) OR (status = 'running' AND locked_until < $1)
         ORDER BY run_at, id
         LIMIT $2
         FOR UPDATE SKIP LOCKED
       )
       UPDATE jobs SET status = 'running', attempts = jobs.attempts + 1, locked_by = $3, locked_until = $4
       FROM due WHERE jobs.id = due.id
       RETURNING jobs.*`,
      [now, limit, worker, new Date(now.getTime() + leaseMs)],
    );
    return rows.map(toJob).sort((a, b) => a.runAt.getTime() - b.runAt.getTime() || a.id - b.id);
  }

  /** Marks a claimed job done; false when the lease was lost to another worker meanwhile. */
  async complete(job: Job, worker: string, now: Date): Promise<boolean> {
    const rows = await this.db.query(
      "UPDATE jobs SET status = 'done', finished_at = $3, locked_by = NULL, locked_until = NULL, last_error = NULL WHERE id = $1 AND locked_by = $2 AND status = 'running' RETURNING id",
      [job.id, worker, now],
    );
    return rows.length === 1;
  }

  /**
   * Records a failed attempt: the job runs again at `retryAt`, or is marked failed when it has
   * used its attempts. Returns the resulting status.
   */
  async fail(job: Job, worker: string, error: string, retryAt: Date, now: Date): Promise<"pending" | "failed" | "lost"> {
    const finalAttempt = job.attempts >= job.maxAttempts;
    const rows = await this.db.query<{ status: JobStatus }>(
      `UPDATE jobs SET status = $3, run_at = $4, last_error = $5, locked_by = NULL, locked_until = NULL, finished_at = $6
       WHERE id = $1 AND locked_by = $2 AND status = 'running' RETURNING status`,
      [job.id, worker, finalAttempt ? "failed" : "pending", retryAt, error.slice(0, 4000), finalAttempt ? now : null],
    );
    return rows[0]?.status === "failed" ? "failed" : rows[0] ? "pending" : "lost";
  }

  /** Whether a delivery with this id has been stored (whatever its state). */
  async hasDelivery(id: string): Promise<boolean> {
    return (await this.db.query("SELECT 1 FROM jobs WHERE key = $1 AND kind = $2", [id, DELIVERY])).length === 1;
  }

  /** The job with this key, if any. */
  async find(key: string): Promise<Job | null> {
    const [row] = await this.db.query<JobRow>("SELECT * FROM jobs WHERE key = $1", [key]);
    return row ? toJob(row) : null;
  }

  /** Counts by status and the queue's lag. */
  async stats(now: Date): Promise<QueueStats> {
    const rows = await this.db.query<{ status: JobStatus; n: number; oldest: Date | string | null }>(
      "SELECT status, count(*)::int AS n, min(run_at) FILTER (WHERE status = 'pending' AND run_at <= $1) AS oldest FROM jobs GROUP BY status",
      [now],
    );
    const count = (status: JobStatus) => rows.find((row) => row.status === status)?.n ?? 0;
    const oldest = rows.find((row) => row.status === "pending")?.oldest;
    return {
      pending: count("pending"),
      running: count("running"),
      done: count("done"),
      failed: count("failed"),
      lagSeconds: oldest ? Math.max(0, (now.getTime() - new Date(oldest).getTime()) / 1000) : 0,
    };
  }

  /** Deletes finished jobs older than `before`; GitHub redelivers for 3 days, so keep at least that. */
  async prune(before: Date): Promise<number> {
    return (await this.db.query("DELETE FROM jobs WHERE status IN ('done', 'failed') AND finished_at < $1 RETURNING id", [before])).length;
  }
}
