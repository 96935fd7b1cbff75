/**
 * The handlers' side of notifications: one call at each moment a handler already sees, turning
 * what it holds into a {@link NotifyRequest}. Each call only schedules (`services.notify`), so
 * it never delays or fails the check run, the audit or merge-back; without a notifier (no store)
 * nothing happens. The review-wait check, run later from the queue, reads GitHub through the
 * same door as the check run.
 */
import type { Policy } from "../config/policy.js";
import { repoRef, type GithubGateway, type PullRequestData } from "../github/gateway.js";
import type { MergedPullRequestData } from "../github/audit-gateway.js";
import { loadSnapshot } from "../facts/snapshot.js";
import { configFor, type Services } from "../handlers/services.js";
import type { IssueRef } from "../model/merge.js";
import type { ReminderState } from "../model/merge-back.js";
import { recordedAudit } from "../log/recorder.js";
import { reviewWaitDeadline, tallyApprovals } from "../rules/approvals.js";
import { classifyPullRequest } from "../rules/classify.js";
import { authoriserHandles } from "../rules/escalation.js";
import type { MergeAudit } from "../rules/merge-audit.js";
import type { PullRequestSnapshot } from "../rules/types.js";
import { summaryOf, summaryOfRecord, type Notify, type NotifyRequest } from "./events.js";
import type { ReviewWaitJob } from "./service.js";

/** The web address of an issue on github.com. */
function issueUrl(ref: IssueRef): string {
  return `https://github.com/${ref.repo}/issues/${ref.number}`;
}

/**
 * A hotfix pull request was evaluated: `opened` (once per hotfix, whenever first seen as one),
 * and `bypass-permitted` once its review wait has run out (the check's re-evaluation at the
 * deadline makes this on time).
 */
export async function notifyEvaluated(services: Services, target: { readonly repo: string; readonly installationId?: number }, pr: PullRequestData, snapshot: PullRequestSnapshot, policy: Policy): Promise<void> {
  if (!services.notify) return;
  const hotfix = summaryOf(target.repo, pr, policy);
  const installation = target.installationId === undefined ? {} : { installationId: target.installationId };
  await services.notify({ policy, hotfix, details: { kind: "opened" }, ...installation });
  const deadline = reviewWaitDeadline(snapshot, policy);
  if (deadline && deadline <= services.now() && snapshot.reviewRequestedAt) {
    await services.notify({ policy, hotfix, details: { kind: "bypass-permitted", hours: policy.config.bypass.review_wait_hours, requestedAt: snapshot.reviewRequestedAt } });
  }
}

/**
 * A `notify` step of the escalation ladder ran: `review-escalated`, once per step (the send job's
 * key names it), with the approvals so far, who the ladder asked (`escalation`, as the check run
 * words it) and when a "no reviewer available" bypass becomes permitted.
 */
export async function notifyEscalated(
  services: Services,
  repo: string,
  pr: PullRequestData,
  snapshot: PullRequestSnapshot,
  policy: Policy,
  step: { readonly index: number; readonly afterMinutes: number; readonly escalation: string },
): Promise<void> {
  if (!services.notify) return;
  const tally = tallyApprovals(snapshot, policy);
  const deadline = reviewWaitDeadline(snapshot, policy);
  await services.notify({
    policy,
    hotfix: summaryOf(repo, pr, policy),
    details: {
      kind: "review-escalated",
      step: step.index,
      afterMinutes: step.afterMinutes,
      approvals: tally.approvals,
      required: tally.required.count,
      escalation: step.escalation,
      bypassPermittedAt: deadline?.toISOString() ?? null,
      authorisers: authoriserHandles(policy, repoRef(repo).owner),
    },
  });
}

/** Who may review, in words: the configured reviewers, or anyone with write access. */
export function whoCanReview(policy: Policy): string {
  const { users, teams } = policy.config.approvals.reviewers;
  const named = [...users.map((user) => `@${user}`), ...teams.map((team) => `team ${team}`)];
  return named.length > 0 ? named.join(", ") : "anyone with write access to the repository (no reviewers configured)";
}

/**
 * The review-wait check (the worker's handler of `notify-review-wait`): when the hotfix is still
 * open and no eligible reviewer has reviewed it, `awaiting-review` naming who can review.
 */
