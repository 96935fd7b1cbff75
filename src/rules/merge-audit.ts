/**
 * The merge-time audit, as pure functions. After a hotfix merges, `reviewDecision` and
 * `mergeable_state` describe the pull request as it is now, not as it was at the merge, so the
 * audit rebuilds both sides itself: what was required (the policy's blocking rules and GitHub's
 * own rules and branch protection for the production branch) and what was present at
 * `merged_at` (reviews submitted before it, checks completed before it). Anything unmet makes the
 * merge a bypass; a bypass is justified only by a justification the app could verify
 * (`justification.ts`). Requirements are judged once and kept in the audit's record, so later
 * edits of the description cannot turn a bypass into compliance; the justification as it stood
 * at the verdict is kept too, and any later edit is flagged.
 */
import type { Policy } from "../config/policy.js";
import { compilePattern } from "../config/patterns.js";
import { declaredSeverity } from "./document.js";
import { evaluateHotfix } from "./index.js";
import { latestDecisiveReviews } from "./approvals.js";
import {
  authoritiesAfter,
  justificationDeadline,
  peopleAsFirstJudged,
  sourceKey,
  validateJustification,
  withdrawnConfirmation,
  type JustificationCandidate,
  type JustificationContext,
} from "./justification.js";
import {
  type RecordedAuthority,
  type JustificationFields,
  type JustificationSource,
  type JustificationVerdict,
} from "../model/justification-form.js";
import { excerpt, listInProse } from "./excerpt.js";
import { judgeBypass, standingGrant } from "./bypass-grant.js";
import type { BypassFacts, BypassState } from "../model/bypass.js";
import { mergeMethodRequirements, type MergeShape } from "./merge-method.js";
import type { PullRequestFacts, PullRequestSnapshot, ReviewFact, ReviewerFact } from "./types.js";
import type { MergedPullRequest, RulesetRequirements, ClassicProtection, CheckRunFact, StatusFact, RuleSuiteLookup, ProtectionChange, AuditRecord, JudgedMerge, RecordedJustification, Requirement } from "../model/merge.js";
export type { MergedPullRequest, RulesetRequirements, ClassicProtection, CheckRunFact, StatusFact, RuleSuiteLookup, ProtectionChange };

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
/** How long after a merge GitHub's rule-suite record may still be missing before "none" is final. */
export const RULE_SUITE_SETTLE_MS = 15 * MINUTE_MS;
/** Check conclusions GitHub accepts for a required check. */
const PASSING_CONCLUSIONS = new Set(["success", "neutral", "skipped"]);
const WRITE_PERMISSIONS = new Set(["admin", "maintain", "write"]);
/** Requirement texts kept in the record are cut to this length. */
const MAX_RECORDED_TEXT = 600;
/** At most this many justification forms are remembered (the description and the earliest comments), bounding the record. */
const MAX_SEEN_FORMS = 50;

/** Everything fetched to judge the requirements, once, at the first audit. */
export interface RequirementFacts {
  readonly pr: MergedPullRequest;
  /** The pull request as the policy saw it at the merge: reviews submitted before `merged_at`. */
  readonly atMerge: PullRequestSnapshot;
  /** Every review of the pull request, with facts about each reviewer who could count. */
  readonly reviews: readonly ReviewFact[];
  readonly reviewers: Readonly<Record<string, ReviewerFact>>;
  readonly rulesets: RulesetRequirements;
  readonly classic: ClassicProtection;
  readonly checkRuns: readonly CheckRunFact[];
  /** Commit statuses; null when no required context needed them. */
  readonly statuses: readonly StatusFact[] | null;
  readonly protectionChanges: readonly ProtectionChange[];
  /** The merge commit's shape, read only when `merge_method` is configured. */
  readonly mergeShape?: MergeShape;
}

/** A justification form changed or removed after the audit first recorded it. */
export interface LaterEdit {
  readonly sourceKey: string;
  readonly removed: boolean;
}

