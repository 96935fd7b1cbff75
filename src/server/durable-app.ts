/**
 * Hotfix Guard with durable processing: the store-first ingress, the queue worker that runs
 * deliveries through the same handlers, timed jobs (pull request re-checks, delivery recovery,
 * pruning), and the readiness route. The handlers themselves are `createApp`'s; `/metrics` is
 * served by `metricsRoute` (src/server/metrics.ts), wired where the server is started.
 * Recovery runs at every start and on its period, once across replicas: a pass is skipped when
 * another one started less than a minute before it was due.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ApplicationFunction, Logger, Probot } from "probot";
import { createApp } from "../index.js";
import { OctokitGateway } from "../github/gateway.js";
import { KeyedLock } from "../handlers/keyed-lock.js";
import { evaluatePullRequest, type PullRequestRef } from "../handlers/pull-request.js";
import { MERGE_BACK_RECHECK, RELEASE_RECHECK, runMergeBackRecheck, type MergeBackJob, type ReleaseRecheckJob } from "../handlers/merge-back.js";
import { runReleaseRecheck } from "../handlers/release-recheck.js";
import { auditMergedPullRequest, MERGE_AUDIT_RECHECK, type AuditRef } from "../handlers/audit-run.js";
import { OctokitAuditGateway } from "../github/audit-gateway.js";
import { ownBotLogin, PULL_REQUEST_RECHECK, type Scheduler, type Services } from "../handlers/services.js";
import { HOTFIX_LOG_BACKFILL, runBackfillJob, type BackfillJob } from "../log/backfill-job.js";
import { ESCALATION_STEP, runEscalationStep, type EscalationJob } from "../handlers/escalation.js";
import { OctokitEmergencyGateway } from "../github/emergency-gateway.js";
import { HotfixLogGauges } from "../log/gauges.js";
import { HotfixRecorder } from "../log/recorder.js";
import { HotfixLogStore } from "../log/store.js";
import type { Destinations } from "../notify/destinations.js";
import { createNotifier, registerNotifyJobs, scheduleWeeklyDigest } from "../notify/jobs.js";
import type { Database } from "../store/database.js";
import type { JobQueue } from "../store/jobs.js";
import { createIngress } from "./ingress.js";
import type { Metrics } from "./metrics.js";
import { recoverDeliveries } from "./recovery.js";
import { Worker, type WorkerOptions } from "./worker.js";

/** Timed job kinds. */
export const JOB_KINDS = {
  /** Re-evaluate a pull request when a timed rule (the review wait) comes due. */
  pullRequestRecheck: PULL_REQUEST_RECHECK,
  recovery: "recovery",
  prune: "prune",
  /** Refresh the hotfix log's gauges on `/metrics`. */
  hotfixLogGauges: "hotfix-log-gauges",
  /** One step of a hotfix's escalation ladder. */
  escalationStep: ESCALATION_STEP,
} as const;

/** A recovery pass due within this long after another one started is covered by it. */
const RECOVERY_COALESCE_MS = 60_000;
/** How many times recovery gives a failed job a new set of attempts before it stays failed. */
export const MAX_REVIVALS = 3;
/** How often the hotfix log's gauges are recomputed. */
const HOTFIX_LOG_GAUGES_MS = 5 * 60_000;

/** The ingress counts as busy (the worker yields to it) until this long after its last delivery. */
const INGRESS_QUIET_MS = 50;

/**
 * Jobs at once on PostgreSQL: a pull request's evaluation holds a pooled connection for its
 * advisory lock (src/store/database.ts's pool has 10), and the ingress and the jobs' own short
 * queries share the rest; at 10 the jobs would wait on each other for a connection.
 */
const POSTGRES_CONCURRENCY = 8;

/** Keep finished jobs a week: GitHub redelivers for three days, so duplicates stay recognised. */
const KEEP_FINISHED_MS = 7 * 24 * 60 * 60_000;

/** Options of the durable app. */
export interface DurableAppOptions {
  readonly db: Database;
  readonly queue: JobQueue;
  readonly metrics: Metrics;
  /** The public webhook path GitHub posts to. */
  readonly webhookPath: string;
  readonly secret: string;
  readonly now?: () => Date;
  readonly appId?: number;
  /** Whether to start the worker and the maintenance jobs (tests drive the worker themselves). */
  readonly startWorker?: boolean;
  readonly worker?: Pick<WorkerOptions, "concurrency" | "pollMs" | "leaseMs">;
  /** Notification destinations; `NOTIFY_DESTINATIONS` by default (src/notify/destinations.ts). */
  readonly notifyDestinations?: Destinations;
  /** How often recovery and pruning run. */
  readonly intervals?: { readonly recoveryMs: number; readonly pruneMs: number };
}

