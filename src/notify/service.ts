/**
 * The notifier: handlers report a moment with one call (`services.notify?.(request)`), which only
 * routes it (the repository's `notifications.routes`) and schedules one durable job per
 * (hotfix, event, destination): the job's key makes a duplicated or redelivered webhook send
 * nothing more. The worker sends ({@link Notifier.deliver}): the destination's client makes one
 * attempt; a 429 hands the job back to the queue until `Retry-After` without spending an attempt,
 * other failures are retried with the queue's backoff, and a message that finally fails is
 * recorded (counter, log line with the reason, the hotfix's timeline) and never blocks anything
 * else. Slack bot messages after a hotfix's first go into its thread (the root's `ts` is stored).
 * Routing a moment also keeps the repository's `weekly-digest` destinations, which the week's
 * digest job (src/notify/digest.ts) reads; a digest goes through the same send path, one job per
 * (destination, week).
 */
import { createHash } from "node:crypto";
import client from "prom-client";
import type { Logger } from "probot";
import type { NotificationsConfig, NotifyEventName } from "../config/schema-notifications.js";
import type { HotfixRecorder } from "../log/recorder.js";
import type { HotfixLogStore } from "../log/store.js";
import type { Database } from "../store/database.js";
import type { Job } from "../store/jobs.js";
import type { Destinations } from "./destinations.js";
import { buildDigest, digestDestinations, digestRoutes, isoWeek, saveDigestRoutes, type WeeklyDigestJob } from "./digest.js";
import { eventsOf, occurrenceOf, summaryOfRecord, type Digest, type HotfixSummary, type NotifyDetails, type NotifyRequest } from "./events.js";
import { digestWebhookBody, slackText, teamsCard, webhookBody } from "./formats.js";
import { digestMessage, renderMessage } from "./messages.js";
import { SendError, sendMessage, type SendResult } from "./senders.js";

/** The job kind that sends one message to one destination (payload: {@link SendJob}). */
export const NOTIFY_SEND = "notify-send";
/** The job kind that checks, N minutes after a hotfix opened, whether it still waits for a reviewer (payload: {@link ReviewWaitJob}). */
export const NOTIFY_REVIEW_WAIT = "notify-review-wait";

/** One message to one destination, as the queue keeps it. */
export interface SendJob {
  readonly key: string;
  readonly destination: string;
  readonly event: NotifyEventName;
  readonly hotfix: HotfixSummary;
  readonly details: NotifyDetails;
  /** Sent only if the post-incident review is still open when the job runs (the overdue message). */
  readonly unlessClosed?: true;
}

/** One destination's weekly digest, as the queue keeps it (the same job kind as {@link SendJob}). */
export interface DigestSendJob {
  readonly key: string;
  readonly destination: string;
  readonly event: "weekly-digest";
  readonly digest: Digest;
}

/** The review-wait check of one hotfix pull request. */
export interface ReviewWaitJob {
  readonly installationId: number;
  readonly repo: string;
  readonly number: number;
  readonly minutes: number;
}

/** Where the notifier writes and reports. */
export interface NotifierOptions {
  readonly destinations: Destinations;
  readonly scheduler: { schedule(kind: string, key: string, payload: unknown, runAt: Date): Promise<boolean> };
  readonly db: Database;
  readonly now: () => Date;
  readonly log: Pick<Logger, "info" | "warn" | "error">;
  /** The registry the notifications counter joins (the app's `/metrics`). */
  readonly registry?: client.Registry;
  /** The hotfix log: a final failure joins the hotfix's timeline, and the overdue message reads whether the review was closed. */
  readonly hotfixLog?: { readonly recorder: HotfixRecorder; readonly store: HotfixLogStore };
}

/** The destinations a routed event goes to, for a hotfix of `severity`, in route order, each once. */
export function routeTo(config: NotificationsConfig, event: NotifyEventName, severity: string | null): string[] {
  const matching = config.routes.filter(
    (route) => route.events.includes(event) && (route.severities.length === 0 || (severity !== null && route.severities.some((wanted) => wanted.toLowerCase() === severity.toLowerCase()))),
  );
  return [...new Set(matching.flatMap((route) => route.to))];
}

/** A send job's key: the hotfix, the event (and its occurrence) and the destination. */
export function sendKey(hotfix: Pick<HotfixSummary, "repo" | "number">, event: NotifyEventName, details: NotifyDetails, destination: string): string {
  return `${NOTIFY_SEND}:${hotfix.repo.toLowerCase()}#${hotfix.number}:${event}${occurrenceOf(details)}:${destination}`;
}

/** An error the worker treats as a rate limit: the job resumes after `waitMs` without spending an attempt. */
function rateLimited(error: SendError, waitMs: number): Error {
  return Object.assign(new Error(error.message), { status: 429, response: { headers: { "retry-after": String(Math.ceil(waitMs / 1000)) } } });
}

/** The notifier of one process. */
export class Notifier {
  private readonly sent: client.Counter;