/** The audit's verdict on a merge. */
export interface MergeAudit {
  /** bypass: a requirement was not met; unverified: none unmet, some could not be verified. */
  readonly verdict: "compliant" | "unverified" | "bypass";
  readonly justified: boolean;
  readonly requirements: readonly Requirement[];
  readonly unmet: readonly Requirement[];
  readonly protectionChanges: readonly ProtectionChange[];
  readonly ruleSuite: RuleSuiteLookup;
  readonly ruleSuitePending: boolean;
  /** The justification the verdict stands on: the recorded valid one, else the best current one. */
  readonly justification: RecordedJustification | null;
  readonly laterEdits: readonly LaterEdit[];
  /** Authorisations withdrawn after a verdict, oldest first (also kept in the record). */
  readonly withdrawals: readonly string[];
  /** Whether an audit issue must be open (an unjustified bypass). */
  readonly needsAuditIssue: boolean;
  /** The bypass requests, grants and denials as they stood at the merge; null when there were none. */
  readonly bypass: BypassState | null;
  readonly record: AuditRecord;
}

/** What the audit reads at every run. */
export interface AuditInputs extends JudgedMerge {
  readonly pr: MergedPullRequest;
  readonly candidates: readonly JustificationCandidate[];
  readonly context: Omit<JustificationContext, "bodyFormSeenBefore" | "grant">;
  readonly recorded: AuditRecord | null;
  /** The bypass commands' comments and their authors' authority; undefined when not read. */
  readonly bypass?: BypassFacts;
}

// ── Time ───────────────────────────────────────────────────────────────────────────────────────

/** Milliseconds of an ISO time; NaN when there is none. */
export function time(iso: string | null | undefined): number {
  return iso ? Date.parse(iso) : Number.NaN;
}

/** The short form of a commit sha, or `unknown`. */
export function shortSha(sha: string | null): string {
  return sha ? sha.slice(0, 7) : "unknown";
}

function cut(text: string): string {
  return text.length > MAX_RECORDED_TEXT ? `${text.slice(0, MAX_RECORDED_TEXT - 1)}…` : text;
}

// ── Requirements ───────────────────────────────────────────────────────────────────────────────

/** Reviews submitted at or before the merge; a review without a time is not known to precede it. */
export function reviewsBeforeMerge(reviews: readonly ReviewFact[], mergedAt: string): ReviewFact[] {
  const merged = time(mergedAt);
  return reviews.filter((review) => time(review.submittedAt) <= merged);
}

function policyRequirements(facts: RequirementFacts, policy: Policy): Requirement[] {
  const evaluation = evaluateHotfix(facts.atMerge, policy, new Date(facts.pr.mergedAt));
  return evaluation.findings
    .filter((finding) => finding.status === "pass" || finding.status === "fail")
    .map((finding) => ({
      source: "policy",
      title: finding.title,
      required: cut(finding.expected),
      present: cut(finding.actual),
      status: finding.status === "pass" ? "met" : "unmet",
    }));
}

function githubApprovals(facts: RequirementFacts): Requirement | null {
  const { rulesets, classic } = facts;
  const required = Math.max(rulesets.status === "read" ? rulesets.requiredApprovals : 0, classic.status === "protected" ? classic.requiredApprovals : 0);
  if (required === 0) return null;
  const dismissStale = (rulesets.status === "read" && rulesets.dismissStale) || (classic.status === "protected" && classic.dismissStale);
  const author = facts.pr.author.toLowerCase();
  const approvers = [...latestDecisiveReviews(reviewsBeforeMerge(facts.reviews, facts.pr.mergedAt))]
    .filter(([login, review]) => review.state === "APPROVED" && login !== author)
    .filter(([, review]) => !dismissStale || review.commitId === facts.pr.headSha)
    .filter(([login]) => WRITE_PERMISSIONS.has((facts.reviewers[login]?.permission ?? "").toLowerCase()))
    .map(([, review]) => `@${review.reviewer}`);
  const onHead = dismissStale ? " on the final head commit" : "";
  return {
    source: "github",
    title: "GitHub: required approving reviews",
    required: `${required} approving review${required === 1 ? "" : "s"}${onHead} from users with write access`,
    present: approvers.length > 0 ? `${approvers.length}: ${listInProse(approvers)}` : "none before the merge",
    status: approvers.length >= required ? "met" : "unmet",
  };
}

/** The latest check run of a name completed by the merge, or null. */
function checkAtMerge(name: string, runs: readonly CheckRunFact[], mergedAt: number): CheckRunFact | null {
  return runs
    .filter((run) => run.name === name && time(run.completedAt) <= mergedAt)
    .reduce<CheckRunFact | null>((latest, run) => (!latest || time(run.completedAt) > time(latest.completedAt) ? run : latest), null);
}

