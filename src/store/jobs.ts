/**
 * The durable queue: webhook deliveries and timed jobs in one table. A delivery is stored under
 * its `X-GitHub-Delivery` id, so a duplicate or redelivery is recognised by the unique key and
 * never queued twice; keys are unique per kind, so no delivery id can pass for a timed job's key.
 * Workers claim due jobs with `FOR UPDATE SKIP LOCKED`, so replicas sharing a database never run
 * one job twice; a claim is a short lease the worker renews while the job runs, and a job whose
 * worker died is claimed again once its lease expires. Only the lease holder can settle a job.
 * Every time comes from the caller's clock, so tests control it.
 *
 * Deliveries are written by group commit: those arriving within the same turn of the event loop,
 * or while the writes in flight fill every lane, are stored by one statement, one transaction and
 * so one flush to disk, and each caller is answered once that write is durable; when it fails,
 * every caller in it gets the error (nothing of it was stored, GitHub redelivers). PostgreSQL
 * takes several such writes at once on its pooled connections (its WAL writer flushes commits
 * that arrive together once), so a write never waits for the previous one's flush; the embedded
 * database runs one statement at a time, so there one write is in flight and the next batch
 * gathers meanwhile. A delivery's payload is stored as the raw text GitHub sent (`body`), not as
 * `jsonb`: converting 24 KB of JSON to `jsonb` cost the ingress half its time, and only the
 * worker needs it parsed.
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
  /** How many times a recovery pass gave the failed job another set of attempts. */
  readonly revivals: number;
}

/**
 * A webhook delivery to store: its payload's text as received (`body`, stored as is and parsed by
 * the worker), or a payload to serialise.
 */
export type StoredDelivery = { readonly id: string; readonly name: string } & ({ readonly body: string } | { readonly payload: unknown });

/** At most this many deliveries are written by one group commit… */
const BATCH_DELIVERIES = 64;
/** …and at most about this many bytes of payload (a single larger delivery is written alone). */
const BATCH_BYTES = 4 * 1024 * 1024;
/** Group commits in flight at once, by database (see the module comment). */
const WRITE_LANES: Readonly<Record<Database["kind"], number>> = { postgres: 4, pglite: 1 };

interface WaitingDelivery {
  readonly id: string;
  readonly name: string;
  readonly body: string;
  readonly at: string;
  readonly resolve: (stored: boolean) => void;
  readonly reject: (error: unknown) => void;
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
  revivals: number;
  body?: string | null;
}

/** A delivery's payload as the worker reads it, `{ name, payload }`; null when its text is not JSON. */
function deliveryPayload(row: JobRow): unknown {
  if (row.body === undefined || row.body === null) return row.payload;
  let payload: unknown = null;
  try {
    payload = JSON.parse(row.body);
  } catch {
    // Stored unparsed: the worker marks a payload that is not an object unprocessable.
  }
  return { name: (row.payload as { name?: unknown } | null)?.name, payload };
}

