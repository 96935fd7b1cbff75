/**
 * Drives Hotfix Guard the way production does, against the fake GitHub: a Probot with a key
 * generated at test time, `baseUrl` at the fake, the service's Octokit (`serviceOctokit()`) with
 * throttling off and GitHub's retry plugin on as in production (only its delays shortened, through
 * plugin-retry's `retryAfterBaseValue`) and its request time limit shortened (the fake holds a
 * `timeout` fault's answer longer than that), the app from `createApp`, deliveries through
 * `probot.receive` and, when a delivery throws, received again with the same id as the durable
 * queue does (at most six attempts). Timed jobs go to an in-memory scheduler and run by hand,
 * the clock moved to each job's time.
 */
import { generateKeyPairSync } from "node:crypto";
import { Probot, type ProbotOctokit } from "probot";
import { createApp } from "../../src/index.js";
import { serviceOctokit } from "../../src/github/octokit.js";
import { OctokitAuditGateway } from "../../src/github/audit-gateway.js";
import { OctokitGateway } from "../../src/github/gateway.js";
import { auditMergedPullRequest, MERGE_AUDIT_RECHECK, type AuditRef } from "../../src/handlers/audit-run.js";
import { MERGE_BACK_RECHECK, RELEASE_RECHECK, runMergeBackRecheck, type MergeBackJob, type ReleaseRecheckJob } from "../../src/handlers/merge-back.js";
import { runReleaseRecheck } from "../../src/handlers/release-recheck.js";
import { evaluatePullRequest, type PullRequestRef } from "../../src/handlers/pull-request.js";
import { PULL_REQUEST_RECHECK, type Services } from "../../src/handlers/services.js";

const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs8", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });

/** The app id the app runs as. */
export const FAULT_APP_ID = 4321;
/** How often the durable queue runs a delivery at most (`DELIVERY_ATTEMPTS`). */
export const DELIVERY_ATTEMPTS = 6;
/** The client's time limit per request attempt (production: 30 s). */
export const REQUEST_TIMEOUT_MS = 1_000;
/** How long the fake holds the answer of a `timeout` fault: longer than the client waits. */
export const TIMEOUT_HOLD_MS = 1_300;
/** How often the durable queue runs a timed job at most (`JobQueue.schedule`'s default). */
const JOB_ATTEMPTS = 5;

/** A settable clock shared by the app and the fake. */
export class Clock {
  private ms: number;
  constructor(private readonly start: Date) {
    this.ms = start.getTime();
  }
  readonly now = (): Date => new Date(this.ms);
  set(date: Date): void {
    this.ms = Math.max(this.ms, date.getTime());
  }
  advance(ms: number): void {
    this.ms += ms;
  }
  reset(): void {
    this.ms = this.start.getTime();
  }
}

/** A timed job the app asked for. */
export interface ScheduledJob {
  readonly kind: string;
  readonly key: string;
  readonly payload: unknown;
  runAt: Date;
  attempts: number;
  state: "pending" | "done" | "failed";
  errors: string[];
}

/** The durable scheduler's contract, in memory: one job per key. */
export class MemoryScheduler {
  readonly jobs: ScheduledJob[] = [];
  async schedule(kind: string, key: string, payload: unknown, runAt: Date): Promise<boolean> {
    if (this.jobs.some((job) => job.key === key)) return false;
    this.jobs.push({ kind, key, payload: structuredClone(payload), runAt, attempts: 0, state: "pending", errors: [] });
    return true;
  }
}

/** What became of a delivery. */
export interface DeliveryResult {
  readonly ok: boolean;
  readonly attempts: number;
  readonly errors: readonly string[];
}

function describeError(error: unknown): string {
  const nested = (error as { errors?: unknown[] }).errors;
  if (Array.isArray(nested) && nested.length > 0) return nested.map(describeError).join("; ");
  const { status, message } = error as { status?: number; message?: string };
  return `${status ? `HTTP ${status}: ` : ""}${message ?? String(error)}`.slice(0, 200);
}