function statusAtMerge(context: string, statuses: readonly StatusFact[] | null, mergedAt: number): StatusFact | null {
  return (statuses ?? [])
    .filter((status) => status.context === context && time(status.createdAt) <= mergedAt)
    .reduce<StatusFact | null>((latest, status) => (!latest || time(status.createdAt) > time(latest.createdAt) ? status : latest), null);
}

/** The names of the required checks, from the rulesets and classic protection together. */
export function requiredCheckNames(rulesets: RulesetRequirements, classic: ClassicProtection): string[] {
  const names = [...(rulesets.status === "read" ? rulesets.requiredChecks : []), ...(classic.status === "protected" ? classic.requiredChecks : [])];
  return [...new Set(names)];
}

function requiredCheck(name: string, facts: RequirementFacts): Requirement {
  const merged = time(facts.pr.mergedAt);
  const run = checkAtMerge(name, facts.checkRuns, merged);
  const status = run ? null : statusAtMerge(name, facts.statuses, merged);
  const base = { source: "github" as const, title: `GitHub: required check \`${name}\``, required: "passing on the head commit at the merge" };
  if (run) {
    const passed = PASSING_CONCLUSIONS.has(run.conclusion ?? "");
    return { ...base, present: `${run.conclusion ?? run.status} (completed ${run.completedAt ?? "?"})`, status: passed ? "met" : "unmet" };
  }
  if (status) return { ...base, present: `status ${status.state} (${status.createdAt})`, status: status.state === "success" ? "met" : "unmet" };
  const later = facts.checkRuns.some((r) => r.name === name);
  return { ...base, present: later ? "not completed by the merge" : "no result on the head commit", status: "unmet" };
}

/** At most this many checks are listed as possibly required; the rest are counted in one row. */
const MAX_POSSIBLY_REQUIRED = 20;

/** With classic protection unreadable, every check that had not passed at the merge may have been required. */
function possiblyRequiredChecks(facts: RequirementFacts, known: ReadonlySet<string>): Requirement[] {
  if (facts.classic.status !== "unknown") return [];
  const reason = facts.classic.reason;
  const merged = time(facts.pr.mergedAt);
  const names = [...new Set(facts.checkRuns.map((run) => run.name))].filter((name) => !known.has(name));
  const notPassed = names.flatMap((name) => {
    const run = checkAtMerge(name, facts.checkRuns, merged);
    return run && PASSING_CONCLUSIONS.has(run.conclusion ?? "") ? [] : [{ name, present: run ? `${run.conclusion ?? run.status} at the merge` : "not completed by the merge" }];
  });
  const required = `passing, if classic branch protection requires it (unreadable: ${reason})`;
  const rows = notPassed.slice(0, MAX_POSSIBLY_REQUIRED).map(({ name, present }) => ({ source: "github" as const, title: `Check \`${name}\` (maybe required)`, required, present, status: "unknown" as const }));
  const rest = notPassed.length - rows.length;
  return rest > 0 ? [...rows, { source: "github", title: `${rest} more checks (maybe required)`, required, present: "not passing at the merge", status: "unknown" }] : rows;
}

function protectionRequirements(facts: RequirementFacts): Requirement[] {
  const opened = time(facts.pr.createdAt);
  const merged = time(facts.pr.mergedAt);
  return facts.protectionChanges
    .filter((change) => change.action !== "created" && time(change.at) >= opened && time(change.at) <= merged)
    .map((change) => ({
      source: "github" as const,
      title: `Protection unchanged while the hotfix was open`,
      required: `no ${change.kind} of the production branch weakened or removed between the pull request's opening and its merge`,
      present: `${change.kind} \`${excerpt(change.name, 60)}\` ${change.action} by @${change.actor} at ${change.at}`,
      status: "unmet" as const,
    }));
}

/**
 * Judges every requirement of a merge at `merged_at`: the policy's blocking rules (with only the
 * reviews submitted before the merge), GitHub's required approving reviews and required checks,
 * that protection was not weakened while the pull request was open, and the merge method when
 * `merge_method` is configured. Pure.
 */
