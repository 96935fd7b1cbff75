/**
 * Stopping the service on SIGTERM within the 10 s an orchestrator allows (compose and Kubernetes
 * kill after their grace period): stop accepting requests, let running jobs finish for a few
 * seconds, release the rest for another worker (lease cleared, attempt not counted, so a job
 * hanging on an unreachable GitHub resumes elsewhere at once), close the database, and log what
 * was done. Every step has its own time bound, so no stuck request or connection holds the exit.
 */
import type { Logger } from "probot";
import type { Database } from "../store/database.js";
import type { StopReport, Worker } from "./worker.js";

/** What is stopped. */
export interface ShutdownParts {
  /** The HTTP server. */
  readonly server: { stop(): Promise<void> };
  /** The queue worker, when the durable runtime is loaded. */
  readonly worker: Worker | undefined;
  readonly db: Database;
  readonly log: Logger;
}

/** Time bounds of the steps, in milliseconds. */
export interface ShutdownBounds {
  /** How long the HTTP server may take to close. */
  readonly httpMs: number;
  /** How long running jobs may take to finish before they are released. */
  readonly graceMs: number;
  /** How long closing the database may take. */
  readonly databaseMs: number;
}

/** Within 10 s in total, with room to spare: 2 s for HTTP, 5 s for running jobs, 2 s for the database. */
export const SHUTDOWN_BOUNDS: ShutdownBounds = { httpMs: 2_000, graceMs: 5_000, databaseMs: 2_000 };

async function bounded(work: Promise<unknown>, ms: number): Promise<"done" | "timed out" | string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"timed out">((resolve) => {
    timer = setTimeout(() => resolve("timed out"), ms);
  });
  try {
    return await Promise.race([work.then(() => "done" as const), timeout]);
  } catch (error) {
    return `failed: ${(error as Error).message}`;
  } finally {
    clearTimeout(timer);
  }
}

/** Stops the service in order and logs one line saying what happened; resolves when done. */
export async function shutdown(parts: ShutdownParts, bounds: ShutdownBounds = SHUTDOWN_BOUNDS): Promise<void> {
  const started = Date.now();
  parts.log.info("shutting down: no new requests or jobs");
  const http = await bounded(parts.server.stop(), bounds.httpMs);
  let jobs: StopReport = { finished: [], released: [] };
  if (parts.worker) {
    const worker = parts.worker;
    const stopped = await bounded(
      worker.stop(bounds.graceMs).then((report) => (jobs = report)),
      bounds.graceMs + bounds.httpMs,
    );
    if (stopped !== "done") parts.log.warn({ outcome: stopped }, "the worker did not stop in time; its jobs are taken over when their leases expire");
  }
  const database = await bounded(parts.db.close(), bounds.databaseMs);
  parts.log.info(
    { http, jobsFinished: jobs.finished, jobsReleased: jobs.released, database, seconds: (Date.now() - started) / 1000 },
    `shut down: ${jobs.finished.length} running job(s) finished, ${jobs.released.length} released for another worker`,
  );
}