/** The app under test, loaded into a Probot that talks to the fake. */
export class AppUnderTest {
  readonly scheduler = new MemoryScheduler();
  private services: Services | undefined;

  private constructor(
    readonly probot: Probot,
    private readonly clock: Clock,
  ) {}

  /** A Probot with Hotfix Guard loaded, talking to the fake at `baseUrl`. */
  static async start(baseUrl: string, clock: Clock): Promise<AppUnderTest> {
    // A function, not an object: Probot's own defaults would override an object's throttle settings.
    const Octokit = serviceOctokit(undefined, { requestTimeoutMs: REQUEST_TIMEOUT_MS }).defaults((options: Record<string, unknown>) => ({
      ...options,
      throttle: { enabled: false },
      retry: { retryAfterBaseValue: 1 },
    })) as typeof ProbotOctokit;
    const probot = new Probot({ appId: FAULT_APP_ID, privateKey, baseUrl, Octokit, logLevel: "fatal" });
    const app = new AppUnderTest(probot, clock);
    await probot.load(
      createApp({ now: clock.now, appId: FAULT_APP_ID, scheduler: app.scheduler, onServices: (services) => (app.services = services) }),
      { cwd: process.cwd(), addHandler: () => undefined },
    );
    return app;
  }

  /** Receives a delivery, and again with the same id while it throws, as the durable queue would. */
  async deliver(event: { id: string; name: string; payload: unknown }, attempts = DELIVERY_ATTEMPTS): Promise<DeliveryResult> {
    const errors: string[] = [];
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      try {
        await this.probot.receive(event as Parameters<Probot["receive"]>[0]);
        return { ok: true, attempts: attempt, errors };
      } catch (error) {
        errors.push(describeError(error));
      }
    }
    return { ok: false, attempts, errors };
  }

  /**
   * Runs the timed jobs due within `windowMs` of now, earliest first, moving the clock to each;
   * a failed job is tried again a minute later, at most five times, as the queue would.
   */
  async runDueJobs(windowMs: number): Promise<number> {
    const until = this.clock.now().getTime() + windowMs;
    let ran = 0;
    for (;;) {
      const next = this.scheduler.jobs.filter((job) => job.state === "pending" && job.runAt.getTime() <= until).sort((a, b) => a.runAt.getTime() - b.runAt.getTime())[0];
      if (!next) return ran;
      this.clock.set(next.runAt);
      next.attempts += 1;
      ran += 1;
      try {
        await this.runJob(next);
        next.state = "done";
      } catch (error) {
        next.errors.push(describeError(error));
        if (next.attempts >= JOB_ATTEMPTS) next.state = "failed";
        else next.runAt = new Date(this.clock.now().getTime() + 60_000);
      }
    }
  }

  /** Runs one job as the durable app's worker does for its kind. */
  private async runJob(job: ScheduledJob): Promise<void> {
    const services = this.services;
    if (!services) throw new Error("the app did not hand over its services");
    const log = this.probot.log;
    switch (job.kind) {
      case MERGE_AUDIT_RECHECK: {
        const ref = job.payload as AuditRef;
        await auditMergedPullRequest(new OctokitAuditGateway(await this.probot.auth(ref.installationId), services.identity), ref, services, log);
        return;
      }
      case MERGE_BACK_RECHECK: {
        const payload = job.payload as MergeBackJob;
        await runMergeBackRecheck(await this.probot.auth(payload.installationId), payload, services, log);
        return;
      }
      case RELEASE_RECHECK: {
        const payload = job.payload as ReleaseRecheckJob;
        await runReleaseRecheck(await this.probot.auth(payload.installationId), payload, services, log);
        return;
      }
      case PULL_REQUEST_RECHECK: {
        const ref = job.payload as PullRequestRef;
        await evaluatePullRequest(new OctokitGateway(await this.probot.auth(ref.installationId), services.identity), ref, services, log);
        return;
      }
      default:
        throw new Error(`the fault harness does not know how to run jobs of kind ${job.kind}`);
    }
  }
}
