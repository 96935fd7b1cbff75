/**
 * Recovering deliveries GitHub could not hand over (the app was down, or answered with an error):
 * GitHub never retries by itself but keeps three days of delivery attempts, and recommends that
 * apps redeliver the failed ones. This walks `GET /app/hook/deliveries` back three days and asks
 * GitHub to redeliver each delivery whose every attempt failed and that the store does not hold.
 * Redeliveries keep their delivery id, so one that arrives twice is still stored once.
 */
import type { ProbotOctokit } from "probot";
import type { JobQueue } from "../store/jobs.js";

/** GitHub keeps webhook deliveries for this long. */
const DELIVERY_RETENTION_MS = 3 * 24 * 60 * 60_000;

/** One attempt as `GET /app/hook/deliveries` lists it. */
export interface DeliveryAttempt {
  readonly id: number;
  readonly guid: string;
  readonly delivered_at: string;
  readonly status_code: number;
  readonly event: string;
}

/** What a recovery pass found and did. */
export interface RecoveryReport {
  readonly attemptsSeen: number;
  readonly redelivered: readonly string[];
}

/** The deliveries whose every attempt failed, with the latest attempt of each. Pure. */
export function failedDeliveries(attempts: readonly DeliveryAttempt[]): DeliveryAttempt[] {
  const byGuid = new Map<string, DeliveryAttempt[]>();
  for (const attempt of attempts) byGuid.set(attempt.guid, [...(byGuid.get(attempt.guid) ?? []), attempt]);
  return [...byGuid.values()]
    .filter((group) => group.every((attempt) => attempt.status_code < 200 || attempt.status_code >= 300))
    .map((group) => group.reduce((latest, attempt) => (attempt.delivered_at > latest.delivered_at ? attempt : latest)));
}

/** Lists the app's delivery attempts of the last three days, newest first, page by page. */
async function recentAttempts(appOctokit: ProbotOctokit, now: Date): Promise<DeliveryAttempt[]> {
  const since = now.getTime() - DELIVERY_RETENTION_MS;
  const attempts: DeliveryAttempt[] = [];
  for await (const { data } of appOctokit.paginate.iterator("GET /app/hook/deliveries", { per_page: 100 })) {
    const page = data as DeliveryAttempt[];
    attempts.push(...page.filter((attempt) => Date.parse(attempt.delivered_at) >= since));
    if (page.length === 0 || page.some((attempt) => Date.parse(attempt.delivered_at) < since)) break;
  }
  return attempts;
}

/** One recovery pass: redelivers the failed deliveries the store has not seen. */
export async function recoverDeliveries(appOctokit: ProbotOctokit, queue: JobQueue, now: Date): Promise<RecoveryReport> {
  const attempts = await recentAttempts(appOctokit, now);
  const redelivered: string[] = [];
  for (const attempt of failedDeliveries(attempts)) {
    if (await queue.hasDelivery(attempt.guid)) continue;
    await appOctokit.request("POST /app/hook/deliveries/{delivery_id}/attempts", { delivery_id: attempt.id });
    redelivered.push(attempt.guid);
  }
  return { attemptsSeen: attempts.length, redelivered };
}
