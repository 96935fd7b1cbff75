/**
 * Review before merge (seeds 001, 002, 004: one approval from a senior developer). This is the rule
 * whose wrong verdict does the most harm: a hotfix that passes on a self-approval, a stale approval
 * or one from someone the team never trusted ships unreviewed code to production. So every doubt
 * resolves to "does not count": only each reviewer's latest decisive review is read, the author
 * never counts, a reviewer the app could not verify is not eligible, and an approval given before
 * the latest push is stale when the policy says so, unless the pushes since only merged the base
 * in or were a listed bot's verified commits. A review requested again from an approver withdraws
 * the approval. Eligible changes-requested reviews block.
 */
import type { Policy } from "../config/policy.js";
import { declaredSeverity } from "./document.js";
import { listInProse } from "./excerpt.js";
import { describeLadder, hourMinute } from "./escalation.js";
import type { Finding, PullRequestSnapshot, PushesSinceApproval, ReviewFact, ReviewerFact, ReviewRequestFact, Rule } from "./types.js";

const RULE = "approvals";
const TITLE = "Approvals";
/** Repository permissions that may approve when no reviewers are configured. */
const WRITE_PERMISSIONS = new Set(["admin", "maintain", "write"]);
const BYPASS_HINT =
  "If no eligible reviewer can respond in an emergency, a bypass requires the emergency bypass justification form: see the bypass procedure in the README.";

/** A review state that replaces a reviewer's earlier reviews; COMMENTED and PENDING never do. */
export type DecisiveState = "APPROVED" | "CHANGES_REQUESTED" | "DISMISSED";

/** A reviewer's latest decisive review. */
export interface LatestReview {
  /** The login as GitHub spelt it in the review. */
  readonly reviewer: string;
  readonly state: DecisiveState;
  readonly commitId: string | null;
}

/** Whether a reviewer may approve, and why, in words for the check run. Unverified is never eligible. */
export interface Eligibility {
  readonly status: "eligible" | "not-eligible" | "unverified";
  readonly reason: string;
}

/** How many approvals the pull request needs, and which setting says so. */
export interface RequiredApprovals {
  readonly count: number;
  /** `approvals.required`, or the severity and `approvals.by_severity`. */
  readonly source: string;
}

/** What one reviewer's latest review contributes, and the deciding cause. */
export interface ReviewerVerdict {
  readonly reviewer: string;
  readonly outcome: "counted" | "blocking" | "not-counted";
  readonly cause: "eligible" | "author" | "dismissed" | "not-eligible" | "unverified" | "stale" | "re-requested";
  readonly reason: string;
}

/** The approvals counted for a pull request, with a verdict per reviewer. */
export interface ApprovalTally {
  readonly required: RequiredApprovals;
  readonly verdicts: readonly ReviewerVerdict[];
  readonly approvals: number;
  readonly blockers: readonly ReviewerVerdict[];
}

/** What the tally reads from a pull request; the post-merge audit passes reviews submitted before the merge. */
export type ApprovalInputs = Pick<PullRequestSnapshot, "body" | "author" | "headSha" | "reviews" | "reviewers" | "requestedReviewers" | "pushesSinceApproval">;

function decisiveState(state: string): DecisiveState | null {
  const upper = String(state).toUpperCase();
  return upper === "APPROVED" || upper === "CHANGES_REQUESTED" || upper === "DISMISSED" ? upper : null;
}

function submittedTime(review: ReviewFact): number | null {
  const time = review.submittedAt === null ? Number.NaN : Date.parse(review.submittedAt);
  return Number.isNaN(time) ? null : time;
}

/** True when `candidate`, listed after `current`, is its successor: not submitted before it. */
function supersedes(candidate: ReviewFact, current: ReviewFact): boolean {
  const candidateTime = submittedTime(candidate);
  const currentTime = submittedTime(current);
  return candidateTime === null || currentTime === null || candidateTime >= currentTime;
}

/**
 * Each reviewer's latest decisive review, by lower-cased login. COMMENTED and PENDING reviews are
 * skipped, so a comment after an approval does not cancel it; a dismissal does. Reviews are read
 * in list order, and a review submitted earlier than the one it follows does not replace it.
 */