/** What the durable app exposes once loaded. */
export interface DurableRuntime {
  readonly worker: Worker;
  readonly services: Services;
  /** The app's logger. */
  readonly log: Logger;
  /**
   * Schedules this start's recovery pass and the next periodic recovery and pruning; done at
   * load when the worker starts, and by tests that drive the worker themselves.
   */
  scheduleMaintenance(): Promise<void>;
  /** The hotfix log, for the web view and exports. */
  readonly hotfixLog: HotfixLogStore;
}

/**
 * Whether deliveries are arriving: busy while one is being received or stored, and until
 * `quietMs` after the last one was answered. The worker yields to a busy ingress, so it is woken
 * when a new delivery is stored (a slot may be free) and once the burst is over (to fill every
 * slot again).
 */
export class IngressActivity {
  private inProgress = 0;
  /** Set while the quiet time after the last answer runs. */
  private quietTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly quietMs: number,
    private readonly wake: () => void,
  ) {}

  /** Whether a delivery is in hand or was answered within the quiet time. */
  busy(): boolean {
    return this.inProgress > 0 || this.quietTimer !== undefined;
  }

  /** A delivery started arriving. */
  received(): void {
    this.inProgress += 1;
  }

  /** A delivery was answered; `stored` when it was new and is now in the queue. */
  answered(stored: boolean): void {
    this.inProgress -= 1;
    if (this.quietTimer) this.quietTimer.refresh();
    else {
      this.quietTimer = setTimeout(() => {
        this.quietTimer = undefined;
        if (this.inProgress === 0) this.wake();
      }, this.quietMs);
      this.quietTimer.unref();
    }
    if (stored) this.wake();
  }
}

function readiness(db: Database) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    if (req.method !== "GET" || req.url?.split("?")[0] !== "/readyz") return false;
    try {
      await db.query("SELECT 1");
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ status: "ready", database: db.kind }));
    } catch (error) {
      res.writeHead(503, { "content-type": "application/json" }).end(JSON.stringify({ status: "unavailable", error: (error as Error).message }));
    }
    return true;
  };
}

/** Schedules the next run of a periodic job; the key names the period, so replicas schedule it once. */
function scheduleNextPeriod(queue: JobQueue, kind: string, everyMs: number, now: Date): Promise<boolean> {
  const period = Math.floor(now.getTime() / everyMs) + 1;
  return queue.schedule(kind, `${kind}@${period}`, {}, new Date(period * everyMs), now);
}

function intervalsOf(options: DurableAppOptions): { recoveryMs: number; pruneMs: number } {
  return options.intervals ?? { recoveryMs: 30 * 60_000, pruneMs: 6 * 60 * 60_000 };
}

function registerTimedJobs(worker: Worker, app: Probot, services: Services, options: DurableAppOptions, now: () => Date, gauges: HotfixLogGauges): void {
  const { queue } = options;
  const intervals = intervalsOf(options);
  worker.handle(JOB_KINDS.pullRequestRecheck, async (payload) => {
    const ref = payload as PullRequestRef;
    const gateway = new OctokitGateway(await app.auth(ref.installationId), services.identity);
    await evaluatePullRequest(gateway, ref, services, app.log);
  });
  worker.handle(MERGE_AUDIT_RECHECK, async (payload) => {
    const ref = payload as AuditRef;
    await auditMergedPullRequest(new OctokitAuditGateway(await app.auth(ref.installationId), services.identity), ref, services, app.log);
  });
  worker.handle(MERGE_BACK_RECHECK, async (payload) => {
    const job = payload as MergeBackJob;
    await runMergeBackRecheck(await app.auth(job.installationId), job, services, app.log);
  });
  worker.handle(RELEASE_RECHECK, async (payload) => {
    const job = payload as ReleaseRecheckJob;
    await runReleaseRecheck(await app.auth(job.installationId), job, services, app.log);
  });
  worker.handle(JOB_KINDS.escalationStep, async (payload) => {
    const job = payload as EscalationJob;
    await runEscalationStep(new OctokitEmergencyGateway(await app.auth(job.installationId), services.identity), job, services, app.log);
  });
  worker.handle(HOTFIX_LOG_BACKFILL, async (payload) => {
    const job = payload as BackfillJob;
    const octokit = await app.auth(job.installationId);
    const recorder = services.hotfixLog;
    if (!recorder || !services.scheduler) return;
    const page = await runBackfillJob(octokit, job, { recorder, scheduler: services.scheduler, identity: services.identity, now, ownLogin: () => ownBotLogin(new OctokitGateway(octokit, services.identity), services) });
    app.log.info({ repo: page.repository, recorded: page.recorded.length, hotfixes: page.hotfixes, more: page.next !== null }, "hotfix log backfill page");
  });
  worker.handle(JOB_KINDS.hotfixLogGauges, async () => {
    try {
      await gauges.refresh(now());
    } finally {
      await scheduleNextPeriod(queue, JOB_KINDS.hotfixLogGauges, HOTFIX_LOG_GAUGES_MS, now());
    }
  });
  worker.handle(JOB_KINDS.recovery, async (_payload, job) => {
    try {
      if (!(await queue.startPass(JOB_KINDS.recovery, job.key, now(), new Date(job.runAt.getTime() - RECOVERY_COALESCE_MS)))) {
        app.log.info({ job: job.key }, "delivery recovery pass skipped: another pass started less than a minute before this one was due");
        return;
      }
      const report = await recoverDeliveries(await app.auth(), queue, now());
      const revived = await queue.revive(now(), MAX_REVIVALS, [JOB_KINDS.recovery, JOB_KINDS.prune, JOB_KINDS.hotfixLogGauges]);
      app.log.info({ job: job.key, attemptsSeen: report.attemptsSeen, redelivered: report.redelivered, revived: revived.map((r) => `${r.kind}:${r.key}`) }, "delivery recovery pass");
    } finally {
      await scheduleNextPeriod(queue, JOB_KINDS.recovery, intervals.recoveryMs, now());
    }
  });
  worker.handle(JOB_KINDS.prune, async () => {
    try {
      const removed = await queue.prune(new Date(now().getTime() - KEEP_FINISHED_MS));
      await options.db.reclaimSpace();
      app.log.info({ removed }, "pruned finished jobs and reclaimed their space");
    } finally {
      await scheduleNextPeriod(queue, JOB_KINDS.prune, intervals.pruneMs, now());
    }
  });
}

