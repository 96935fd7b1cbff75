/**
 * Comments on a pull request → the justification side of the merge audit. A comment may carry the
 * emergency bypass justification form or the `/hotfix authorize` command, both of which the
 * audit of a merged hotfix must see (within the window after the merge), and an edit of either
 * must be flagged. Deleting or editing a comment re-judges the audit too: an authorisation whose
 * `/hotfix authorize` comment is gone or changed no longer stands, and the audit says so. Only the
 * users the policy allows may use commands: `/hotfix authorize` is for repository administrators
 * (or the configured authorisers) other than the pull request's author; anyone else gets a short
 * refusal, written once per command comment. Bots get no refusal: their commands never count.
 * The bypass commands (`request-bypass`, `grant-bypass`, `deny-bypass`) are judged and refused by
 * their own handler (`bypass-commands.ts`), through the same refusal ({@link refuseOnce}).
 */
import type { Context, Logger, Probot } from "probot";
import type { Policy } from "../config/policy.js";
import type { AuditGateway } from "../github/audit-gateway.js";
import { ownComment } from "../github/audit-publish.js";
import { type RepoRef, repoRef } from "../github/gateway.js";
import { readPersonFact } from "../facts/audit-snapshot.js";
import { refusalMarker, renderRefusal } from "../render/audit.js";
import { authority, isBotAccount, parseHotfixCommands, parseJustification } from "../rules/justification.js";
import { BYPASS_COMMANDS } from "../model/bypass.js";
import { auditGatewayFor, auditMergedPullRequest, recheckPendingAudits } from "./audit-run.js";
import { RELEASE_COMMANDS } from "./release-commands.js";
import { configFor, isOwnEvent, ownBotLogin, type Services } from "./services.js";

/** The commands the app understands. */
const KNOWN_COMMANDS = new Set<string>(["authorize", ...BYPASS_COMMANDS, ...RELEASE_COMMANDS]);
/** Commands whose refusals their own handler writes (it judges their arguments too). */
const JUDGED_ELSEWHERE = new Set<string>([...BYPASS_COMMANDS, ...RELEASE_COMMANDS]);

type CommentContext = Context<"issue_comment.created" | "issue_comment.edited" | "issue_comment.deleted">;

/** Whether the comment (what it said when deleted, or before an edit) concerns the audit. */
function concernsAudit(context: CommentContext): boolean {
  const { comment } = context.payload;
  const before = context.payload.action === "edited" ? ((context.payload as { changes?: { body?: { from?: string } } }).changes?.body?.from ?? "") : "";
  return [comment.body, before].some((body) => parseHotfixCommands(body).length > 0 || parseJustification(body) !== null);
}

/** Why the commenter may not give the command, or null when they may. */
async function refusalReason(gateway: AuditGateway, repo: RepoRef, command: string, commenter: string, author: string, policy: Policy): Promise<string | null> {
  if (!KNOWN_COMMANDS.has(command)) return `the commands are ${[...KNOWN_COMMANDS].map((known) => `\`/hotfix ${known}\``).join(", ")}.`;
  if (JUDGED_ELSEWHERE.has(command)) return null;
  if (commenter.toLowerCase() === author.toLowerCase()) return "the pull request's author cannot authorise a bypass of their own hotfix.";
  const fact = await readPersonFact(gateway, repo, commenter, policy.config.bypass.authorizers.teams);
  const verdict = authority(commenter, fact, policy);
  if (verdict.status === "valid") return null;
  const who = policy.config.bypass.authorizers.users.length + policy.config.bypass.authorizers.teams.length > 0 ? "the configured authorisers (bypass.authorizers)" : "repository administrators";
  return `only ${who} may authorise a bypass (${verdict.detail}).`;
}

/** Answers each command the commenter may not give with one refusal (looked up by marker first). */
async function refuseCommands(gateway: AuditGateway, context: CommentContext, repo: RepoRef, policy: Policy, services: Services): Promise<void> {
  const { comment, issue } = context.payload;
  const commands = [...new Set(parseHotfixCommands(comment.body))];
  const login = comment.user?.login;
  if (!login || isBotAccount(login, comment.user?.type)) return;
  for (const command of commands) {
    const reason = await refusalReason(gateway, repo, command, login, issue.user.login, policy);
    if (!reason) continue;
    await services.locks.run(`${context.payload.repository.full_name}#${issue.number}`, () =>
      refuseOnce(gateway, repo, issue.number, { id: comment.id, createdAt: comment.created_at, login }, command, reason, services, context.log),
    );
  }
}

/**
 * Writes the refusal of a command comment unless the app already answered it (one refusal per
 * command comment, found by marker). The caller holds the pull request's lock.
 */
export async function refuseOnce(
  gateway: AuditGateway,
  repo: RepoRef,
  number: number,
  comment: { readonly id: number; readonly createdAt: string; readonly login: string },
  command: string,
  reason: string,
  services: Services,
  log: Logger,
): Promise<void> {
  const ownLogin = await ownBotLogin(gateway, services);
  const comments = await gateway.listIssueComments(repo, number, comment.createdAt);
  if (ownComment(comments, ownLogin, refusalMarker(comment.id))) return;
  await gateway.createComment(repo, number, renderRefusal(comment.login, command, reason, comment.id));
  log.info({ pr: number, login: comment.login, command }, "command refused");
}

/**
 * Handles a comment on a pull request written, edited or deleted: refuses commands the commenter
 * may not give, then re-audits a merged hotfix.
 */
export async function handleAuditComment(context: CommentContext, services: Services): Promise<void> {
  const { issue, repository } = context.payload;
  if (!issue.pull_request || !concernsAudit(context)) return;
  const gateway = auditGatewayFor(context, services);
  if (await isOwnEvent(context, gateway, services)) return;
  const repo = repoRef(repository.full_name);
  const config = await configFor(gateway, repo, services);
  if (!config.ok) return;
  if (context.payload.action === "created") await refuseCommands(gateway, context, repo, config.policy, services);
  if (issue.pull_request.merged_at) await auditMergedPullRequest(gateway, { repo, number: issue.number }, services, context.log);
  await recheckPendingAudits(gateway, repo, services, context.log, issue.number);
}

/** Registers the comment handlers. */
export function registerAuditCommentHandlers(app: Probot, services: Services): void {
  app.on(["issue_comment.created", "issue_comment.edited", "issue_comment.deleted"], (context) => handleAuditComment(context, services));
}