export function latestDecisiveReviews(reviews: readonly ReviewFact[]): Map<string, LatestReview> {
  const latest = new Map<string, { review: ReviewFact; state: DecisiveState }>();
  for (const review of reviews) {
    const state = decisiveState(review.state);
    const login = review.reviewer.toLowerCase();
    if (!state || login === "") continue;
    const current = latest.get(login);
    if (!current || supersedes(review, current.review)) latest.set(login, { review, state });
  }
  return new Map(
    [...latest].map(([login, { review, state }]) => [login, { reviewer: review.reviewer, state, commitId: review.commitId }]),
  );
}

function lowerCased(values: readonly string[]): Set<string> {
  return new Set(values.map((value) => value.toLowerCase()));
}

function hasConfiguredReviewers(policy: Policy): boolean {
  const { users, teams } = policy.config.approvals.reviewers;
  return users.length > 0 || teams.length > 0;
}

/**
 * The lower-cased logins the gateway must look up (repository permission, configured team
 * membership) before the approvals rule can judge them: reviewers whose latest decisive review
 * approves or requests changes, except the author, users listed in `approvals.reviewers.users`,
 * and everyone when only users are configured (being unlisted then decides alone).
 */
export function reviewersToVerify(reviews: readonly ReviewFact[], author: string, policy: Policy): string[] {
  const { users, teams } = policy.config.approvals.reviewers;
  if (users.length > 0 && teams.length === 0) return [];
  const listed = lowerCased(users);
  const authorLogin = author.toLowerCase();
  return [...latestDecisiveReviews(reviews)]
    .filter(([login, review]) => review.state !== "DISMISSED" && login !== authorLogin && !listed.has(login))
    .map(([login]) => login);
}

function withNotes(reason: string, fact: ReviewerFact): string {
  return fact.notes.length > 0 ? `${reason} (${fact.notes.join("; ")})` : reason;
}

function permissionEligibility(fact: ReviewerFact | undefined): Eligibility {
  if (!fact?.permission) {
    const reason = "could not verify their repository permission";
    return { status: "unverified", reason: fact ? withNotes(reason, fact) : reason };
  }
  if (WRITE_PERMISSIONS.has(fact.permission.toLowerCase())) return { status: "eligible", reason: `${fact.permission} permission` };
  return { status: "not-eligible", reason: withNotes(`${fact.permission} permission, needs write, maintain or admin`, fact) };
}

function configuredEligibility(login: string, fact: ReviewerFact | undefined, policy: Policy): Eligibility {
  const { users, teams } = policy.config.approvals.reviewers;
  if (lowerCased(users).has(login.toLowerCase())) return { status: "eligible", reason: "listed in approvals.reviewers.users" };
  if (teams.length === 0) return { status: "not-eligible", reason: "not listed in approvals.reviewers.users" };
  if (!fact) return { status: "unverified", reason: `could not verify membership of ${listInProse(teams)}` };
  const memberships = lowerCased(fact.teams);
  const team = teams.find((configured) => memberships.has(configured.toLowerCase()));
  if (team) return { status: "eligible", reason: `member of ${team}` };
  const notListed = users.length > 0 ? "not a listed user nor a member of" : "not a member of";
  return { status: "not-eligible", reason: withNotes(`${notListed} ${listInProse(teams)}`, fact) };
}

/**
 * Whether a reviewer may approve: with no reviewers configured, anyone with write, maintain or
 * admin permission; otherwise a user listed in `approvals.reviewers.users` or an active member of
 * a listed team. A reviewer without facts is not eligible: unverified never counts.
 */
export function eligibilityOf(login: string, fact: ReviewerFact | undefined, policy: Policy): Eligibility {
  return hasConfiguredReviewers(policy) ? configuredEligibility(login, fact, policy) : permissionEligibility(fact);
}

/** The severity values the description names, whatever the template rule thinks of them. */
function namedSeverities(body: string, policy: Policy): readonly string[] {
  const severity = declaredSeverity(body, policy);
  switch (severity.kind) {
    case "hotfix":
    case "ambiguous":
      return severity.values;
    case "not-hotfix":
      return [severity.value];
    default:
      return [];
  }
}

const DEFAULT_SOURCE = "approvals.required";

