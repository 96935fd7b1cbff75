/**
 * Fetches what the merge audit needs, once, in parallel where it can, and only what the verdict
 * will use: the requirements only at the first audit (later runs read them from the record), the
 * rule-suites API only while GitHub's record may still arrive, the timeline only when a
 * justification claims that no reviewer answered, and people's permissions only for those whose
 * authority or eligibility decides something. Approvals are counted by the pre-merge check's own
 * rule with the same facts as of the merge: the comparisons that keep an approval across an
 * "Update branch" merge or a listed bot's verified commits (against the base commit GitHub
 * recorded for the pull request, as the base branch contains the head once merged), and the
 * review requests still pending at the merge (GitHub keeps them on the merged pull request), which
 * withdraw the approval of a reviewer asked again. A request removed in the seconds between the
 * merge and the first audit would be missed; the first audit's judgement is then recorded.
 */
import type { Policy } from "../config/policy.js";
import { needsLatestTag } from "../rules/branch-name.js";
import {
  authorisersToVerify,
  justificationCandidates,
  justificationDeadline,
  needsReviewTimeline,
  peopleAsFirstJudged,
  withdrawnConfirmation,
  type CommentFact,
  type JustificationCandidate,
  type ReviewRequestFact,
} from "../rules/justification.js";
import {
  latestTagBefore,
  requiredCheckNames,
  requirementsAtMerge,
  reviewsBeforeMerge,
  ruleSuiteNeedsLookup,
  type AuditInputs,
  type ProtectionChange,
  type RuleSuiteLookup,
} from "../rules/merge-audit.js";
import { type AuditRecord, type Requirement } from "../model/merge.js";
import { bypassCommenters } from "../rules/bypass-grant.js";
import { approvalsToCarry } from "../rules/approvals.js";
import { expectedTag } from "../rules/post-incident.js";
import type { MergeShape } from "../rules/merge-method.js";
import type { CommitFact, ReviewFact, ReviewerFact } from "../rules/types.js";
import type { AuditGateway, MergedPullRequestData } from "../github/audit-gateway.js";
import type { GithubGateway, RepoRef } from "../github/gateway.js";
import { pushesSinceApprovals, teamMemberships } from "./snapshot.js";

/** At most this many people's permissions are read per audit; anyone beyond stays unverified. */
const MAX_PEOPLE = 20;

/** What the loader is given besides the pull request. */
export interface AuditBasis {
  readonly recorded: AuditRecord | null;
  readonly comments: readonly CommentFact[];
  readonly ownLogin: string;
  readonly now: Date;
  /** Reads the recorded protection changes of the production branch since a time. */
  readonly protectionChangesSince: (since: string) => Promise<ProtectionChange[]>;
}

/** A person's repository permission and membership of the given configured teams (unreadable teams become notes). */
export async function readPersonFact(gateway: GithubGateway, repo: RepoRef, login: string, teams: readonly string[]): Promise<ReviewerFact> {
  const [permission, memberships] = await Promise.all([gateway.getPermission(repo, login), teamMemberships(gateway, repo, login, teams)]);
  return { permission, ...memberships };
}

/** Reads the permission and configured team memberships of each login (lower-cased keys), at most {@link MAX_PEOPLE}. */
async function peopleFacts(gateway: AuditGateway, repo: RepoRef, logins: ReadonlyMap<string, readonly string[]>): Promise<Record<string, ReviewerFact>> {
  const entries = await Promise.all(
    [...logins].slice(0, MAX_PEOPLE).map(async ([login, teams]) => [login, await readPersonFact(gateway, repo, login, teams)] as const),
  );
  return Object.fromEntries(entries);
}

function addPeople(into: Map<string, string[]>, logins: readonly string[], teams: readonly string[]): void {
  for (const login of logins) {
    const key = login.toLowerCase();
    into.set(key, [...new Set([...(into.get(key) ?? []), ...teams])]);
  }
}

function reviewerLogins(reviews: readonly ReviewFact[], author: string, until: number): string[] {
  const authorLogin = author.toLowerCase();
  return [...new Set(reviews.filter((r) => Date.parse(r.submittedAt ?? "") <= until).map((r) => r.reviewer.toLowerCase()))].filter((login) => login !== authorLogin);
}

/** At most this many commits does GitHub list for a pull request; a longer one's count is not known. */
const MAX_LISTED_COMMITS = 250;

/**
 * The merge commit's shape for `merge_method`: its parents, the pull request's commit count and,
 * for one parent and several commits, whether that parent belongs to the pull request (a rebase).
 * A failed read leaves its fact null, which the requirement reports as unknown.
 */
