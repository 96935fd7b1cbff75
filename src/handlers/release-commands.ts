/**
 * The merge-back commands, given in a new comment (an edited comment never counts, nor a bot's,
 * nor a command quoted or in code: `parseHotfixCommandLines`):
 * - `/hotfix skip-merge-back <branch> <reason>` on a merged hotfix pull request or its reminder,
 *   by an authoriser (the same `authority` as `/hotfix authorize`): the target counts as done by
 *   skip, never as present; the reminder, the release guard and the hotfix log show who and why.
 * - `/hotfix backport <branch>` on a merged hotfix pull request, by a user with write access:
 *   opens (or opens again) the back-merge pull request into that branch.
 * Every command gets one answer on the comment's issue (by marker, so a redelivery writes nothing
 * twice): done, refused (the refusal text of the audit's commands), or failed, never a success
 * that did not happen.
 */
import type { Context, Logger, Probot } from "probot";
import type { Policy } from "../config/policy.js";
import type { AuditGateway } from "../github/audit-gateway.js";
import { fullName, repoRef, type RepoRef } from "../github/gateway.js";
import { createOnce } from "../github/writes.js";
import { readPersonFact } from "../facts/audit-snapshot.js";
import { renderRefusal } from "../render/audit.js";
import { commandAnswerMarker, renderBackportAnswer, renderSkipAnswer } from "../render/release-guard.js";
import { authority, isBotAccount, parseHotfixCommandLines, type HotfixCommand } from "../rules/justification.js";
import { backportRow, skipTarget, targetArgs } from "../rules/release-guard.js";
import { withRows } from "../rules/merge-back.js";
import { auditGatewayFor } from "./audit-run.js";
import { findReminders, inRepositoryOrder, openBackMerge, runFor, scheduleReleaseRecheck, settleReminder, type MergeBackRun, type Reminder } from "./merge-back.js";
import { configFor, isOwnEvent, ownBotLogin, type Services } from "./services.js";

/** The commands this module answers. */
export const RELEASE_COMMANDS = new Set(["skip-merge-back", "backport"]);

type CommentContext = Context<"issue_comment.created">;

/** Where a command was given: the merged hotfix (a pull request) or its reminder issue. */
interface CommandSite {
  readonly gateway: AuditGateway;
  readonly services: Services;
  readonly repo: RepoRef;
  readonly policy: Policy;
  readonly run: MergeBackRun;
  readonly issue: number;
  readonly commentId: number;
  readonly login: string;
  readonly createdAt: string;
  /** The comment is on a merged pull request (else on an issue: a reminder, or anything else). */
  readonly onMergedPullRequest: boolean;
  /** The installation and default branch, for the release re-check a skip queues. */
  readonly installationId: number | undefined;
  readonly defaultBranch: string;
  readonly log: Logger;
}

/** The open reminder of the command's hotfix: the reminder itself, or the one tracking the merged pull request. */
async function reminderOf(site: CommandSite): Promise<Reminder | undefined> {
  const reminders = await findReminders(site.run, { state: "open" });
  return reminders.find((reminder) => reminder.open && (site.onMergedPullRequest ? reminder.state.hotfix.number === site.issue : reminder.number === site.issue));
}

/** Writes the command's one answer on its issue, unless an earlier delivery wrote it. */
async function answer(site: CommandSite, command: string, body: string): Promise<void> {
  const ownLogin = await ownBotLogin(site.gateway, site.services);
  const marker = commandAnswerMarker(site.commentId, command);
  await createOnce<{ readonly id: number }>({
    what: `answer to comment ${site.commentId} on ${fullName(site.repo)}#${site.issue}`,
    find: async () => (await site.gateway.listIssueComments(site.repo, site.issue, site.createdAt)).find((comment) => comment.author.toLowerCase() === ownLogin.toLowerCase() && comment.body.includes(marker)) ?? null,
    create: async () => ({ id: await site.gateway.createComment(site.repo, site.issue, `${body}\n\n${marker}`) }),
  });
}

function refuse(site: CommandSite, command: string, reason: string): Promise<void> {
  site.log.info({ issue: site.issue, login: site.login, command }, "command refused");
  return answer(site, command, renderRefusal(site.login, command, reason, site.commentId));
}

/** Why the commenter may not skip a merge-back, or null when they are an authoriser. */
async function skipRefusal(site: CommandSite): Promise<string | null> {
  const fact = await readPersonFact(site.gateway, site.repo, site.login, site.policy.config.bypass.authorizers.teams);
  const verdict = authority(site.login, fact, site.policy);
  if (verdict.status === "valid") return null;
  const { users, teams } = site.policy.config.bypass.authorizers;
  return `only ${users.length + teams.length > 0 ? "the configured authorisers (bypass.authorizers)" : "repository administrators"} may skip a merge-back (${verdict.detail}).`;
}