/** `approvals.by_severity` by lower-cased severity; keys differing only in case keep the larger count. */
function countsBySeverity(policy: Policy): Map<string, number> {
  const counts = new Map<string, number>();
  for (const [severity, count] of Object.entries(policy.config.approvals.by_severity)) {
    const key = severity.toLowerCase();
    counts.set(key, Math.max(count, counts.get(key) ?? 0));
  }
  return counts;
}

function stricter(a: RequiredApprovals, b: RequiredApprovals): RequiredApprovals {
  if (b.count !== a.count) return b.count > a.count ? b : a;
  return a.source === DEFAULT_SOURCE ? b : a;
}

/**
 * The approvals needed: `approvals.by_severity` for the declared severity (keys compared without
 * case), `approvals.required` otherwise. When the description names several severities
 * ("P0 - Critical"), each needs its own count (its `by_severity` entry, else `approvals.required`)
 * and the strictest wins.
 */
export function requiredApprovals(body: string, policy: Policy): RequiredApprovals {
  const counts = countsBySeverity(policy);
  const fallback: RequiredApprovals = { count: policy.config.approvals.required, source: DEFAULT_SOURCE };
  const perSeverity = namedSeverities(body, policy).map((value): RequiredApprovals => {
    const count = counts.get(value.toLowerCase());
    return count === undefined ? fallback : { count, source: `severity ${value}, approvals.by_severity` };
  });
  const [first, ...rest] = perSeverity;
  return first ? rest.reduce(stricter, first) : fallback;
}

function shortSha(sha: string): string {
  return sha.slice(0, 7);
}

/** The accounts whose verified commits keep approvals, lower-cased. */
function keepingPushers(policy: Policy): Set<string> {
  return lowerCased(policy.config.approvals.keep_on_pushes_by);
}

/**
 * Why pushes after an approval did not make it stale, or null when they did: only the base branch
 * was merged in (the pull request's own change is file for file the approved one), or every new
 * commit was authored and committed by a listed bot or merge queue and signed as GitHub verified
 * (an email alone could be anyone's).
 */
function keptAcross(pushes: PushesSinceApproval | undefined, policy: Policy): string | null {
  if (!pushes) return null;
  const { keep_on_base_merge: keepOnBaseMerge } = policy.config.approvals;
  if (keepOnBaseMerge && pushes.sameChange) return "kept: only the base branch was merged in since";
  const pushers = keepingPushers(policy);
  const { commits } = pushes;
  if (pushers.size === 0 || !pushes.ancestor || !commits || commits.length === 0) return null;
  const byListed = commits.every((c) => c.verified && c.author !== null && c.committer !== null && pushers.has(c.author.toLowerCase()) && pushers.has(c.committer.toLowerCase()));
  if (!byListed) return null;
  const who = [...new Set(commits.map((c) => `@${c.author as string}`))];
  return `kept: only verified commits by ${listInProse(who)} since`;
}

/** Whether a push left the approval standing: `stale` says why not, `kept` why a push did not count. */
function staleness(review: LatestReview, pr: ApprovalInputs, policy: Policy): { stale: string | null; kept: string | null } {
  if (!policy.config.approvals.stale_after_push || review.commitId === pr.headSha) return { stale: null, kept: null };
  if (review.commitId === null) return { stale: "approval given on an unknown commit, so it may predate the latest push", kept: null };
  const kept = keptAcross(pr.pushesSinceApproval?.[review.commitId], policy);
  return kept ? { stale: null, kept: `approval on ${shortSha(review.commitId)} ${kept}` } : { stale: `approval given on ${shortSha(review.commitId)}, before the latest push`, kept: null };
}

/** True when the reviewer's review is requested again after their approval: as on GitHub, the approval waits for their new review. */
function reRequested(login: string, pr: ApprovalInputs): boolean {
  return (pr.requestedReviewers ?? []).some((requested) => requested.toLowerCase() === login);
}

/**
 * Which approved commits need push facts before the tally: approvals on an earlier commit, when
 * staleness is on and a push could keep them (`keep_on_base_merge`, `keep_on_pushes_by`).
 */