export async function checkReviewWait(gateway: GithubGateway, job: ReviewWaitJob, services: Services): Promise<void> {
  if (!services.notify) return;
  const repo = repoRef(job.repo);
  const config = await configFor(gateway, repo, services);
  if (!config.ok) return;
  const { policy } = config;
  const pr = await gateway.getPullRequest(repo, job.number);
  if (pr.state !== "open" || classifyPullRequest(pr, policy).kind !== "hotfix") return;
  const tally = tallyApprovals(await loadSnapshot(gateway, repo, pr, policy), policy);
  const reviewed = tally.approvals >= tally.required.count || tally.verdicts.some((verdict) => verdict.cause === "eligible" || verdict.cause === "stale");
  if (reviewed) return;
  await services.notify({ policy, hotfix: summaryOf(job.repo, pr, policy), details: { kind: "awaiting-review", minutes: job.minutes, reviewers: whoCanReview(policy) } });
}

/**
 * A merge was audited: `merged` (and `bypass-justified` / `bypass-unjustified` for a bypass,
 * naming who merged and what was skipped), and `post-incident-due` once its review issue exists.
 */
export async function notifyAudited(
  services: Services,
  repo: string,
  pr: MergedPullRequestData,
  audit: MergeAudit,
  policy: Policy,
  followUp: { readonly ref: IssueRef; readonly dueAt: string } | null,
): Promise<void> {
  if (!services.notify) return;
  const hotfix = summaryOf(repo, pr, policy);
  const recorded = recordedAudit(audit, services.now().toISOString());
  const { targets } = policy.config.merge_back;
  const { develop, release } = policy.config.branches;
  await services.notify({
    policy,
    hotfix,
    details: {
      kind: "merged",
      mergedBy: pr.mergedBy,
      verdict: recorded.verdict,
      unmet: recorded.unmet,
      authoriser: recorded.verdict === "justified-bypass" ? (audit.justification?.verdict.authoriser ?? null) : null,
      bypassReason: recorded.justification?.bypassReason ?? null,
      assessment: recorded.justification?.assessment ?? null,
      mergeBackTargets: targets ?? [develop, release],
    },
  });
  if (followUp) await services.notify({ policy, hotfix, details: { kind: "post-incident-due", dueAt: followUp.dueAt, issueUrl: issueUrl(followUp.ref) } });
}

/**
 * Merge-back moments: `merge-back-overdue` when the reminder escalated, `merge-back-failed` for
 * each target whose back-merge pull request could not be opened or has conflicts.
 */
export async function notifyMergeBack(notify: Notify | undefined, policy: Policy, state: ReminderState, reminderNumber: number, escalated: boolean): Promise<void> {
  if (!notify) return;
  const { hotfix: facts, repository } = state;
  const hotfix = summaryOf(repository, { number: facts.number, title: facts.title, body: null, author: facts.author, headRef: facts.headRef }, policy);
  const requests: NotifyRequest[] = [];
  if (escalated) {
    const missing = state.rows.filter((row) => row.status === "missing").map((row) => row.target);
    requests.push({ policy, hotfix, details: { kind: "merge-back-overdue", missing, hours: policy.config.merge_back.escalate_after_hours, reminderUrl: issueUrl({ repo: repository, number: reminderNumber }) } });
  }
  for (const row of state.rows) {
    if (row.status !== "missing") continue;
    const pullRequestUrl = row.backMerge ? `https://github.com/${repository}/pull/${row.backMerge.number}` : null;
    if (row.backMergeError) requests.push({ policy, hotfix, details: { kind: "merge-back-failed", target: row.target, reason: `the back-merge pull request could not be opened: ${row.backMergeError}`, pullRequestUrl } });
    else if (row.backMerge?.state === "open" && row.backMerge.mergeable === false) {
      const files = row.backMerge.conflicts?.files.length ? `: ${row.backMerge.conflicts.files.slice(0, 10).join(", ")}` : "";
      requests.push({ policy, hotfix, details: { kind: "merge-back-failed", target: row.target, reason: `the back-merge pull request has conflicts${files}`, pullRequestUrl } });
    }
  }
  for (const request of requests) await notify(request);
}

/** A production deployment marked hotfixes deployed (seed 002 "HOTFIX DEPLOYED"): one message per hotfix. */
export async function notifyDeployed(services: Services, repo: string, ids: readonly string[], policy: Policy, deployment: { readonly environment: string; readonly at: string; readonly url: string | null }): Promise<void> {
  const store = services.hotfixLog?.store;
  if (!services.notify || !store) return;
  for (const id of ids) {
    const detail = await store.get(repo, id);
    if (!detail) continue;
    await services.notify({
      policy,
      hotfix: summaryOfRecord(detail.record),
      details: { kind: "deployed", environment: deployment.environment, at: deployment.at, url: deployment.url, postIncidentDue: detail.record.postIncident?.dueAt ?? null },
    });
  }
}