/** This start's recovery pass (keyed by the worker, so every start has one) and the next periodic jobs. */
async function scheduleMaintenance(queue: JobQueue, worker: Worker, options: DurableAppOptions, now: () => Date): Promise<void> {
  const intervals = intervalsOf(options);
  const at = now();
  await queue.schedule(JOB_KINDS.recovery, `start:${worker.id}`, {}, at, at);
  await scheduleNextPeriod(queue, JOB_KINDS.recovery, intervals.recoveryMs, at);
  await scheduleNextPeriod(queue, JOB_KINDS.prune, intervals.pruneMs, at);
  await scheduleNextPeriod(queue, JOB_KINDS.hotfixLogGauges, HOTFIX_LOG_GAUGES_MS, at);
  await scheduleWeeklyDigest({ schedule: (kind, key, payload, runAt) => queue.schedule(kind, key, payload, runAt, at) }, at);
}

/** Builds the durable app function; `onReady` receives its runtime once loaded. */
export function createDurableApp(options: DurableAppOptions, onReady?: (runtime: DurableRuntime) => void): ApplicationFunction {
  return async (app, appOptions) => {
    const now = options.now ?? (() => new Date());
    const { queue, metrics } = options;
    const scheduler: Scheduler = { schedule: (kind, key, payload, runAt) => queue.schedule(kind, key, payload, runAt, now()) };
    let services: Services | undefined;
    const locks = new KeyedLock((key, work) => options.db.withLock(key, work));
    const hotfixLogStore = new HotfixLogStore(options.db, now);
    const hotfixLog = new HotfixRecorder(hotfixLogStore, now, app.log);
    const notifier = createNotifier({ destinations: options.notifyDestinations, scheduler, db: options.db, now, log: app.log, registry: metrics.registry, hotfixLog: { recorder: hotfixLog, store: hotfixLogStore } });
    await createApp({ now, scheduler, locks, hotfixLog, notify: notifier.notify, ...(options.appId ? { appId: options.appId } : {}), onServices: (s) => (services = s) })(app, appOptions);
    if (!services) throw new Error("the app did not create its services");
    const ingress = new IngressActivity(INGRESS_QUIET_MS, () => worker.wake());
    const concurrency = options.db.kind === "postgres" ? POSTGRES_CONCURRENCY : undefined;
    const worker: Worker = new Worker({ queue, probot: app, metrics, log: app.log, now, ingressBusy: () => ingress.busy(), concurrency, ...options.worker });
    registerTimedJobs(worker, app, services, options, now, new HotfixLogGauges(metrics.registry, hotfixLogStore));
    registerNotifyJobs(worker, notifier, app, services);
    appOptions.addHandler(
      createIngress({
        path: options.webhookPath,
        secret: options.secret,
        queue,
        metrics,
        now,
        activity: ingress,
      }),
    );
    appOptions.addHandler(readiness(options.db));
    const runtime: DurableRuntime = { worker, services, hotfixLog: hotfixLogStore, log: app.log, scheduleMaintenance: () => scheduleMaintenance(queue, worker, options, now) };
    if (options.startWorker !== false) {
      worker.start();
      void runtime.scheduleMaintenance().catch((error: unknown) => app.log.error({ reason: (error as Error).message }, "could not schedule maintenance jobs"));
    }
    onReady?.(runtime);
  };
}