export function approvalsToCarry(reviews: readonly ReviewFact[], headSha: string, policy: Policy): string[] {
  const { stale_after_push: staleAfterPush, keep_on_base_merge: keepOnBaseMerge, keep_on_pushes_by: pushers } = policy.config.approvals;
  if (!staleAfterPush || (!keepOnBaseMerge && pushers.length === 0)) return [];
  const commits = [...latestDecisiveReviews(reviews).values()].filter((review) => review.state === "APPROVED" && review.commitId !== null && review.commitId !== headSha);
  return [...new Set(commits.map((review) => review.commitId as string))];
}

function verdictOf(login: string, review: LatestReview, pr: ApprovalInputs, facts: ReadonlyMap<string, ReviewerFact>, policy: Policy): ReviewerVerdict {
  const { reviewer } = review;
  if (login === pr.author.toLowerCase()) return { reviewer, outcome: "not-counted", cause: "author", reason: "the author, who never counts" };
  if (review.state === "DISMISSED") return { reviewer, outcome: "not-counted", cause: "dismissed", reason: "review dismissed" };
  const eligibility = eligibilityOf(login, facts.get(login), policy);
  if (eligibility.status !== "eligible") {
    const action = review.state === "CHANGES_REQUESTED" ? "requested changes but is" : "approved but is";
    return { reviewer, outcome: "not-counted", cause: eligibility.status, reason: `${action} not an eligible reviewer: ${eligibility.reason}` };
  }
  if (review.state === "CHANGES_REQUESTED") {
    return { reviewer, outcome: "blocking", cause: "eligible", reason: `requested changes; ${eligibility.reason}` };
  }
  if (reRequested(login, pr)) return { reviewer, outcome: "not-counted", cause: "re-requested", reason: "review requested again since the approval, which waits for their new review" };
  const { stale, kept } = staleness(review, pr, policy);
  if (stale) return { reviewer, outcome: "not-counted", cause: "stale", reason: stale };
  return { reviewer, outcome: "counted", cause: "eligible", reason: kept ? `${eligibility.reason}; ${kept}` : eligibility.reason };
}

/** Reviewer facts by lower-cased login, own keys only (a login such as `constructor` finds nothing). */
function factsByLogin(reviewers: PullRequestSnapshot["reviewers"]): Map<string, ReviewerFact> {
  return new Map(Object.entries(reviewers).map(([login, fact]) => [login.toLowerCase(), fact]));
}

/**
 * Counts the approvals of a pull request: one verdict per reviewer from their latest decisive
 * review, the approvals that count, and the eligible reviewers whose changes-requested blocks.
 */
export function tallyApprovals(pr: ApprovalInputs, policy: Policy): ApprovalTally {
  const facts = factsByLogin(pr.reviewers);
  const verdicts = [...latestDecisiveReviews(pr.reviews)].map(([login, review]) => verdictOf(login, review, pr, facts, policy));
  return {
    required: requiredApprovals(pr.body, policy),
    verdicts,
    approvals: verdicts.filter((verdict) => verdict.outcome === "counted").length,
    blockers: verdicts.filter((verdict) => verdict.outcome === "blocking"),
  };
}

