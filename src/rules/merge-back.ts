/**
 * Merge-back rules: which branches a merged hotfix must reach, whether each already has the fix,
 * and what the reminder issue should record. Pure: facts fetched by the handler come in, data
 * comes out; the clock is a parameter. The reminder issue persists a {@link ReminderState}, so
 * these functions also take the previous state and return the next one.
 *
 * A fix counts as present in a target when any of these holds (GUIDE §4):
 * - the hotfix's head commit or its merge commit is in the target (compare: `behind`/`identical`);
 * - a pull request into the target that comes from the hotfix branch, or mentions the hotfix, was merged;
 * - the target's commits carry `(cherry picked from commit <sha>)` trailers for the hotfix;
 * - the target's change since it diverged contains the hotfix's change, line for line (a squashed
 *   or rebased copy, or several hotfixes squashed together: `patch-equivalence.ts`).
 * Squash and rebase merges create new commits on the production branch, so for them both the
 * merge commit and the original head are compared; for a merge commit the head suffices, since
 * the merge commit's ancestry contains it.
 */
import type { Policy } from "../config/policy.js";
import { compilePattern, type Matcher } from "../config/patterns.js";
import type { MergedPullRequest, TargetCommit, CompareStatus, Evidence, HotfixFacts, MergedHotfix, MergeMethod, ReminderState, Row } from "../model/merge-back.js";
import type { Equivalence } from "./patch-equivalence.js";
export type { MergedPullRequest, TargetCommit, CompareStatus };

/** The facts gathered about one target so far; later kinds are fetched only when earlier ones found nothing. */
export interface TargetFacts {
  /** Compare results of `target...sha`, for the shas compared so far. */
  readonly ancestry: readonly { readonly sha: string; readonly status: CompareStatus }[];
  /** Pull requests merged into any branch since the hotfix's first commit. */
  readonly mergedPullRequests?: readonly MergedPullRequest[];
  /** Commits of the target since the hotfix's first commit. */
  readonly commits?: readonly TargetCommit[];
}

/** A configured target: a branch name, or a pattern that selects existing branches. */
export interface TargetSpec {
  readonly pattern: string;
  /** A plain branch name: it is a target even when no such branch exists (and then reported as absent). */
  readonly literal: boolean;
  readonly matcher: Matcher;
}

const GLOB_META = /[*?[\]{}\\]/;
const REGEX_LITERAL = /^\/.+\/[imsu]*$/s;

function isLiteral(pattern: string): boolean {
  return !REGEX_LITERAL.test(pattern) && !GLOB_META.test(pattern);
}

/** The configured targets, or by default the develop branch and the release pattern. */
export function targetSpecs(policy: Policy): TargetSpec[] {
  const { merge_back: mergeBack, branches } = policy.config;
  const patterns = mergeBack.targets ?? [branches.develop, branches.release];
  return [...new Set(patterns)].map((pattern) => ({ pattern, literal: isLiteral(pattern), matcher: compilePattern(pattern) }));
}

/**
 * The branch-name prefixes to list (`git/matching-refs/heads/<prefix>`) to find the branches the
 * non-literal targets select: the text of each glob before its first wildcard, or everything for
 * a `/regex/`. A prefix covered by a shorter one is dropped, so each branch is listed once.
 */
export function listingPrefixes(specs: readonly TargetSpec[]): string[] {
  const prefixes = specs
    .filter((spec) => !spec.literal)
    .map((spec) => (REGEX_LITERAL.test(spec.pattern) ? "" : spec.pattern.slice(0, spec.pattern.search(GLOB_META))))
    .sort((a, b) => a.length - b.length);
  return prefixes.filter((prefix, index) => !prefixes.slice(0, index).some((shorter) => prefix.startsWith(shorter)));
}

/** True when a pushed or merged-into branch may be a target, so its reminders deserve a re-check. */
export function isTargetBranch(branch: string, policy: Policy): boolean {
  if (branch === policy.config.branches.production) return false;
  return targetSpecs(policy).some((spec) => spec.matcher.test(branch));
}

/**
 * The candidate branches, develop first, then in natural order; never production, nor the hotfix
 * branch itself (when it lives in this repository).
 */
