/**
 * The notifier in the durable runtime: its destinations from the environment (validated at
 * start-up, which fails with the variable's problem), the configuration's check of destination
 * names, and the worker's handlers of its job kinds (sending, the review-wait check, the weekly digest).
 */
import type { Probot } from "probot";
import { setKnownDestinations } from "../config/schema-notifications.js";
import { OctokitGateway } from "../github/gateway.js";
import type { Services } from "../handlers/services.js";
import type { Worker } from "../server/worker.js";
import { destinationsFromEnv, type Destinations } from "./destinations.js";
import { nextDigestJob, NOTIFY_WEEKLY_DIGEST, type WeeklyDigestJob } from "./digest.js";
import { checkReviewWait } from "./hooks.js";
import { NOTIFY_REVIEW_WAIT, NOTIFY_SEND, Notifier, type NotifierOptions, type ReviewWaitJob } from "./service.js";

/**
 * Creates the process's notifier; `destinations` default to `NOTIFY_DESTINATIONS` (throws
 * `DestinationsError` when it is unusable). Repositories' routes may name only these destinations.
 */
export function createNotifier(options: Omit<NotifierOptions, "destinations"> & { readonly destinations?: Destinations | undefined }): Notifier {
  const destinations = options.destinations ?? destinationsFromEnv();
  setKnownDestinations(destinations.keys());
  return new Notifier({ ...options, destinations });
}

/** Schedules the weekly digest job due next after `after` (Monday 09:00 UTC), once per ISO week across replicas and restarts. */
export async function scheduleWeeklyDigest(scheduler: NotifierOptions["scheduler"], after: Date): Promise<void> {
  const next = nextDigestJob(after);
  await scheduler.schedule(NOTIFY_WEEKLY_DIGEST, next.key, next.payload, next.runAt);
}

/**
 * Registers the notifier's jobs: sending one message, the review-wait check (which reads GitHub
 * as the installation), and the weekly digest, which schedules the next week's when it ran.
 */
export function registerNotifyJobs(worker: Worker, notifier: Notifier, app: Probot, services: Services): void {
  worker.handle(NOTIFY_SEND, (payload, job) => notifier.deliver(payload, job));
  worker.handle(NOTIFY_REVIEW_WAIT, async (payload) => {
    const job = payload as ReviewWaitJob;
    await checkReviewWait(new OctokitGateway(await app.auth(job.installationId), services.identity), job, services);
  });
  worker.handle(NOTIFY_WEEKLY_DIGEST, async (payload) => {
    const job = payload as WeeklyDigestJob;
    try {
      await notifier.weeklyDigest(job);
    } finally {
      if (services.scheduler) await scheduleWeeklyDigest(services.scheduler, new Date(job.until));
    }
  });
}