function mentions(verdicts: readonly ReviewerVerdict[]): string {
  return listInProse(verdicts.map((verdict) => `@${verdict.reviewer}`));
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

/** Who counted and who did not, and why; blockers are named before this. */
function describeVerdicts(verdicts: readonly ReviewerVerdict[]): string {
  if (verdicts.length === 0) return "No approving or changes-requested reviews yet.";
  const group = (label: string, outcome: ReviewerVerdict["outcome"]) => {
    const listed = verdicts.filter((verdict) => verdict.outcome === outcome);
    return listed.length > 0 ? [`${label}: ${listed.map((verdict) => `@${verdict.reviewer} (${verdict.reason})`).join("; ")}.`] : [];
  };
  return [...group("Counted", "counted"), ...group("Not counted", "not-counted")].join(" ");
}

function eligibleReviewers(policy: Policy): string {
  const { users, teams } = policy.config.approvals.reviewers;
  if (users.length === 0 && teams.length === 0) return "someone with write access to the repository";
  const people = [
    ...(users.length > 0 ? [`one of ${listInProse(users.map((user) => `@${user}`))}`] : []),
    ...(teams.length > 0 ? [`a member of ${listInProse(teams)}`] : []),
  ];
  return people.join(" or ");
}

function expectedApprovals(required: RequiredApprovals, policy: Policy): string {
  const onHead = policy.config.approvals.stale_after_push ? " on the latest commit" : "";
  return (
    `${plural(required.count, "approval")} (${required.source})${onHead} from ${eligibleReviewers(policy)}, ` +
    "not the author, and no changes requested by an eligible reviewer"
  );
}

function missingApprovalsRemedy(tally: ApprovalTally, policy: Policy): string {
  const steps = [`Request a review from ${eligibleReviewers(policy)}.`];
  const stale = tally.verdicts.filter((verdict) => verdict.cause === "stale");
  if (stale.length > 0) steps.push(`Ask ${mentions(stale)} to approve the latest commit again: approvals given before the latest push no longer count.`);
  const again = tally.verdicts.filter((verdict) => verdict.cause === "re-requested");
  if (again.length > 0) steps.push(`${mentions(again)} must review again: their review was requested after they approved.`);
  const unverified = tally.verdicts.filter((verdict) => verdict.cause === "unverified");
  if (unverified.length > 0) {
    const teamAccess = policy.config.approvals.reviewers.teams.length > 0 ? ", and make sure the app may read team membership (Members read permission)" : "";
    steps.push(`The app could not verify ${mentions(unverified)}, so their reviews do not count: re-run the check${teamAccess}.`);
  }
  steps.push(BYPASS_HINT);
  return steps.join(" ");
}

function blockedRemedy(tally: ApprovalTally): string {
  return `Address the changes ${mentions(tally.blockers)} requested, push, and ask for a new review: an approval from the same reviewer replaces the request. ${BYPASS_HINT}`;
}

function countSummary({ approvals, required }: ApprovalTally): string {
  if (required.count === 0) return `No approval required (${required.source}).`;
  return `${approvals} of ${plural(required.count, "required approval")} (${required.source}).`;
}

/** True when the pull request lacks approvals without being blocked: the case the review wait is about. */
export function approvalsShort(snapshot: ApprovalInputs, policy: Policy): boolean {
  const tally = tallyApprovals(snapshot, policy);
  return tally.blockers.length === 0 && tally.approvals < tally.required.count;
}

function teamMatches(requested: string, configured: string): boolean {
  const slug = configured.includes("/") ? configured.slice(configured.indexOf("/") + 1) : configured;
  return requested.toLowerCase() === slug.toLowerCase();
}

/** Whether a review request went to someone whose review would count (a team: a configured one). */
function requestedEligible(request: ReviewRequestFact, pr: ApprovalInputs, policy: Policy): boolean {
  if (request.kind !== "requested") return false;
  if (request.reviewer) {
    const login = request.reviewer.toLowerCase();
    return login !== pr.author.toLowerCase() && (!hasConfiguredReviewers(policy) || eligibilityOf(login, factsByLogin(pr.reviewers).get(login), policy).status === "eligible");
  }
  const team = request.team;
  return team !== null && (!hasConfiguredReviewers(policy) || policy.config.approvals.reviewers.teams.some((configured) => teamMatches(team, configured)));
}

/**
 * When a review was first requested from an eligible reviewer: the start of the review wait. Later
 * requests, pushes (by people, bots or merge queues) and "Update branch" merges never move it.
 */
export function firstEligibleRequest(requests: readonly ReviewRequestFact[], pr: ApprovalInputs, policy: Policy): string | null {
  return requests.find((request) => requestedEligible(request, pr, policy))?.at ?? null;
}

/** Users asked for a review whose eligibility needs looking up (configured teams decide it). */
export function requestedUsersToVerify(requests: readonly ReviewRequestFact[], author: string, policy: Policy): string[] {
  const { users, teams } = policy.config.approvals.reviewers;
  if (teams.length === 0) return [];
  const listed = lowerCased(users);
  const logins = requests.flatMap((request) => (request.kind === "requested" && request.reviewer ? [request.reviewer.toLowerCase()] : []));
  return [...new Set(logins)].filter((login) => login !== author.toLowerCase() && !listed.has(login));
}

/**
 * When the review wait of a typical procedure runs out: the first review request plus
 * `bypass.review_wait_hours`, while approvals are short and no eligible reviewer has reviewed
 * since the request. After it, "no reviewer available" is a valid emergency bypass reason.
 * Null when there is nothing to wait for: no request, approvals complete, or a reviewer answered.
 */
export function reviewWaitDeadline(snapshot: PullRequestSnapshot, policy: Policy): Date | null {
  const requestedAt = snapshot.reviewRequestedAt ? Date.parse(snapshot.reviewRequestedAt) : Number.NaN;
  if (Number.isNaN(requestedAt) || !approvalsShort(snapshot, policy)) return null;
  const eligible = new Set(
    tallyApprovals(snapshot, policy)
      .verdicts.filter((verdict) => verdict.cause === "eligible" || verdict.cause === "stale" || verdict.cause === "re-requested")
      .map((verdict) => verdict.reviewer.toLowerCase()),
  );
  const answered = snapshot.reviews.some(
    (review) => eligible.has(review.reviewer.toLowerCase()) && review.submittedAt !== null && Date.parse(review.submittedAt) >= requestedAt,
  );
  return answered ? null : new Date(requestedAt + policy.config.bypass.review_wait_hours * 3_600_000);
}

function utc(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** What the review wait means now, for the row: pending until a time, or a bypass permitted. */
function reviewWaitNote(snapshot: PullRequestSnapshot, policy: Policy, now: Date): { actual: string; remedy: string } | null {
  const deadline = reviewWaitDeadline(snapshot, policy);
  if (!deadline) return null;
  const hours = policy.config.bypass.review_wait_hours;
  const requested = utc(new Date(snapshot.reviewRequestedAt as string));
  if (now < deadline) {
    return {
      actual: `Review requested ${requested}; if no eligible reviewer responds by ${utc(deadline)}, an emergency bypass becomes permitted.`,
      remedy: "",
    };
  }
  return {
    actual: `No eligible reviewer has reviewed within ${hours} hours of the review request (${requested}): an emergency bypass is now permitted.`,
    remedy:
      `An administrator may now authorise an emergency bypass: add the EMERGENCY BYPASS JUSTIFICATION form to this pull request ` +
      `with \`**Bypass Reason:** No reviewer available within ${hours} hours\`, and the authorising administrator confirms it with an approving review or a \`/hotfix authorize\` comment of their own. The merge will be audited.`,
  };
}

/** The escalation ladder's steps so far and when a bypass becomes permitted, when a ladder is configured. */
function ladderNote(snapshot: PullRequestSnapshot, policy: Policy): string {
  const { ladder } = policy.config.escalation;
  if (ladder.length === 0 || !snapshot.appLogin || !snapshot.reviewRequests) return "";
  const parts = describeLadder(ladder, snapshot.author, snapshot.reviewRequests, snapshot.appLogin);
  const deadline = reviewWaitDeadline(snapshot, policy);
  if (deadline) parts.push(`bypass permitted at ${hourMinute(deadline)}`);
  return parts.length > 0 ? `Escalation: ${parts.join("; ")}.` : "";
}

/** The approvals rule: enough eligible, current approvals and no eligible changes-requested review. */
export const approvalsRule: Rule = (snapshot, policy, now): Finding[] => {
  const tally = tallyApprovals(snapshot, policy);
  const expected = expectedApprovals(tally.required, policy);
  const count = [countSummary(tally), describeVerdicts(tally.verdicts)].filter((part) => part !== "").join(" ");
  if (tally.blockers.length > 0) {
    const actual = `Changes requested by ${mentions(tally.blockers)}, ${tally.blockers.length === 1 ? "an eligible reviewer" : "eligible reviewers"}. ${count}`;
    return [{ rule: RULE, title: TITLE, status: "fail", actual, expected, remedy: blockedRemedy(tally) }];
  }
  if (tally.approvals >= tally.required.count) return [{ rule: RULE, title: TITLE, status: "pass", actual: count, expected }];
  const wait = reviewWaitNote(snapshot, policy, now);
  const remedy = [missingApprovalsRemedy(tally, policy), wait?.remedy ?? ""].filter(Boolean).join(" ");
  return [{ rule: RULE, title: TITLE, status: "fail", actual: [count, wait?.actual ?? "", ladderNote(snapshot, policy)].filter(Boolean).join(" "), expected, remedy }];
};
