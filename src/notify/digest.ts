/**
 * The weekly digest (`weekly-digest`): once a week, every destination that repositories route
 * the event to gets one message about those repositories from the hotfix log. The app knows a
 * repository's routes only when it reads its configuration, so the notifier keeps each
 * repository's digest destinations (`notify_digest_routes`) whenever it routes a moment; the
 * week's job reads them. The job is keyed by its ISO week and each message by (week, destination),
 * so restarts, replicas and a job run twice send each digest once.
 */
import type { NotificationsConfig } from "../config/schema-notifications.js";
import type { HotfixMetrics, HotfixRecord, PostMortemStatus } from "../log/model.js";
import type { HotfixLogStore } from "../log/store.js";
import type { Queryable } from "../store/database.js";
import type { Digest, DigestHotfix } from "./events.js";

/** The job kind that builds the week's digests (payload: {@link WeeklyDigestJob}). */
export const NOTIFY_WEEKLY_DIGEST = "notify-weekly-digest";

/** The week's digest job: the end of the week it covers. */
export interface WeeklyDigestJob {
  readonly until: string;
}

const DAY_MS = 24 * 3_600_000;
/** The warning signs read this far back, like the log's gauges (seed 001's thresholds are monthly). */
const WARNING_WINDOW_DAYS = 90;
/** The digest goes out on Mondays at this hour (UTC). */
const DIGEST_HOUR_UTC = 9;

/** The ISO 8601 week of a time (UTC), such as `2026-W49`. */
export function isoWeek(at: Date): string {
  const day = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
  day.setUTCDate(day.getUTCDate() + 4 - (day.getUTCDay() || 7));
  const week = Math.ceil(((day.getTime() - Date.UTC(day.getUTCFullYear(), 0, 1)) / DAY_MS + 1) / 7);
  return `${day.getUTCFullYear()}-W${String(week).padStart(2, "0")}`;
}

/** The first Monday 09:00 UTC after `after`: when the next digest goes out. */
export function nextDigestRun(after: Date): Date {
  const run = new Date(Date.UTC(after.getUTCFullYear(), after.getUTCMonth(), after.getUTCDate(), DIGEST_HOUR_UTC));
  run.setUTCDate(run.getUTCDate() + ((8 - run.getUTCDay()) % 7));
  if (run <= after) run.setUTCDate(run.getUTCDate() + 7);
  return run;
}

/** The digest job due next after `after`, keyed by its ISO week (replicas and restarts schedule it once). */
export function nextDigestJob(after: Date): { readonly key: string; readonly payload: WeeklyDigestJob; readonly runAt: Date } {
  const runAt = nextDigestRun(after);
  return { key: `${NOTIFY_WEEKLY_DIGEST}@${isoWeek(runAt)}`, payload: { until: runAt.toISOString() }, runAt };
}

/** The destinations a repository's routes send `weekly-digest` to, each once (a route's `severities` do not filter the digest). */
export function digestDestinations(config: NotificationsConfig): string[] {
  return [...new Set(config.routes.filter((route) => route.events.includes("weekly-digest")).flatMap((route) => route.to))];
}

/** Keeps the repository's digest destinations as its configuration now says (none: the repository leaves every digest). */
export async function saveDigestRoutes(db: Queryable, repo: string, destinations: readonly string[], now: Date): Promise<void> {
  if (destinations.length === 0) {
    await db.query("DELETE FROM notify_digest_routes WHERE repo_key = $1", [repo.toLowerCase()]);
    return;
  }
  await db.query(
    `INSERT INTO notify_digest_routes (repo_key, repo, destinations, updated_at) VALUES ($1, $2, $3::jsonb, $4)
     ON CONFLICT (repo_key) DO UPDATE SET repo = EXCLUDED.repo, destinations = EXCLUDED.destinations, updated_at = EXCLUDED.updated_at
     WHERE notify_digest_routes.destinations IS DISTINCT FROM EXCLUDED.destinations OR notify_digest_routes.repo IS DISTINCT FROM EXCLUDED.repo`,
    [repo.toLowerCase(), repo, JSON.stringify(destinations), now],
  );
}

/** The repositories routed to each destination, repositories in name order. */
export async function digestRoutes(db: Queryable): Promise<Map<string, string[]>> {
  const rows = await db.query<{ repo: string; destinations: string[] | string }>("SELECT repo, destinations FROM notify_digest_routes ORDER BY repo_key");
  const byDestination = new Map<string, string[]>();
  for (const row of rows) {
    const destinations = typeof row.destinations === "string" ? (JSON.parse(row.destinations) as string[]) : row.destinations;
    for (const destination of destinations) byDestination.set(destination, [...(byDestination.get(destination) ?? []), row.repo]);
  }
  return byDestination;
}

function minute(iso: string): string {
  return `${iso.slice(0, 16).replace("T", " ")} UTC`;
}

function postMortemText(status: PostMortemStatus): string {
  switch (status.status) {
    case "not-due":
      return "not due yet";
    case "on-time":
      return "done on time";
    case "late":
      return "done late";
    case "open":
      return `open, due ${minute(status.dueAt)}`;
    case "overdue":
      return `OVERDUE since ${minute(status.dueAt)}`;
    case "skipped":
      return `SKIPPED (was due ${minute(status.dueAt)})`;
  }
}

function mergeBackText(record: HotfixRecord): string {
  if (record.mergeBack.length === 0) return "not assessed yet";
  const missing = record.mergeBack.filter((target) => target.doneAt === null).map((target) => target.target);
  return missing.length === 0 ? "done" : `missing in ${missing.join(", ")}`;
}

function digestHotfix(record: HotfixRecord & { readonly metrics: HotfixMetrics }): DigestHotfix {
  return {
    repo: record.repo,
    id: record.id,
    number: record.pullRequest,
    title: record.title,
    url: record.links.pullRequest,
    mergedAt: record.mergedAt ?? record.dateTime,
    verdict: record.audit?.verdict ?? null,
    mergeBack: mergeBackText(record),
    postMortem: postMortemText(record.metrics.postMortem),
    postMortemUrl: record.links.postIncidentIssue,
  };
}

/**
 * The digest of the repositories for the week ending `until`: their hotfixes merged in the
 * seven days before it (among those the log dates within {@link WARNING_WINDOW_DAYS}), and each
 * repository's warning signs over that window.
 */
export async function buildDigest(store: Pick<HotfixLogStore, "exportJson">, repos: readonly string[], until: Date): Promise<Digest> {
  const since = new Date(until.getTime() - 7 * DAY_MS);
  const window = { since: new Date(until.getTime() - WARNING_WINDOW_DAYS * DAY_MS).toISOString(), until: until.toISOString() };
  const hotfixes: DigestHotfix[] = [];
  const warnings: Digest["warnings"][number][] = [];
  for (const repo of repos) {
    const data = await store.exportJson([repo], window);
    for (const record of data.hotfixes) {
      const merged = record.mergedAt === null ? Number.NaN : Date.parse(record.mergedAt);
      if (record.state === "merged" && merged >= since.getTime() && merged < until.getTime()) hotfixes.push(digestHotfix(record));
    }
    warnings.push(...data.metrics.warnings.map((sign) => ({ repo, message: sign.message, ids: sign.ids })));
  }
  hotfixes.sort((a, b) => Date.parse(b.mergedAt) - Date.parse(a.mergedAt));
  return { week: isoWeek(since), since: since.toISOString(), until: until.toISOString(), repos, hotfixes, warnings };
}