/** `/hotfix skip-merge-back <branch> <reason>`: marks the target skipped in the reminder, which is then settled (closed when nothing else is missing). */
async function skipMergeBack(site: CommandSite, args: string): Promise<void> {
  const command = "skip-merge-back";
  const refusal = await skipRefusal(site);
  if (refusal) return refuse(site, command, refusal);
  const parsed = targetArgs(args);
  if (!parsed) return refuse(site, command, "name the branch and the reason: `/hotfix skip-merge-back <branch> <reason>`.");
  await inRepositoryOrder(site.services, site.repo, async () => {
    const reminder = await reminderOf(site);
    if (!reminder) return refuse(site, command, "no open merge-back reminder tracks this hotfix.");
    const skip = { by: site.login, reason: parsed.rest.slice(0, 300), at: site.createdAt };
    const result = skipTarget(reminder.state, parsed.target, skip, site.policy);
    if ("refused" in result) return refuse(site, command, result.refused);
    await settleReminder(site.run, reminder, result.state, new Map(), { target: parsed.target });
    await scheduleReleaseRecheck(site.services, site.installationId, { owner: site.repo.owner, repo: site.repo.repo, defaultBranch: site.defaultBranch }, `skip:${site.commentId}`);
    await answer(site, command, renderSkipAnswer(result.state, parsed.target, skip, reminder.number));
    site.log.info({ hotfix: result.state.hotfix.number, target: parsed.target, by: site.login }, "merge-back skipped");
  });
}

const WRITE_PERMISSIONS = new Set(["admin", "maintain", "write"]);

/** `/hotfix backport <branch>` on a merged hotfix: opens the back-merge pull request into the branch and reports what happened. */
async function backport(site: CommandSite, args: string): Promise<void> {
  const command = "backport";
  if (!site.onMergedPullRequest) return refuse(site, command, "give it on the merged hotfix pull request.");
  const permission = await site.gateway.getPermission(site.repo, site.login);
  if (!WRITE_PERMISSIONS.has(permission.toLowerCase())) return refuse(site, command, `only users with write access may open a back-merge (@${site.login} has ${permission}).`);
  const parsed = targetArgs(args);
  if (!parsed || parsed.rest) return refuse(site, command, "name one branch: `/hotfix backport <branch>`.");
  await inRepositoryOrder(site.services, site.repo, async () => {
    const reminder = await reminderOf(site);
    if (!reminder) return refuse(site, command, "no open merge-back reminder tracks this hotfix (its merge-back is complete or was never tracked).");
    const wanted = backportRow(reminder.state, parsed.target, site.policy);
    if ("refused" in wanted) return refuse(site, command, wanted.refused);
    const { state } = reminder;
    const base = state.rows.some((row) => row.target === parsed.target) ? state : { ...state, rows: [...state.rows, wanted.row] };
    let row = wanted.row;
    try {
      const head = state.hotfix.headInRepository ? await site.run.gateway.getBranchHead(site.repo, state.hotfix.headRef) : null;
      row = await openBackMerge(site.run, state, wanted.row, reminder.number, head);
    } catch (error) {
      site.log.warn({ err: error, hotfix: state.hotfix.number, target: parsed.target }, "backport command failed");
      row = { target: parsed.target, status: "missing", backMergeError: error instanceof Error ? error.message : String(error) };
    }
    await settleReminder(site.run, reminder, withRows(base, [row]), new Map(), { target: parsed.target });
    await answer(site, command, renderBackportAnswer(state, row, reminder.number));
  });
}

/** Answers the merge-back commands of a new comment on an issue or pull request. */
export async function handleReleaseCommands(context: CommentContext, services: Services): Promise<void> {
  const { comment, issue, repository } = context.payload;
  const commands = parseHotfixCommandLines(comment.body).filter((command): command is HotfixCommand => RELEASE_COMMANDS.has(command.name));
  const login = comment.user?.login;
  if (commands.length === 0 || !login || isBotAccount(login, comment.user?.type)) return;
  const gateway = auditGatewayFor(context, services);
  if (await isOwnEvent(context, gateway, services)) return;
  const repo = repoRef(repository.full_name);
  const config = await configFor(gateway, repo, services);
  if (!config.ok) return;
  const run = runFor(gateway.mergeBack(), gateway, repo, config.policy, services, context.log);
  const site: CommandSite = {
    gateway,
    services,
    repo,
    policy: config.policy,
    run,
    issue: issue.number,
    commentId: comment.id,
    login,
    createdAt: comment.created_at,
    onMergedPullRequest: Boolean(issue.pull_request?.merged_at),
    installationId: context.payload.installation?.id,
    defaultBranch: repository.default_branch,
    log: context.log,
  };
  for (const command of commands) {
    if (command.name === "skip-merge-back") await skipMergeBack(site, command.args);
    else await backport(site, command.args);
  }
}

/** Registers the merge-back commands' handler. */
export function registerReleaseCommandHandlers(app: Probot, services: Services): void {
  app.on("issue_comment.created", (context) => handleReleaseCommands(context, services));
}
