/**
 * Bypass commands on an open hotfix pull request → replies and the check run.
 * 1. Guard: a comment on an open pull request whose text (or, for an edit, earlier text) holds a
 *    bypass command; not the app's own events; a hotfix into the production branch.
 * 2. On a new comment, under the pull request's lock: read the comment again (never trust the
 *    payload), judge its commands with the pure rule (`src/rules/bypass-grant.ts`) and answer
 *    each once, found by marker: a request that counted asks the authorisers, a grant that counted
 *    gets the reply that records the commit it holds for (the one the head branch pointed at
 *    when the grant was written, from GitHub's record of its pushes), anything refused gets the
 *    refusal.
 *    A bot's comment or an edited one gets nothing: it is no command.
 * 3. Evaluate the pull request again, so the check run shows where the bypass stands (an edit or
 *    deletion of a command comment re-evaluates it too); the evaluation schedules the re-check at
 *    the grant's expiry.
 *    A request that counted is also sent to the notification destinations routed for
 *    `bypass-requested` (issue 13), keyed by its comment so a redelivery sends it once. Every
 *    request, grant and denial that counted joins the hotfix log's timeline at the comment's time.
 */
import type { Context, Logger, Probot } from "probot";
import type { Policy } from "../config/policy.js";
import { OctokitEmergencyGateway, type EmergencyGateway } from "../github/emergency-gateway.js";
import { ownComment } from "../github/audit-publish.js";
import { repoRef, type PullRequestData, type RepoRef } from "../github/gateway.js";
import { createOnce } from "../github/writes.js";
import { summaryOf } from "../notify/events.js";
import { readAuthorities } from "../facts/bypass-facts.js";
import { BYPASS_COMMANDS, type BypassCommandJudgement, type BypassGrant } from "../model/bypass.js";
import type { CommentFact } from "../model/merge.js";
import { bypassRequestMarker, grantBindingMarker, grantReplyKey } from "../model/records.js";
import { renderBypassRequest, renderGrantRecorded } from "../render/bypass.js";
import { allowedReason, isBotAccount, parseHotfixCommandLines } from "../rules/justification.js";
import { bypassCommandsOf, bypassCommenters, judgeBypass } from "../rules/bypass-grant.js";
import { classifyPullRequest } from "../rules/classify.js";
import { authoriserHandles } from "../rules/escalation.js";
import { refuseOnce } from "./audit-comments.js";
import { evaluatePullRequest } from "./pull-request.js";
import { configFor, isOwnEvent, ownBotLogin, type Services } from "./services.js";

type CommentContext = Context<"issue_comment.created" | "issue_comment.edited" | "issue_comment.deleted">;

/** At most this many administrators are mentioned when no authorisers are configured. */
const MAX_MENTIONS = 10;

function hasBypassCommand(body: string | null | undefined): boolean {
  return parseHotfixCommandLines(body).some((command) => (BYPASS_COMMANDS as readonly string[]).includes(command.name));
}

/** Whether the comment (what it says now, or said before an edit) holds a bypass command. */
function concernsBypass(context: CommentContext): boolean {
  const before = context.payload.action === "edited" ? ((context.payload as { changes?: { body?: { from?: string } } }).changes?.body?.from ?? "") : "";
  return [context.payload.comment.body, before].some(hasBypassCommand);
}

/** Who is asked to decide a request: the configured authorisers, else the repository's administrators other than the author. */
async function authoriserMentions(gateway: EmergencyGateway, repo: RepoRef, author: string, policy: Policy): Promise<string[]> {
  const configured = authoriserHandles(policy, repo.owner);
  if (configured.length > 0) return configured;
  const admins = await gateway.listAdmins(repo);
  return admins.filter((login) => login.toLowerCase() !== author.toLowerCase()).slice(0, MAX_MENTIONS).map((login) => `@${login}`);
}

interface Answering {
  readonly gateway: EmergencyGateway;
  readonly repo: RepoRef;
  readonly pr: PullRequestData;
  readonly policy: Policy;
  readonly services: Services;
  readonly log: Logger;
  readonly ownLogin: string;
  readonly comments: readonly CommentFact[];
  readonly comment: CommentFact;
}

/** Writes one reply unless the app's reply with the marker is already there. */
async function replyOnce(at: Answering, marker: string, body: string, what: string): Promise<void> {
  const { gateway, repo, pr, ownLogin } = at;
  await createOnce<{ readonly id: number }>({
    what,
    found: ownComment(at.comments, ownLogin, marker),
    find: async () => ownComment(await gateway.listIssueComments(repo, pr.number, at.comment.createdAt), ownLogin, marker),
    create: async () => ({ id: await gateway.createComment(repo, pr.number, body) }),
  });
}

/** Records a command that counted in the hotfix log's timeline, at the comment's own time. */
async function logStep(at: Answering, kind: "bypass-requested" | "bypass-granted" | "bypass-denied", judgement: BypassCommandJudgement): Promise<void> {
  const url = `https://github.com/${at.repo.owner}/${at.repo.repo}/pull/${at.pr.number}#issuecomment-${judgement.commentId}`;
  await at.services.hotfixLog?.emergencyStep(`${at.repo.owner}/${at.repo.repo}`, at.pr.number, { kind, subject: `comment ${judgement.commentId}`, at: judgement.at, actor: judgement.login, detail: judgement.why, url });
}