export function requirementsAtMerge(facts: RequirementFacts, policy: Policy): Requirement[] {
  const checks = requiredCheckNames(facts.rulesets, facts.classic);
  const approvals = githubApprovals(facts);
  const unreadable: Requirement[] =
    facts.rulesets.status === "unreadable"
      ? [{ source: "github", title: "GitHub rulesets", required: "readable, to know what GitHub required", present: facts.rulesets.reason, status: "unknown" }]
      : [];
  return [
    ...policyRequirements(facts, policy),
    ...(approvals ? [approvals] : []),
    ...checks.map((name) => requiredCheck(name, facts)),
    ...possiblyRequiredChecks(facts, new Set(checks)),
    ...unreadable,
    ...protectionRequirements(facts),
    ...mergeMethodRequirements(facts.mergeShape, policy),
  ];
}

// ── GitHub's rule-suite record ─────────────────────────────────────────────────────────────────

/** Whether a "no record" answer may still change: the record can lag the merge. */
export function ruleSuitePending(lookup: RuleSuiteLookup, mergedAt: string, now: Date): boolean {
  return lookup.status === "none" && now.getTime() < time(mergedAt) + RULE_SUITE_SETTLE_MS;
}

/**
 * Whether the rule-suites API must be asked (again): rulesets apply and it was never asked, or its
 * last "no record" answer came while the record could still arrive.
 */
export function ruleSuiteNeedsLookup(recorded: AuditRecord | null, rulesetsApply: boolean, mergedAt: string): boolean {
  if (!rulesetsApply) return false;
  if (!recorded || recorded.ruleSuiteCheckedAt === null) return true;
  return recorded.ruleSuite.status === "none" && time(recorded.ruleSuiteCheckedAt) < time(mergedAt) + RULE_SUITE_SETTLE_MS;
}

function ruleSuiteRequirement(lookup: RuleSuiteLookup, pending: boolean): Requirement | null {
  const base = { source: "github" as const, title: "GitHub's bypass record (rule suites)", required: "no ruleset bypass recorded for the merge commit" };
  switch (lookup.status) {
    case "bypass":
      return { ...base, present: `bypass recorded by GitHub, actor @${lookup.actor ?? "unknown"} at ${lookup.pushedAt ?? "unknown time"} (rule suite ${lookup.id})`, status: "unmet" };
    case "none":
      return { ...base, present: pending ? "no record yet; GitHub's record can lag the merge, so it is checked again" : "no bypass recorded", status: pending ? "pending" : "met" };
    default:
      return null;
  }
}

// ── Justification ──────────────────────────────────────────────────────────────────────────────

function laterEdits(recorded: AuditRecord | null, candidates: readonly JustificationCandidate[]): LaterEdit[] {
  if (!recorded) return [];
  const current = new Map(candidates.map((candidate) => [sourceKey(candidate.source), candidate.fingerprint]));
  return Object.entries(recorded.seen)
    .filter(([key, fingerprint]) => current.get(key) !== fingerprint)
    .map(([key]) => ({ sourceKey: key, removed: !current.has(key) }));
}

/**
 * The forms seen so far. The description's form is recorded only when read within the
 * justification window: a later audit takes a recorded description form as written in time, so one
 * first read after the window must not become valid by being read again.
 */
function seenAfter(recorded: AuditRecord | null, candidates: readonly JustificationCandidate[], bodyReadInTime: boolean): Record<string, string> {
  const seen: Record<string, string> = { ...(recorded?.seen ?? {}) };
  for (const candidate of candidates) {
    const key = sourceKey(candidate.source);
    if (candidate.source.kind === "body" && !bodyReadInTime) continue;
    if (!Object.hasOwn(seen, key) && Object.keys(seen).length < MAX_SEEN_FORMS) seen[key] = candidate.fingerprint;
  }
  return seen;
}

/**
 * The bypass commands as they stood at the merge (for the merged head commit, expiry measured at
 * `merged_at`), judged once and then kept in the record; null when nobody gave one.
 */
function bypassAtMerge(inputs: AuditInputs, policy: Policy): BypassState | null {
  if (inputs.recorded) return inputs.recorded.bypass ?? null;
  if (!inputs.bypass) return null;
  const state = judgeBypass({ ...inputs.bypass, author: inputs.pr.author, headSha: inputs.pr.headSha }, policy, new Date(inputs.pr.mergedAt));
  return state.commands.length > 0 ? state : null;
}