export function candidateTargets(specs: readonly TargetSpec[], listedBranches: readonly string[], policy: Policy, hotfix: Pick<HotfixFacts, "headRef" | "headInRepository">): string[] {
  const literal = specs.filter((spec) => spec.literal).map((spec) => spec.pattern);
  const patterned = listedBranches.filter((branch) => specs.some((spec) => !spec.literal && spec.matcher.test(branch)));
  const excluded = new Set([policy.config.branches.production, ...(hotfix.headInRepository ? [hotfix.headRef] : [])]);
  const develop = policy.config.branches.develop;
  return [...new Set([...literal, ...patterned])]
    .filter((branch) => !excluded.has(branch))
    .sort((a, b) => (a === develop ? -1 : b === develop ? 1 : a.localeCompare(b, "en", { numeric: true })));
}

/** Whether a candidate is a release branch whose activity decides if it is a target at all. */
export function needsActivityCheck(branch: string, policy: Policy): boolean {
  const { branches, merge_back: mergeBack } = policy.config;
  return mergeBack.release_branches === "active" && branch !== branches.develop && policy.releaseBranches.test(branch);
}

/**
 * Whether a release branch is still active, from `compare production...release`. When every
 * commit of the release branch is in production (`behind` or `identical`), the release has been
 * merged into production and finished: nothing will ship from it again, so it needs no hotfix.
 * A release branch cut from production with no commit of its own yet looks the same and is
 * skipped too; in the seeds' flows a release branch gains a commit (the version bump) when cut.
 */
export function isActiveRelease(status: CompareStatus): boolean {
  return status === "ahead" || status === "diverged";
}

/** The shas whose ancestry shows the fix, in the order to compare them. */
export function shasToCompare(hotfix: HotfixFacts): string[] {
  return hotfix.method === "merge" || hotfix.mergeSha === hotfix.headSha ? [hotfix.headSha] : [hotfix.mergeSha, hotfix.headSha];
}

/** Whether the `#` at `index` starts a reference to this repository: `#N` on its own, or `owner/repo#N`. */
function referenceAt(lower: string, index: number, repo: string): boolean {
  const previous = lower[index - 1];
  if (previous === undefined || !/[\w&]/.test(previous)) return true;
  const start = index - repo.length;
  return start >= 0 && lower.slice(start, index) === repo && !/[\w./-]/.test(lower[start - 1] ?? " ");
}