/** Answers one judged command: the refusal, the request to the authorisers, the grant's record; each that counted joins the hotfix log. */
async function answer(at: Answering, judgement: BypassCommandJudgement, grant: BypassGrant | null): Promise<void> {
  const { comment, pr, policy } = at;
  if (!judgement.counted) {
    const login = comment.author;
    await refuseOnce(at.gateway, at.repo, pr.number, { id: comment.id, createdAt: comment.createdAt, login }, judgement.command, `${judgement.why}.`, at.services, at.log);
    return;
  }
  if (judgement.command === "request-bypass") {
    if (ownComment(at.comments, at.ownLogin, bypassRequestMarker(comment.id))) return;
    const mentions = await authoriserMentions(at.gateway, at.repo, pr.author, policy);
    const reason = allowedReason(judgement.args, policy) ?? "";
    await replyOnce(at, bypassRequestMarker(comment.id), renderBypassRequest(comment.author, reason, mentions, comment.id), `bypass request reply to comment ${comment.id}`);
    const repoName = `${at.repo.owner}/${at.repo.repo}`;
    const url = `https://github.com/${repoName}/pull/${pr.number}#issuecomment-${comment.id}`;
    await at.services.notify?.({ policy, hotfix: summaryOf(repoName, pr, policy), details: { kind: "bypass-requested", by: comment.author, reason: reason || null, url } });
    await logStep(at, "bypass-requested", judgement);
    at.log.info({ pr: pr.number, login: comment.author }, "bypass requested");
    return;
  }
  if (judgement.command === "grant-bypass" && grant?.commentId === comment.id) {
    await replyOnce(at, grantReplyKey(comment.id), renderGrantRecorded(grant), `bypass grant reply to comment ${comment.id}`);
    await logStep(at, "bypass-granted", judgement);
    at.log.info({ pr: pr.number, login: comment.author, sha: grant.sha, until: grant.until }, "bypass granted");
  }
  if (judgement.command === "deny-bypass") await logStep(at, "bypass-denied", judgement);
}

/**
 * The commit a grant written at `at` is for: the one the head branch pointed at then, from
 * GitHub's record of its pushes, so a push landing between the comment and the app's reading of
 * it is never granted unseen; the pull request's head as read now when that record is unreadable
 * (the installation lacks the permission, or the head lives in a fork), leaving that window of a
 * few seconds open.
 */
async function grantedCommit(gateway: EmergencyGateway, repo: RepoRef, pr: PullRequestData, at: string): Promise<string> {
  return (await gateway.branchHeadAt(repo, pr.headRef, at)) ?? pr.headSha;
}

/**
 * Judges the commands of one new comment, read afresh, and answers them. A grant is judged as if
 * recorded for the commit the head branch pointed at when it was written ({@link grantedCommit});
 * its reply records exactly that, unless an earlier delivery's reply already recorded it.
 */
async function answerCommands(gateway: EmergencyGateway, repo: RepoRef, pr: PullRequestData, commentId: number, policy: Policy, services: Services, log: Logger): Promise<void> {
  const ownLogin = await ownBotLogin(gateway, services);
  const comments = await gateway.listIssueComments(repo, pr.number);
  const comment = comments.find((candidate) => candidate.id === commentId);
  if (!comment || isBotAccount(comment.author, comment.authorType) || comment.createdAt !== comment.updatedAt) return;
  if (bypassCommandsOf([comment], ownLogin).length === 0) return;
  const people = await readAuthorities(gateway, repo, bypassCommenters([comment], ownLogin, pr.author), policy);
  const grants = bypassCommandsOf([comment], ownLogin).some((given) => given.command === "grant-bypass");
  const sha = grants ? await grantedCommit(gateway, repo, pr, comment.createdAt) : pr.headSha;
  const provisional: CommentFact = { id: 0, author: ownLogin, body: grantBindingMarker(comment.id, sha), createdAt: comment.createdAt, updatedAt: comment.createdAt };
  const state = judgeBypass({ comments: [...comments, provisional], ownLogin, people, author: pr.author, headSha: pr.headSha }, policy, services.now());
  const at: Answering = { gateway, repo, pr, policy, services, log, ownLogin, comments, comment };
  const judgements = state.commands.filter((judgement) => judgement.commentId === comment.id);
  const grant = state.grant?.commentId === comment.id ? state.grant : null;
  for (const judgement of judgements) await answer(at, judgement, grant);
}

/** Handles a comment written, edited or deleted on an open hotfix pull request that holds a bypass command. */
export async function handleBypassComment(context: CommentContext, services: Services): Promise<void> {
  const { issue, repository } = context.payload;
  if (!issue.pull_request || issue.state !== "open" || !concernsBypass(context)) return;
  const gateway = new OctokitEmergencyGateway(context.octokit, services.identity);
  if (await isOwnEvent(context, gateway, services)) return;
  const repo = repoRef(repository.full_name);
  const config = await configFor(gateway, repo, services);
  if (!config.ok) return;
  const { policy } = config;
  const pr = await gateway.getPullRequest(repo, issue.number);
  if (pr.state !== "open" || pr.baseRef !== policy.config.branches.production || classifyPullRequest(pr, policy).kind !== "hotfix") return;
  if (context.payload.action === "created") {
    const commentId = context.payload.comment.id;
    await services.locks.run(`${repository.full_name}#${issue.number}`, () => answerCommands(gateway, repo, pr, commentId, policy, services, context.log));
  }
  const installationId = (context.payload as { installation?: { id: number } }).installation?.id;
  const ref = { repo, fullName: repository.full_name, defaultBranch: repository.default_branch, number: issue.number, baseRef: pr.baseRef, headSha: pr.headSha };
  await evaluatePullRequest(gateway, installationId === undefined ? ref : { ...ref, installationId }, services, context.log);
}

/** Registers the bypass command handler. */
export function registerBypassCommandHandlers(app: Probot, services: Services): void {
  app.on(["issue_comment.created", "issue_comment.edited", "issue_comment.deleted"], (context) => handleBypassComment(context, services));
}
