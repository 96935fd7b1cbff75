/**
 * A push to the production branch whose commits belong to no merged pull request into it → an
 * audit issue naming the pusher and the commits. A pull request's merge pushes too, so the head
 * commit is asked first (`GET /commits/{sha}/pulls`): when it is the merge of a pull request into
 * the production branch, the push is that merge and costs nothing more. Otherwise each pushed
 * commit is asked, and those outside any merged pull request are what bypassed review.
 */
import type { Context, Probot } from "probot";
import type { AuditGateway } from "../github/audit-gateway.js";
import { findOrCreateIssue } from "../github/audit-publish.js";
import { fullName, type RepoRef, repoRef } from "../github/gateway.js";
import { auditAssignees, directPushMarker, renderDirectPushIssue, type DirectPush } from "../render/audit.js";
import { commitsOutsidePullRequests, type PushedCommit } from "../rules/merge-audit.js";
import { auditGatewayFor, recheckPendingAudits } from "./audit-run.js";
import { isEvaluating } from "../config/policy.js";
import { publishCheckRun } from "../github/check-runs.js";
import { renderEvaluatedDirectPushCheck } from "../render/evaluate.js";
import { configFor, isOwnEvent, ownBotLogin, type Services } from "./services.js";

/** GitHub lists at most this many commits in a push payload. */
const PAYLOAD_COMMIT_LIMIT = 20;
/** A redelivery arrives within three days; the audit issue is looked for that far back. */
const REDELIVERY_WINDOW_MS = 4 * 24 * 60 * 60_000;
const DELETED = /^0+$/;

type PushPayload = Context<"push">["payload"];

async function pushedCommit(gateway: AuditGateway, repo: RepoRef, branch: string, commit: PushPayload["commits"][number]): Promise<PushedCommit> {
  const pulls = await gateway.listPullRequestsOfCommit(repo, commit.id);
  return {
    sha: commit.id,
    message: commit.message,
    author: commit.author.username ?? commit.author.name,
    mergedPullRequests: pulls.filter((pr) => pr.merged && pr.baseRef === branch).map((pr) => pr.number),
  };
}

/** The pushed commits outside any merged pull request into the branch (none when the push is a pull request's merge). */
async function commitsOutside(gateway: AuditGateway, repo: RepoRef, branch: string, payload: PushPayload): Promise<PushedCommit[]> {
  const head = payload.commits.find((commit) => commit.id === payload.after);
  if (head && (await pushedCommit(gateway, repo, branch, head)).mergedPullRequests.length > 0) return [];
  const rest = payload.commits.filter((commit) => commit !== head);
  const checked = await Promise.all(rest.map((commit) => pushedCommit(gateway, repo, branch, commit)));
  const headCommit = head ? [{ sha: head.id, message: head.message, author: head.author.username ?? head.author.name, mergedPullRequests: [] }] : [];
  return commitsOutsidePullRequests([...checked, ...headCommit]);
}

/** Audits a push to the production branch. */
export async function handleDirectPush(context: Context<"push">, services: Services): Promise<void> {
  const { payload } = context;
  if (!payload.ref.startsWith("refs/heads/") || DELETED.test(payload.after) || payload.commits.length === 0) return;
  const gateway = auditGatewayFor(context, services);
  if (await isOwnEvent(context, gateway, services)) return;
  const repo = repoRef(payload.repository.full_name);
  const config = await configFor(gateway, repo, services);
  const branch = payload.ref.slice("refs/heads/".length);
  if (!config.ok || branch !== config.policy.config.branches.production) return;
  const { policy } = config;
  const outside = await commitsOutside(gateway, repo, branch, payload);
  if (outside.length > 0) {
    const push: DirectPush = {
      repo: fullName(repo),
      branch,
      pusher: payload.sender?.login ?? payload.pusher.name,
      before: payload.before,
      after: payload.after,
      forced: payload.forced,
      at: services.now().toISOString(),
      commits: outside,
      truncated: payload.commits.length >= PAYLOAD_COMMIT_LIMIT,
    };
    if (isEvaluating(policy)) {
      const check = await publishCheckRun(gateway, repo, payload.after, renderEvaluatedDirectPushCheck(push, policy));
      context.log.warn({ after: payload.after, commits: outside.length, check }, "direct push to the production branch audited in evaluate mode: no issue opened");
      return;
    }
    const since = new Date(services.now().getTime() - REDELIVERY_WINDOW_MS).toISOString();
    const issue = await services.locks.run(`${fullName(repo)}@push:${payload.after}`, async () =>
      findOrCreateIssue(gateway, repo, {
        marker: directPushMarker(fullName(repo), payload.after),
        label: policy.config.audit.labels.unjustified,
        since,
        ownLogin: await ownBotLogin(gateway, services),
        create: () => ({ ...renderDirectPushIssue(push, policy), labels: [policy.config.audit.labels.bypass, policy.config.audit.labels.unjustified], assignees: auditAssignees(policy) }),
      }),
    );
    context.log.warn({ after: payload.after, commits: outside.length, issue: issue.number, action: issue.action }, "direct push to the production branch audited");
  }
  await recheckPendingAudits(gateway, repo, services, context.log);
}

/** Registers the direct-push handler. */
export function registerDirectPushHandler(app: Probot, services: Services): void {
  app.on("push", (context) => handleDirectPush(context, services));
}
