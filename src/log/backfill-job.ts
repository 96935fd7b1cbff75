/**
 * The app's backfill of the hotfix log: when the app is installed (or repositories are added to an
 * installation), one timed job per repository page through the durable queue. Each job records a
 * page of past hotfixes (oldest first, read-only, the `audit` command's code) and schedules the
 * next page with its cursor, paced so that a new installation stays well within GitHub's rate
 * limits. A job that dies mid-page is claimed again when its lease expires and redoes that page,
 * which records nothing twice; the next page's key names its cursor, so it is queued once.
 */
import type { ProbotOctokit } from "probot";
import { createServices } from "../handlers/services.js";
import { OctokitAuditGateway } from "../github/audit-gateway.js";
import { repoRef, type AppIdentity } from "../github/gateway.js";
import { OctokitMergeBackGateway } from "../github/merge-back-gateway.js";
import { backfillPage, type BackfillCursor, type BackfillPage } from "./backfill.js";
import type { HotfixRecorder } from "./recorder.js";

/** The timed job kind of one backfill page (payload: {@link BackfillJob}). */
export const HOTFIX_LOG_BACKFILL = "hotfix-log-backfill";
/** How far back a new installation's log goes: seed 002 keeps six months. */
export const BACKFILL_DAYS = 180;
/** Hotfixes per page (roughly 20 GitHub requests each). */
export const BACKFILL_PAGE_SIZE = 10;
/** The pause between pages of one repository. */
export const BACKFILL_PACE_MS = 60_000;

/** One page of a repository's backfill. */
export interface BackfillJob {
  readonly installationId: number;
  /** `owner/name`. */
  readonly repo: string;
  readonly since: string;
  readonly cursor: BackfillCursor | null;
}

/** Durable timed jobs (the handlers' scheduler). */
interface JobScheduler {
  schedule(kind: string, key: string, payload: unknown, runAt: Date): Promise<boolean>;
}

function jobKey(job: BackfillJob): string {
  const at = job.cursor ? `${job.cursor.mergedAt}#${job.cursor.number}` : "start";
  return `${HOTFIX_LOG_BACKFILL}:${job.installationId}:${job.repo.toLowerCase()}@${job.since}:${at}`;
}

/** Queues the first page of each repository's backfill, once per installation, repository and day. Returns how many were queued. */
export async function scheduleBackfills(scheduler: JobScheduler, installationId: number, repos: readonly string[], now: Date): Promise<number> {
  const since = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) - BACKFILL_DAYS * 24 * 3_600_000).toISOString();
  let queued = 0;
  for (const [index, repo] of repos.entries()) {
    const job: BackfillJob = { installationId, repo, since, cursor: null };
    if (await scheduler.schedule(HOTFIX_LOG_BACKFILL, jobKey(job), job, new Date(now.getTime() + index * BACKFILL_PACE_MS))) queued += 1;
  }
  return queued;
}

/** What a backfill job needs from the app. */
export interface BackfillJobDeps {
  readonly recorder: HotfixRecorder;
  readonly scheduler: JobScheduler;
  readonly identity: AppIdentity;
  readonly now: () => Date;
  /** The app's bot login, whose audit records and issues count. */
  readonly ownLogin: () => Promise<string>;
  /** Hotfixes per page (default {@link BACKFILL_PAGE_SIZE}). */
  readonly pageSize?: number;
}

/** Runs one page: records it, then queues the next page when there is one. */
export async function runBackfillJob(octokit: ProbotOctokit, job: BackfillJob, deps: BackfillJobDeps): Promise<BackfillPage> {
  const repo = repoRef(job.repo);
  const now = deps.now();
  const ownLogin = await deps.ownLogin();
  const services = createServices({ now: deps.now, identity: deps.identity });
  services.ownLogin = Promise.resolve(ownLogin);
  const page = await backfillPage(
    {
      repo,
      now,
      since: new Date(job.since),
      ownLogin,
      services,
      audit: new OctokitAuditGateway(octokit, deps.identity),
      mergeBack: new OctokitMergeBackGateway(octokit),
      recorder: deps.recorder,
      issueTimes: async (number) => {
        const { data } = await octokit.rest.issues.get({ ...repo, issue_number: number });
        return { createdAt: data.created_at, closedAt: data.closed_at };
      },
    },
    job.cursor,
    deps.pageSize ?? BACKFILL_PAGE_SIZE,
  );
  if (page.failures.length > 0) throw new Error(`backfill of ${job.repo}: ${page.failures.map((failure) => `#${failure.number}: ${failure.error}`).join("; ")}`);
  if (page.next) {
    const next: BackfillJob = { ...job, cursor: page.next };
    await deps.scheduler.schedule(HOTFIX_LOG_BACKFILL, jobKey(next), next, new Date(now.getTime() + BACKFILL_PACE_MS));
  }
  return page;
}