/** Whether `#N`, `owner/repo#N` or a link to pull request N of this repository appears in the text. Linear in the text. */
export function mentionsPullRequest(text: string, number: number, repository: string): boolean {
  const lower = text.toLowerCase();
  const repo = repository.toLowerCase();
  for (const match of lower.matchAll(/#(\d+)/g)) {
    if (Number(match[1]) === number && referenceAt(lower, match.index, repo)) return true;
  }
  for (const kind of ["pull", "issues"]) {
    const link = `github.com/${repo}/${kind}/${number}`;
    for (let at = lower.indexOf(link); at !== -1; at = lower.indexOf(link, at + 1)) {
      if (!/\d/.test(lower[at + link.length] ?? "")) return true;
    }
  }
  return false;
}

const CHERRY_PICK_TRAILER = /\(cherry picked from commit ([0-9a-f]{40})\)/g;

/**
 * Cherry-pick trailers (`git cherry-pick -x`) that bring the whole fix: one naming the merge
 * commit (the squash commit, or `-m 1` of a merge commit), or one for every commit of the hotfix.
 */
function cherryPickEvidence(hotfix: HotfixFacts, commits: readonly TargetCommit[]): Evidence | null {
  const picked = new Set(commits.flatMap((commit) => [...commit.message.matchAll(CHERRY_PICK_TRAILER)].map((match) => match[1] as string)));
  if (picked.has(hotfix.mergeSha)) return { via: "cherry-pick", shas: [hotfix.mergeSha] };
  if (hotfix.commits.length > 0 && hotfix.commits.every((sha) => picked.has(sha))) return { via: "cherry-pick", shas: hotfix.commits };
  return null;
}

/**
 * How the fix is present in the target, from the facts gathered so far, or null when they show
 * nothing (yet). Ancestry first, then a merged pull request, then cherry-pick trailers.
 */
export function findEvidence(hotfix: HotfixFacts, repository: string, target: string, facts: TargetFacts): Evidence | null {
  const contained = facts.ancestry.find((result) => result.status === "behind" || result.status === "identical");
  if (contained) return { via: "ancestry", sha: contained.sha };
  const merged = (facts.mergedPullRequests ?? []).find(
    (pr) =>
      pr.base === target &&
      pr.number !== hotfix.number &&
      (pr.headRef === hotfix.headRef || mentionsPullRequest(`${pr.title}\n${pr.body}`, hotfix.number, repository)),
  );
  if (merged) return { via: "pull-request", number: merged.number };
  return cherryPickEvidence(hotfix, facts.commits ?? []);
}

/**
 * What a check found for one target: the branch is gone, or the evidence (null: still missing,
 * with `unverified` saying why the last look could not decide when GitHub's data fell short).
 */
export type TargetOutcome = { readonly exists: false } | { readonly exists: true; readonly evidence: Evidence | null; readonly unverified?: string };

/** The outcome of the last look, patch equivalence: a contained change is evidence; an undecided one stays missing, with the reason. */
export function equivalenceOutcome(equivalence: Equivalence): TargetOutcome {
  if (equivalence.kind === "contained") return { exists: true, evidence: { via: "same-change", files: equivalence.files } };
  return equivalence.kind === "unverified" ? { exists: true, evidence: null, unverified: equivalence.detail } : { exists: true, evidence: null };
}

/** The row of a target from what a check found; what an earlier row knew of its back-merge is kept. */
export function rowFor(target: string, outcome: TargetOutcome, previous?: Row): Row {
  const backMerge = previous && (previous.status === "done" || previous.status === "missing") ? previous.backMerge : undefined;
  if (!outcome.exists) return { target, status: "absent" };
  if (outcome.evidence) return { target, status: "done", evidence: outcome.evidence, ...(backMerge ? { backMerge } : {}) };
  const backMergeError = previous?.status === "missing" ? previous.backMergeError : undefined;
  return { target, status: "missing", ...(backMerge ? { backMerge } : {}), ...(backMergeError ? { backMergeError } : {}) };
}

/**
 * The rows to check again: missing ones (a done row stays done; an absent one stays absent), of
 * one target when the event concerns only that branch.
 */
export function rowsToRecheck(state: ReminderState, onlyTarget?: string): Row[] {
  return state.rows.filter((row) => row.status === "missing" && (onlyTarget === undefined || row.target === onlyTarget));
}

/** Missing release-branch rows whose activity a push to production may have ended. */
export function releaseRowsToRecheck(state: ReminderState, policy: Policy): Row[] {
  return state.rows.filter((row) => row.status === "missing" && needsActivityCheck(row.target, policy));
}

/** The row of a release branch after its activity was checked again. */
export function releaseRowFor(row: Row, status: CompareStatus | null): Row {
  if (status === null) return { target: row.target, status: "absent" };
  return isActiveRelease(status) ? row : { target: row.target, status: "released" };
}

/** The state with the given rows replaced (by target). */
export function withRows(state: ReminderState, rows: readonly Row[]): ReminderState {
  const byTarget = new Map(rows.map((row) => [row.target, row]));
  return { ...state, rows: state.rows.map((row) => byTarget.get(row.target) ?? row) };
}

/** True when no target lacks the fix. A target that does not exist or was released blocks nothing. */
export function isComplete(state: ReminderState): boolean {
  return state.rows.every((row) => row.status !== "missing");
}

/** When the reminder escalates: the configured hours after the hotfix was merged. */
export function escalationTime(state: ReminderState, policy: Policy): Date {
  return new Date(Date.parse(state.hotfix.mergedAt) + policy.config.merge_back.escalate_after_hours * 3_600_000);
}

/** True when an incomplete reminder has passed its escalation time and has not escalated yet. */
export function isEscalationDue(state: ReminderState, policy: Policy, now: Date): boolean {
  return state.escalatedAt === null && !isComplete(state) && now.getTime() >= escalationTime(state, policy).getTime();
}

/**
 * The branch a back-merge pull request into the target comes from: the hotfix branch while it
 * still points at the merged head, otherwise `backport/<pr>-to-<target>`, to be created at that
 * head (so commits added to the hotfix branch after the merge never ride along).
 * @param hotfixBranchHead - where the hotfix branch points now, null when it is gone.
 */
export function backMergeHead(hotfix: HotfixFacts, target: string, hotfixBranchHead: string | null): { readonly branch: string; readonly create: boolean } {
  return hotfix.headInRepository && hotfixBranchHead === hotfix.headSha
    ? { branch: hotfix.headRef, create: false }
    : { branch: `backport/${hotfix.number}-to-${target}`, create: true };
}

/**
 * Whether a missing row needs its back-merge pull request opened: it has none yet, or the last
 * attempt failed. One that someone closed unmerged is not opened again.
 */
export function needsBackMerge(row: Row): boolean {
  return row.status === "missing" && row.backMerge === undefined;
}

/** Missing rows whose open back-merge pull request's mergeability is worth reading again. */
export function needsMergeabilityCheck(row: Row): boolean {
  return row.status === "missing" && row.backMerge?.state === "open" && row.backMerge.mergeable !== true;
}

/** At most this many conflicting files are recorded and named. */
const CONFLICT_FILES_SHOWN = 20;

/**
 * The files a conflicting back-merge can conflict in: those both sides changed since they
 * diverged, a three-way merge conflicting nowhere else. Null when either list may be cut short.
 */
export function conflictCandidates(hotfixSide: readonly string[] | null, targetSide: readonly string[] | null): { readonly files: readonly string[]; readonly total: number } | null {
  if (!hotfixSide || !targetSide) return null;
  const target = new Set(targetSide);
  const both = hotfixSide.filter((file) => target.has(file));
  return { files: both.slice(0, CONFLICT_FILES_SHOWN), total: both.length };
}

/** What to do with the hotfix branch once every target has the fix. */
export type BranchCleanup =
  | { readonly kind: "delete" }
  | { readonly kind: "suggest" }
  | { readonly kind: "gone" }
  | { readonly kind: "keep"; readonly reason: "fork" | "protected-name" | "new-commits" };

/** What became of the hotfix branch, as the closing comment reports it. */
export type CleanupOutcome = Exclude<BranchCleanup, { readonly kind: "delete" }> | { readonly kind: "deleted" };

/**
 * Why the hotfix branch must stay whatever it points at, or null when it may go: a branch of a
 * fork is not the app's to delete, and a branch the flow relies on (production, develop, a
 * target, a release branch) or one without the hotfix prefix is never deleted.
 */
export function keepHotfixBranch(state: ReminderState, policy: Policy): "fork" | "protected-name" | null {
  const { hotfix } = state;
  if (!hotfix.headInRepository) return "fork";
  const { branches, hotfix: hotfixConfig } = policy.config;
  const protectedName =
    !hotfix.headRef.startsWith(hotfixConfig.prefix) ||
    hotfix.headRef === branches.production ||
    hotfix.headRef === branches.develop ||
    policy.releaseBranches.test(hotfix.headRef) ||
    state.rows.some((row) => row.target === hotfix.headRef);
  return protectedName ? "protected-name" : null;
}

/**
 * What to do with the hotfix branch once every target has the fix: delete it when configured,
 * else suggest it; leave it when {@link keepHotfixBranch} says so or it moved since the merge.
 * @param currentHead - the branch's head now, null when it no longer exists.
 */
export function branchCleanup(state: ReminderState, policy: Policy, currentHead: string | null): BranchCleanup {
  const kept = keepHotfixBranch(state, policy);
  if (kept) return { kind: "keep", reason: kept };
  if (currentHead === null) return { kind: "gone" };
  if (currentHead !== state.hotfix.headSha) return { kind: "keep", reason: "new-commits" };
  return policy.config.merge_back.delete_hotfix_branch ? { kind: "delete" } : { kind: "suggest" };
}

/**
 * Who the escalation comment mentions: the hotfix author and the admins of `audit.notify`
 * (teams without an organisation belong to the repository owner's).
 */
export function escalationRecipients(state: ReminderState, policy: Policy, owner: string): string[] {
  const { users, teams } = policy.config.audit.notify;
  return [...new Set([state.hotfix.author, ...users, ...teams.map((team) => (team.includes("/") ? team : `${owner}/${team}`))])];
}

/**
 * The facts of a merged hotfix: a merge commit whose parents include the head is a true merge;
 * anything else (one parent) was squashed or rebased. The earliest commit date bounds every
 * later search for back-merges and cherry-picks.
 */
export function describeHotfix(merged: MergedHotfix, mergeParents: readonly string[], commits: readonly { readonly sha: string; readonly merge: boolean; readonly date: string | null }[]): HotfixFacts {
  const method: MergeMethod = mergeParents.length > 1 && mergeParents.includes(merged.headSha) ? "merge" : "squash-or-rebase";
  const times = [Date.parse(merged.mergedAt), ...commits.map((commit) => (commit.date ? Date.parse(commit.date) : Number.NaN))].filter(Number.isFinite);
  return {
    ...merged,
    method,
    commits: commits.filter((commit) => !commit.merge).map((commit) => commit.sha),
    since: new Date(Math.min(...times)).toISOString(),
  };
}