function toJob(row: JobRow): Job {
  return {
    id: Number(row.id),
    kind: row.kind,
    key: row.key,
    payload: deliveryPayload(row),
    status: row.status,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    runAt: new Date(row.run_at),
    lastError: row.last_error,
    revivals: row.revivals,
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

  private readonly waiting: WaitingDelivery[] = [];
  /** Group commits in flight. */
  private writing = 0;
  /** Whether a batch is gathering until the end of this turn of the event loop. */
  private gathering = false;

  /**
   * Stores a delivery; false when one with the same id was stored before (a duplicate). Resolves
   * once the delivery is durable, written together with the deliveries waiting with it.
   */
  enqueueDelivery(delivery: StoredDelivery, now: Date): Promise<boolean> {
    return new Promise((resolve, reject) => {
      const body = "body" in delivery ? delivery.body : JSON.stringify(delivery.payload);
      this.waiting.push({ id: delivery.id, name: delivery.name, body, at: now.toISOString(), resolve, reject });
      this.gather();
    });
  }

  /** Starts a batch at the end of this turn (deliveries whose bodies are arriving join it) when a lane is free. */
  private gather(): void {
    if (this.gathering || this.waiting.length === 0 || this.writing >= WRITE_LANES[this.db.kind]) return;
    this.gathering = true;
    setImmediate(() => {
      this.gathering = false;
      this.writeNextBatch();
    });
  }

  /** Writes the deliveries at the head of the queue as one batch, then gathers the next. */
  private writeNextBatch(): void {
    let bytes = 0;
    let count = 0;
    while (count < this.waiting.length && count < BATCH_DELIVERIES && (count === 0 || bytes + (this.waiting[count]?.body.length ?? 0) <= BATCH_BYTES)) {
      bytes += this.waiting[count]?.body.length ?? 0;
      count += 1;
    }
    if (count === 0) return;
    this.writing += 1;
    void this.writeBatch(this.waiting.splice(0, count)).finally(() => {
      this.writing -= 1;
      this.gather();
    });
    this.gather();
  }

  /**
   * One statement for the batch, a row of parameters per delivery (passing the bodies as one
   * text array instead cost `pg` 2 ms of escaping per 24 KB delivery, and the server as much to
   * parse it back); a delivery id twice in it is stored once, the later ones answered as duplicates.
   */
  private async writeBatch(batch: readonly WaitingDelivery[]): Promise<void> {
    const first = new Map<string, WaitingDelivery>();
    for (const entry of batch) if (!first.has(entry.id)) first.set(entry.id, entry);
    const unique = [...first.values()];
    let stored: Set<string>;
    try {
      const rows = await this.db.query<{ key: string }>(
        `INSERT INTO jobs (kind, key, payload, body, max_attempts, run_at, created_at)
         VALUES ${unique.map((_, i) => `($1, $${4 * i + 3}, jsonb_build_object('name', $${4 * i + 4}::text), $${4 * i + 5}, $2, $${4 * i + 6}::timestamptz, $${4 * i + 6}::timestamptz)`).join(", ")}
         ON CONFLICT (kind, key) DO NOTHING RETURNING key`,
        [DELIVERY, DELIVERY_ATTEMPTS, ...unique.flatMap((d) => [d.id, d.name, d.body, d.at])],
      );
      stored = new Set(rows.map((row) => row.key));
    } catch (error) {
      for (const entry of batch) entry.reject(error);
      return;
    }
    for (const entry of batch) entry.resolve(first.get(entry.id) === entry && stored.has(entry.id));
  }

  /**
   * Schedules a timed job once per key: a key already pending or running keeps its time; a key
   * whose job finished is not scheduled again (the key names one occurrence, such as a head commit).
   * Returns whether a job was added.
   */
  async schedule(kind: string, key: string, payload: unknown, runAt: Date, now: Date, maxAttempts = 5): Promise<boolean> {
    if (kind === DELIVERY) throw new Error("deliveries are stored with enqueueDelivery, not scheduled");
    const rows = await this.db.query(
      `INSERT INTO jobs (kind, key, payload, max_attempts, run_at, created_at)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (kind, key) DO NOTHING RETURNING id`,
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
   * Extends the leases of the jobs `worker` is still running to `until` (the heartbeat); returns
   * the ids it still holds, so a worker learns which jobs another worker has taken over.
   */
  async renew(worker: string, ids: readonly number[], until: Date): Promise<number[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.query<{ id: number | string }>(
      "UPDATE jobs SET locked_until = $3 WHERE id = ANY($1::bigint[]) AND locked_by = $2 AND status = 'running' RETURNING id",
      [ids, worker, until],
    );
    return rows.map((row) => Number(row.id));
  }

  /**
   * Records a failed attempt: the job runs again at `retryAt`, or is marked failed when it has
   * used its attempts. `permanent` marks it failed at once, never to be revived (a payload that
   * can never be processed). Returns the resulting status; "lost" when `worker` no longer held it.
   */
  async fail(job: Job, worker: string, error: string, retryAt: Date, now: Date, permanent = false): Promise<"pending" | "failed" | "lost"> {
    const finalAttempt = permanent || job.attempts >= job.maxAttempts;
    const rows = await this.db.query<{ status: JobStatus }>(
      `UPDATE jobs SET status = $3, run_at = $4, last_error = $5, locked_by = NULL, locked_until = NULL, finished_at = $6, poisoned = $7
       WHERE id = $1 AND locked_by = $2 AND status = 'running' RETURNING status`,
      [job.id, worker, finalAttempt ? "failed" : "pending", retryAt, error.slice(0, 4000), finalAttempt ? now : null, permanent],
    );
    return rows[0]?.status === "failed" ? "failed" : rows[0] ? "pending" : "lost";
  }

  /**
   * Puts a claimed job back without counting the attempt: it runs again at `runAt` (a rate limit's
   * reset, or at once when a shutting-down worker releases it). False when `worker` no longer held it.
   */
  async release(job: Job, worker: string, runAt: Date, reason: string | null = null): Promise<boolean> {
    const rows = await this.db.query(
      `UPDATE jobs SET status = 'pending', attempts = GREATEST(attempts - 1, 0), run_at = $3, last_error = COALESCE($4, last_error), locked_by = NULL, locked_until = NULL
       WHERE id = $1 AND locked_by = $2 AND status = 'running' RETURNING id`,
      [job.id, worker, runAt, reason?.slice(0, 4000) ?? null],
    );
    return rows.length === 1;
  }

  /**
   * Gives failed jobs a new set of attempts, at most `maxRevivals` times each, skipping poisoned
   * ones and the `except` kinds; returns the revived jobs. A recovery pass calls it once GitHub
   * answers again, so a job that failed during an outage is retried rather than lost.
   */
  async revive(now: Date, maxRevivals: number, except: readonly string[] = []): Promise<Job[]> {
    const rows = await this.db.query<JobRow>(
      `UPDATE jobs SET status = 'pending', attempts = 0, revivals = revivals + 1, run_at = $1, finished_at = NULL
       WHERE status = 'failed' AND NOT poisoned AND revivals < $2 AND NOT (kind = ANY($3::text[])) RETURNING *`,
      [now, maxRevivals, [...except]],
    );
    return rows.map(toJob);
  }

  /**
   * Starts the maintenance pass `name` for `holder` unless one started at or after `since`
   * (another replica's, or this holder's own earlier attempt, which may go on). Atomic, so replicas
   * racing for one pass get one winner.
   */
  async startPass(name: string, holder: string, now: Date, since: Date): Promise<boolean> {
    const rows = await this.db.query(
      `INSERT INTO maintenance_passes (name, holder, started_at) VALUES ($1, $2, $3)
       ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, started_at = EXCLUDED.started_at
       WHERE maintenance_passes.started_at < $4 OR maintenance_passes.holder = EXCLUDED.holder
       RETURNING name`,
      [name, holder, now, since],
    );
    return rows.length === 1;
  }

  /** Whether a delivery with this id has been stored (whatever its state). */
  async hasDelivery(id: string): Promise<boolean> {
    return (await this.findDelivery(id)) !== null;
  }

  /** The stored delivery with this id, as a job, if any. */
  findDelivery(id: string): Promise<Job | null> {
    return this.find(DELIVERY, id);
  }

  /** The job of this kind and key, if any. */
  async find(kind: string, key: string): Promise<Job | null> {
    const [row] = await this.db.query<JobRow>("SELECT * FROM jobs WHERE kind = $1 AND key = $2", [kind, key]);
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