  constructor(private readonly options: NotifierOptions) {
    this.sent = new client.Counter({
      name: "hotfix_guard_notifications_total",
      help: "Notification messages, by destination, event and outcome (sent, retried, failed, skipped).",
      labelNames: ["destination", "event", "outcome"],
      registers: options.registry ? [options.registry] : [],
    });
  }

  /**
   * Routes a moment and schedules its messages; also schedules what follows from it (the
   * review-wait check after `opened`, the overdue message at a post-incident review's due time).
   * Never throws: a failure to schedule is logged, and the handler goes on.
   */
  readonly notify = async (request: NotifyRequest): Promise<void> => {
    const { policy, details } = request;
    const config = policy.config.notifications;
    const now = this.options.now();
    let hotfix = request.hotfix;
    await this.rememberDigestRoutes(hotfix.repo, config, now);
    if (config.routes.length === 0) return;
    try {
      hotfix = await this.withRecord(hotfix);
      for (const event of eventsOf(details)) await this.scheduleSends(config, event, hotfix, details, now);
      if (details.kind === "post-incident-due") {
        const overdue: NotifyDetails = { kind: "post-incident-overdue", dueAt: details.dueAt, issueUrl: details.issueUrl };
        await this.scheduleSends(config, "post-incident-overdue", hotfix, overdue, new Date(Math.max(now.getTime(), Date.parse(details.dueAt))), true);
      }
      if (details.kind === "opened" && request.installationId !== undefined && routeTo(config, "awaiting-review", hotfix.severity).length > 0) {
        const minutes = config.review_wait_minutes;
        const job: ReviewWaitJob = { installationId: request.installationId, repo: hotfix.repo, number: hotfix.number, minutes };
        await this.options.scheduler.schedule(NOTIFY_REVIEW_WAIT, `${NOTIFY_REVIEW_WAIT}:${hotfix.repo.toLowerCase()}#${hotfix.number}`, job, new Date(now.getTime() + minutes * 60_000));
      }
    } catch (error) {
      this.options.log.error({ reason: (error as Error).message, repo: hotfix.repo, pr: hotfix.number, kind: details.kind }, "notifications could not be scheduled");
    }
  };

  /** Keeps the repository's `weekly-digest` destinations for the week's digest job; a failure is logged. */
  private async rememberDigestRoutes(repo: string, config: NotificationsConfig, now: Date): Promise<void> {
    try {
      await saveDigestRoutes(this.options.db, repo, digestDestinations(config), now);
    } catch (error) {
      this.options.log.error({ reason: (error as Error).message, repo }, "weekly digest routes could not be saved");
    }
  }

  /**
   * The week's digest job: one message per destination that repositories route `weekly-digest`
   * to, built from the hotfix log now and scheduled under the key (week, destination), so a job
   * run twice sends nothing more. Nothing without the hotfix log.
   */
  async weeklyDigest(payload: WeeklyDigestJob): Promise<void> {
    const store = this.options.hotfixLog?.store;
    if (!store) return;
    const until = new Date(payload.until);
    const week = isoWeek(until);
    for (const [destination, repos] of await digestRoutes(this.options.db)) {
      if (!this.options.destinations.has(destination)) continue;
      const key = `${NOTIFY_SEND}:weekly-digest@${week}:${destination}`;
      const job: DigestSendJob = { key, destination, event: "weekly-digest", digest: await buildDigest(store, repos, until) };
      await this.options.scheduler.schedule(NOTIFY_SEND, key, job, this.options.now());
    }
  }

  /** The summary completed from the hotfix log: its id, and the description's fields a handler did not have. */
  private async withRecord(hotfix: HotfixSummary): Promise<HotfixSummary> {
    if (hotfix.trackingId !== null || !this.options.hotfixLog) return hotfix;
    const record = await this.options.hotfixLog.store.byPullRequest(hotfix.repo, hotfix.number);
    if (!record) return hotfix;
    const logged = summaryOfRecord(record);
    const merged = Object.fromEntries(Object.entries(hotfix).map(([key, value]) => [key, value ?? logged[key as keyof HotfixSummary]]));
    return merged as unknown as HotfixSummary;
  }

  private async scheduleSends(config: NotificationsConfig, event: NotifyEventName, hotfix: HotfixSummary, details: NotifyDetails, runAt: Date, unlessClosed = false): Promise<void> {
    for (const destination of routeTo(config, event, hotfix.severity)) {
      const key = sendKey(hotfix, event, details, destination);
      const job: SendJob = { key, destination, event, hotfix, details, ...(unlessClosed ? { unlessClosed: true as const } : {}) };
      await this.options.scheduler.schedule(NOTIFY_SEND, key, job, runAt);
    }
  }