function chooseJustification(inputs: AuditInputs, policy: Policy, now: Date, bypass: BypassState | null): { justification: RecordedJustification | null; withdrawal: string | null } {
  const recorded = inputs.recorded?.justification ?? null;
  const withdrawal = recorded ? withdrawnConfirmation(recorded.verdict, inputs.context.comments, now) : null;
  if (recorded?.verdict.valid && !withdrawal) return { justification: recorded, withdrawal: null };
  const seen = inputs.recorded?.seen ?? {};
  const people = peopleAsFirstJudged(inputs.context.people, inputs.recorded?.authorities);
  const grant = standingGrant(bypass, inputs.context.comments);
  const judged = inputs.candidates.map((candidate) => ({
    candidate,
    verdict: validateJustification(candidate, { ...inputs.context, people, grant, bodyFormSeenBefore: seen.body === candidate.fingerprint && candidate.source.kind === "body" }, policy, now),
  }));
  const chosen = judged.find((entry) => entry.verdict.valid) ?? judged.at(-1);
  if (!chosen) return { justification: null, withdrawal };
  const { candidate, verdict } = chosen;
  const unchanged = !withdrawal && recorded && sourceKey(recorded.source) === sourceKey(candidate.source) && recorded.fingerprint === candidate.fingerprint;
  const recordedAt = unchanged ? recorded.recordedAt : now.toISOString();
  return { justification: { source: candidate.source, fields: candidate.fields, fingerprint: candidate.fingerprint, verdict, recordedAt }, withdrawal };
}

/**
 * Audits a merge: the requirements (recorded or judged now) plus GitHub's rule-suite record give
 * the verdict; for anything but a compliant merge, the justification is chosen and judged. A
 * justification once found valid stays the one the verdict stands on; later edits of any form
 * are listed. Returns the record to keep for the next run. Pure.
 */
export function auditMerge(inputs: AuditInputs, policy: Policy, now: Date): MergeAudit {
  const pending = ruleSuitePending(inputs.ruleSuite, inputs.pr.mergedAt, now);
  const suiteRow = inputs.rulesetsApply ? ruleSuiteRequirement(inputs.ruleSuite, pending) : null;
  const requirements = [...inputs.requirements, ...(suiteRow ? [suiteRow] : [])];
  const unmet = requirements.filter((requirement) => requirement.status === "unmet");
  const verdict = unmet.length > 0 ? "bypass" : requirements.some((r) => r.status === "unknown") ? "unverified" : "compliant";
  const bypass = bypassAtMerge(inputs, policy);
  const chosen = verdict === "compliant" ? { justification: inputs.recorded?.justification ?? null, withdrawal: null } : chooseJustification(inputs, policy, now, bypass);
  const { justification } = chosen;
  const withdrawals = [...(inputs.recorded?.withdrawals ?? []), ...(chosen.withdrawal ? [chosen.withdrawal] : [])];
  const justified = verdict === "bypass" && Boolean(justification?.verdict.valid);
  const recorded = inputs.recorded;
  const record: AuditRecord = {
    version: 1,
    pr: inputs.pr.number,
    mergeCommitSha: inputs.pr.mergeCommitSha,
    auditedAt: recorded?.auditedAt ?? now.toISOString(),
    requirements: inputs.requirements,
    protectionChanges: inputs.protectionChanges,
    rulesetsApply: inputs.rulesetsApply,
    ruleSuite: inputs.ruleSuite,
    ruleSuiteCheckedAt: inputs.ruleSuiteCheckedAt,
    seen: seenAfter(recorded, inputs.candidates, now.getTime() <= justificationDeadline(inputs.pr.mergedAt, policy)),
    justification,
    auditIssue: recorded?.auditIssue ?? null,
    auditIssueClosed: recorded?.auditIssueClosed ?? false,
    followUp: recorded?.followUp ?? null,
    authorities: authoritiesAfter(recorded?.authorities, verdict === "compliant" ? [] : inputs.candidates, inputs.pr.author, inputs.context.people, now),
    withdrawals,
    ...(bypass ? { bypass } : {}),
  };
  return {
    verdict,
    justified,
    requirements,
    unmet,
    protectionChanges: inputs.protectionChanges,
    ruleSuite: inputs.ruleSuite,
    ruleSuitePending: pending,
    justification,
    laterEdits: laterEdits(recorded, inputs.candidates),
    withdrawals,
    needsAuditIssue: verdict === "bypass" && !justified,
    bypass,
    record,
  };
}

