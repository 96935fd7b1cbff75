/**
 * Reads what the check run's bypass and justification rows need before the merge: the pull
 * request's comments (only when it has any), read afresh at every evaluation so that a command's
 * edit or deletion is seen, and the permission and authoriser-team memberships of whoever gave a
 * bypass command or is named as authoriser by a justification form.
 */
import type { Policy } from "../config/policy.js";
import type { GithubGateway, PullRequestData, RepoRef } from "../github/gateway.js";
import type { BypassFacts } from "../model/bypass.js";
import type { ReviewerFact } from "../model/pull-request.js";
import { bypassCommenters } from "../rules/bypass-grant.js";
import { authorisersToVerify, justificationCandidates } from "../rules/justification.js";
import { readPersonFact } from "./audit-snapshot.js";

/** At most this many people's authority is read per evaluation; anyone beyond stays unverified. */
const MAX_PEOPLE = 20;

/**
 * The logins (lower-cased) whose authority the bypass commands and justification forms depend on:
 * the commenters who gave bypass commands and the authoriser each form names.
 */
export function bypassPeople(pr: Pick<PullRequestData, "body" | "author">, facts: Pick<BypassFacts, "comments" | "ownLogin">): string[] {
  const candidates = justificationCandidates(pr.body, facts.comments, facts.ownLogin);
  return [...new Set([...bypassCommenters(facts.comments, facts.ownLogin, pr.author), ...authorisersToVerify(candidates, pr.author)])].slice(0, MAX_PEOPLE);
}

/** Reads each login's permission and membership of the configured authoriser teams. */
export async function readAuthorities(gateway: GithubGateway, repo: RepoRef, logins: readonly string[], policy: Policy): Promise<Record<string, ReviewerFact>> {
  const teams = policy.config.bypass.authorizers.teams;
  return Object.fromEntries(await Promise.all(logins.map(async (login) => [login, await readPersonFact(gateway, repo, login, teams)] as const)));
}

/**
 * The bypass facts of an open pull request, or undefined when it has no comments and no form in
 * its description (then the rows are not shown and nothing is read). `ownLogin` is asked only
 * when there are comments: the app's own replies record which commit a grant is for.
 */
export async function loadBypassFacts(gateway: GithubGateway, repo: RepoRef, pr: PullRequestData, policy: Policy, ownLogin: () => Promise<string>): Promise<BypassFacts | undefined> {
  const hasComments = pr.commentCount > 0;
  if (!hasComments && justificationCandidates(pr.body, [], "").length === 0) return undefined;
  const comments = hasComments ? await gateway.listIssueComments(repo, pr.number) : [];
  const own = hasComments ? await ownLogin() : "";
  const people = await readAuthorities(gateway, repo, bypassPeople(pr, { comments, ownLogin: own }), policy);
  return { comments, ownLogin: own, people };
}