  /**
   * Sends one queued message (the worker's handler of {@link NOTIFY_SEND}). Throws to have the
   * queue retry; returns after a final failure, which it records.
   */
  async deliver(payload: unknown, job: Pick<Job, "attempts" | "maxAttempts">): Promise<void> {
    if ("digest" in (payload as object)) return this.deliverDigest(payload as DigestSendJob, job);
    const send = payload as SendJob;
    const labels = { destination: send.destination, event: send.event };
    const destination = this.options.destinations.get(send.destination);
    if (!destination) return this.fail(send, "the destination is no longer defined in NOTIFY_DESTINATIONS");
    if (send.unlessClosed && (await this.reviewClosed(send.hotfix))) {
      this.sent.inc({ ...labels, outcome: "skipped" });
      return;
    }
    const message = renderMessage(send.event, send.hotfix, send.details);
    const deliveryId = createHash("sha256").update(send.key).digest("hex").slice(0, 32);
    const thread = destination.type === "slack-bot" ? await this.threadOf(send) : null;
    const result = await this.attempt(labels, job, () =>
      sendMessage(
        destination,
        { slack: slackText(message), teams: teamsCard(message), webhook: webhookBody(send.event, send.hotfix, send.details, message, deliveryId), deliveryId },
        thread ?? undefined,
        this.options.now(),
      ),
    );
    if (typeof result === "string") return this.fail(send, result);
    if (destination.type === "slack-bot" && thread === null && result.ts) await this.saveThread(send, result.channel ?? destination.channel, result.ts);
    this.options.log.info({ ...labels, repo: send.hotfix.repo, pr: send.hotfix.number, headline: message.headline }, "notification sent");
  }

  /** Sends one destination's weekly digest; a final failure is counted and logged (it belongs to no hotfix's timeline). */
  private async deliverDigest(send: DigestSendJob, job: Pick<Job, "attempts" | "maxAttempts">): Promise<void> {
    const labels = { destination: send.destination, event: send.event };
    const destination = this.options.destinations.get(send.destination);
    const message = digestMessage(send.digest);
    const deliveryId = createHash("sha256").update(send.key).digest("hex").slice(0, 32);
    const result = destination
      ? await this.attempt(labels, job, () =>
          sendMessage(destination, { slack: slackText(message), teams: teamsCard(message), webhook: digestWebhookBody(send.digest, message, deliveryId), deliveryId }, undefined, this.options.now()),
        )
      : "the destination is no longer defined in NOTIFY_DESTINATIONS";
    if (typeof result === "string") {
      this.sent.inc({ ...labels, outcome: "failed" });
      this.options.log.error({ ...labels, week: send.digest.week, reason: result }, "notification not sent: giving up");
      return;
    }
    this.options.log.info({ ...labels, week: send.digest.week, headline: message.headline }, "notification sent");
  }

  /**
   * One attempt through the destination's client, counted. Throws to have the queue retry (a
   * rate limit waits for `Retry-After` without spending an attempt); returns the reason of a final failure.
   */
  private async attempt(labels: { readonly destination: string; readonly event: string }, job: Pick<Job, "attempts" | "maxAttempts">, send: () => Promise<SendResult>): Promise<SendResult | string> {
    try {
      const result = await send();
      this.sent.inc({ ...labels, outcome: "sent" });
      return result;
    } catch (error) {
      if (!(error instanceof SendError)) throw error;
      if (!error.permanent && error.retryAfterMs !== null) {
        this.sent.inc({ ...labels, outcome: "retried" });
        throw rateLimited(error, error.retryAfterMs);
      }
      if (error.permanent || job.attempts >= job.maxAttempts) return error.message;
      this.sent.inc({ ...labels, outcome: "retried" });
      throw error;
    }
  }

  private async fail(send: SendJob, reason: string): Promise<void> {
    this.sent.inc({ destination: send.destination, event: send.event, outcome: "failed" });
    this.options.log.error({ destination: send.destination, event: send.event, repo: send.hotfix.repo, pr: send.hotfix.number, reason }, "notification not sent: giving up");
    await this.options.hotfixLog?.recorder.notificationFailed(send.hotfix.repo, send.hotfix.number, { key: send.key, event: send.event, destination: send.destination, reason });
  }

  private async reviewClosed(hotfix: HotfixSummary): Promise<boolean> {
    const record = await this.options.hotfixLog?.store.byPullRequest(hotfix.repo, hotfix.number);
    return Boolean(record?.postIncident?.closedAt);
  }

  private async threadOf(send: SendJob): Promise<string | null> {
    const [row] = await this.options.db.query<{ ts: string }>("SELECT ts FROM notify_threads WHERE destination = $1 AND repo_key = $2 AND pr = $3", [
      send.destination,
      send.hotfix.repo.toLowerCase(),
      send.hotfix.number,
    ]);
    return row?.ts ?? null;
  }

  private async saveThread(send: SendJob, channel: string, ts: string): Promise<void> {
    await this.options.db.query("INSERT INTO notify_threads (destination, repo_key, pr, channel, ts, created_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING", [
      send.destination,
      send.hotfix.repo.toLowerCase(),
      send.hotfix.number,
      channel,
      ts,
      this.options.now(),
    ]);
  }
}