// ── Labels ─────────────────────────────────────────────────────────────────────────────────────

/** The label that marks a merge whose audit is waiting for GitHub's record or a failed write. */
export const AUDIT_PENDING_LABEL = "hotfix:audit-pending";

/** The labels to add to and remove from the pull request so that exactly the applicable ones are set. */
export function labelChanges(audit: MergeAudit, current: readonly string[], policy: Policy, pending: boolean): { add: string[]; remove: string[] } {
  const { hotfix, bypass, unjustified } = policy.config.audit.labels;
  const wanted = new Set([hotfix, ...(audit.verdict === "bypass" ? [bypass] : []), ...(audit.needsAuditIssue ? [unjustified] : []), ...(pending ? [AUDIT_PENDING_LABEL] : [])]);
  const has = new Set(current.map((label) => label.toLowerCase()));
  const managed = [bypass, unjustified, AUDIT_PENDING_LABEL];
  return {
    add: [...wanted].filter((label) => !has.has(label.toLowerCase())),
    remove: managed.filter((label) => has.has(label.toLowerCase()) && !wanted.has(label)),
  };
}

// ── The tag the branch-name rule saw ───────────────────────────────────────────────────────────

function versionOf(tag: string): [number, number, number] | null {
  const match = /^v(\d{1,9})\.(\d{1,9})\.(\d{1,9})$/.exec(tag);
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : null;
}

function compareVersions(a: [number, number, number], b: [number, number, number]): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/**
 * The latest `vX.Y.Z` tag below the version the branch names: the tag the branch-name rule saw
 * before the merge, before the hotfix's own tag existed. With no version in the branch, the
 * highest tag.
 */
export function latestTagBefore(tags: readonly string[], branchTag: string | null): string | null {
  const limit = branchTag ? versionOf(branchTag) : null;
  let best: { tag: string; version: [number, number, number] } | null = null;
  for (const tag of tags) {
    const version = versionOf(tag);
    if (!version || (limit && compareVersions(version, limit) >= 0)) continue;
    if (!best || compareVersions(version, best.version) > 0) best = { tag, version };
  }
  return best?.tag ?? null;
}

// ── Direct pushes and protection changes ───────────────────────────────────────────────────────

/** A pushed commit and the merged pull requests into the production branch it belongs to. */
export interface PushedCommit {
  readonly sha: string;
  readonly message: string;
  readonly author: string;
  /** Numbers of merged pull requests into the production branch that contain the commit. */
  readonly mergedPullRequests: readonly number[];
}

/** The pushed commits that belong to no merged pull request into the production branch. */
export function commitsOutsidePullRequests(commits: readonly PushedCommit[]): PushedCommit[] {
  return commits.filter((commit) => commit.mergedPullRequests.length === 0);
}

/**
 * Whether a branch protection rule's pattern covers the production branch (fnmatch-like glob).
 * A pattern the app cannot read counts as covering it: a change it cannot place is still recorded.
 */
export function protectionRuleCovers(pattern: string, branch: string): boolean {
  try {
    return compilePattern(pattern).test(branch);
  } catch {
    return true;
  }
}

/** The ref-name conditions of a ruleset, as GitHub sends them. */
export interface RulesetScope {
  readonly target: string | null;
  readonly include: readonly string[] | null;
  readonly exclude: readonly string[];
}

function refPatternCovers(pattern: string, ref: string, isDefault: boolean): boolean {
  if (pattern === "~ALL") return true;
  if (pattern === "~DEFAULT_BRANCH") return isDefault;
  return protectionRuleCovers(pattern, ref);
}

/**
 * Whether a ruleset applies to the production branch: a branch ruleset whose included ref
 * patterns cover `refs/heads/<branch>` and whose excluded ones do not. A ruleset without ref
 * conditions is taken to apply.
 */
export function rulesetCovers(scope: RulesetScope, branch: string, isDefault: boolean): boolean {
  if (scope.target !== null && scope.target !== "branch") return false;
  if (scope.include === null) return true;
  const ref = `refs/heads/${branch}`;
  const included = scope.include.some((pattern) => refPatternCovers(pattern, ref, isDefault));
  return included && !scope.exclude.some((pattern) => refPatternCovers(pattern, ref, isDefault));
}