async function readMergeShape(gateway: AuditGateway, repo: RepoRef, pr: MergedPullRequestData, commits: readonly CommitFact[] | undefined): Promise<MergeShape> {
  const count = commits === undefined ? null : commits.length >= MAX_LISTED_COMMITS ? null : commits.length;
  if (!pr.mergeCommitSha) return { parents: null, commits: count, parentInPullRequest: null };
  const parents = await gateway.getCommitParents(repo, pr.mergeCommitSha).catch(() => null);
  const parent = parents?.length === 1 ? parents[0] : undefined;
  if (parents === null || parent === undefined || count === null || count < 2) return { parents: parents?.length ?? null, commits: count, parentInPullRequest: null };
  const owners = await gateway.listPullRequestsOfCommit(repo, parent).catch(() => null);
  return { parents: 1, commits: count, parentInPullRequest: owners === null ? null : owners.some((owner) => owner.number === pr.number) };
}

interface JudgedRequirements {
  readonly requirements: Requirement[];
  readonly protectionChanges: ProtectionChange[];
  readonly rulesetsApply: boolean;
  readonly people: Record<string, ReviewerFact>;
}

async function judgeRequirements(gateway: AuditGateway, repo: RepoRef, pr: MergedPullRequestData, reviews: readonly ReviewFact[], policy: Policy, basis: AuditBasis): Promise<JudgedRequirements> {
  const { config } = policy;
  const branchTag = expectedTag(pr.headRef, policy);
  const [rulesets, classic, checkRuns, files, commits, tags, protectionChanges] = await Promise.all([
    gateway.getBranchRules(repo, pr.baseRef),
    gateway.getClassicProtection(repo, pr.baseRef),
    gateway.listCheckRuns(repo, pr.headSha),
    config.tests.required || config.scope.forbidden_paths.length > 0 ? gateway.listPullRequestFiles(repo, pr.number) : undefined,
    config.commits.convention !== "off" || config.merge_method !== null ? gateway.listPullRequestCommits(repo, pr.number) : undefined,
    needsLatestTag(pr.headRef, policy) ? gateway.listVersionTags(repo) : undefined,
    basis.protectionChangesSince(pr.createdAt),
  ]);
  const runNames = new Set(checkRuns.map((run) => run.name));
  const needStatuses = requiredCheckNames(rulesets, classic).some((name) => !runNames.has(name));
  const reviewers = reviewerLogins(reviews, pr.author, Date.parse(pr.mergedAt));
  const people = new Map<string, string[]>();
  addPeople(people, reviewers, config.approvals.reviewers.teams);
  const beforeMerge = reviewsBeforeMerge(reviews, pr.mergedAt);
  const [statuses, facts, mergeShape, pushes] = await Promise.all([
    needStatuses ? gateway.listStatuses(repo, pr.headSha) : null,
    peopleFacts(gateway, repo, people),
    config.merge_method !== null ? readMergeShape(gateway, repo, pr, commits) : undefined,
    pr.baseSha ? pushesSinceApprovals(gateway, repo, pr.baseSha, pr.headSha, approvalsToCarry(beforeMerge, pr.headSha, policy), policy) : {},
  ]);
  const { merged: _merged, createdAt: _created, mergedAt: _mergedAt, mergeCommitSha: _sha, mergedBy: _by, baseSha: _base, ...prFacts } = pr;
  const atMerge = {
    ...prFacts,
    reviews: beforeMerge,
    ...(Object.keys(pushes).length > 0 ? { pushesSinceApproval: pushes } : {}),
    reviewers: facts,
    latestVersionTag: tags ? latestTagBefore(tags, branchTag) : null,
    ...(files ? { files } : {}),
    ...(commits && config.commits.convention !== "off" ? { commits } : {}),
  };
  const requirements = requirementsAtMerge({ pr, atMerge, reviews, reviewers: facts, rulesets, classic, checkRuns, statuses, protectionChanges, ...(mergeShape ? { mergeShape } : {}) }, policy);
  const rulesetsApply = rulesets.status === "unreadable" || rulesets.ruleCount > 0 || protectionChanges.some((change) => change.kind === "ruleset");
  return { requirements, protectionChanges, rulesetsApply, people: facts };
}

async function lookUpRuleSuite(gateway: AuditGateway, repo: RepoRef, pr: MergedPullRequestData, basis: AuditBasis): Promise<RuleSuiteLookup> {
  if (!pr.mergeCommitSha) return { status: "unavailable", reason: "GitHub reported no merge commit" };
  return gateway.findRuleSuiteBypass(repo, `refs/heads/${pr.baseRef}`, pr.mergeCommitSha, basis.now.getTime() - Date.parse(pr.mergedAt));
}

function decided(requirements: readonly Requirement[], ruleSuite: RuleSuiteLookup): boolean {
  return ruleSuite.status !== "bypass" && requirements.every((requirement) => requirement.status === "met" || requirement.status === "pending");
}

/**
 * The people a justification's checks read: the authoriser each form names (permission and
 * authoriser teams) and, when the timeline was read for "no reviewer available", the reviewers
 * and requested reviewers (permission and reviewer teams). Those already known are not read again.
 */
async function justificationPeople(
  gateway: AuditGateway,
  repo: RepoRef,
  pr: MergedPullRequestData,
  candidates: readonly JustificationCandidate[],
  reviews: readonly ReviewFact[],
  requests: readonly ReviewRequestFact[] | null,
  known: Readonly<Record<string, ReviewerFact>>,
  policy: Policy,
): Promise<Record<string, ReviewerFact>> {
  const people = new Map<string, string[]>();
  addPeople(people, authorisersToVerify(candidates, pr.author), policy.config.bypass.authorizers.teams);
  if (requests) {
    const requested = requests.flatMap((request) => (request.reviewer ? [request.reviewer] : []));
    const reviewers = reviewerLogins(reviews, pr.author, justificationDeadline(pr.mergedAt, policy));
    addPeople(people, [...reviewers, ...requested].filter((login) => login.toLowerCase() !== pr.author.toLowerCase()), policy.config.approvals.reviewers.teams);
  }
  const lookedUp = new Set(policy.config.approvals.reviewers.teams);
  for (const [login, teams] of people) {
    if (known[login] && teams.every((team) => lookedUp.has(team))) people.delete(login);
  }
  return { ...known, ...(await peopleFacts(gateway, repo, people)) };
}

/**
 * Loads the audit's inputs for a merged pull request. The requirements come from the record when
 * an earlier audit judged them (the pull request may have been edited since), else are judged
 * now from freshly read facts.
 */
export async function loadAuditInputs(gateway: AuditGateway, repo: RepoRef, pr: MergedPullRequestData, policy: Policy, basis: AuditBasis): Promise<AuditInputs> {
  const { recorded } = basis;
  const reviews = await gateway.listReviews(repo, pr.number);
  const judged = recorded
    ? { requirements: [...recorded.requirements], protectionChanges: [...recorded.protectionChanges], rulesetsApply: recorded.rulesetsApply, people: {} }
    : await judgeRequirements(gateway, repo, pr, reviews, policy, basis);
  const askRuleSuite = ruleSuiteNeedsLookup(recorded, judged.rulesetsApply, pr.mergedAt);
  const ruleSuite: RuleSuiteLookup = askRuleSuite ? await lookUpRuleSuite(gateway, repo, pr, basis) : (recorded?.ruleSuite ?? { status: "not-applicable" });
  const ruleSuiteCheckedAt = askRuleSuite ? basis.now.toISOString() : (recorded?.ruleSuiteCheckedAt ?? null);
  const candidates = justificationCandidates(pr.body, basis.comments, basis.ownLogin);
  const recordedJustification = recorded?.justification ?? null;
  const recordedValid = recordedJustification !== null && recordedJustification.verdict.valid && withdrawnConfirmation(recordedJustification.verdict, basis.comments, basis.now) === null;
  const judgeJustification = !decided(judged.requirements, ruleSuite) && !recordedValid && candidates.length > 0;
  const requests = judgeJustification && needsReviewTimeline(candidates, policy) ? await gateway.listReviewRequests(repo, pr.number) : null;
  const known = peopleAsFirstJudged(judged.people, recorded?.authorities);
  const people = judgeJustification ? await justificationPeople(gateway, repo, pr, candidates, reviews, requests, known, policy) : judged.people;
  const commenters = recorded ? [] : bypassCommenters(basis.comments, basis.ownLogin, pr.author);
  const bypassPeople = await peopleFacts(gateway, repo, new Map(commenters.map((login) => [login, policy.config.bypass.authorizers.teams])));
  return {
    pr,
    requirements: judged.requirements,
    protectionChanges: judged.protectionChanges,
    rulesetsApply: judged.rulesetsApply,
    ruleSuite,
    ruleSuiteCheckedAt,
    candidates,
    context: { author: pr.author, mergedAt: pr.mergedAt, reviews, comments: basis.comments, people, reviewRequests: requests },
    recorded,
    bypass: { comments: basis.comments, ownLogin: basis.ownLogin, people: bypassPeople },
  };
}
