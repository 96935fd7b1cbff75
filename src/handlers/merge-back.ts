/**
 * Merge-back tracking: every merged hotfix must reach the develop branch and every active release
 * branch (seed 001 step 7, seed 004 "Backport to Dev", seed 003 "within 2 hours").
 * - A hotfix merged into production → find out which targets already have the fix; open one
 *   reminder issue for the others (and, when configured, their back-merge pull requests), or note
 *   on the pull request that merge-back is complete.
 * - A push to a target branch, or a pull request merged into one → check that branch's rows of
 *   the repository's open reminders again, tick what landed, close a reminder when every target
 *   has the fix; escalate overdue reminders once.
 * Each event: guard, fetch one snapshot, pure rules (src/rules/merge-back.ts), render, write. The
 * merge-back work of a repository runs one event at a time in this process, so a duplicate or
 * concurrent delivery finds the reminder the first one opened.
 */
import type { Context, Logger, Probot, ProbotOctokit } from "probot";
import { isEvaluating, type Policy } from "../config/policy.js";
import type { HotfixRecorder } from "../log/recorder.js";
import { fullName, OctokitGateway, type GithubGateway, type RepoRef } from "../github/gateway.js";
import { GithubError, isTransient, RateLimitedError, rateLimitWaitOf } from "../github/errors.js";
import { OctokitMergeBackGateway, type IssueComment, type MergeBackGateway, type PullRequestStatus } from "../github/merge-back-gateway.js";
import { createOnce } from "../github/writes.js";
import {
  backMergeHead,
  branchCleanup,
  candidateTargets,
  conflictCandidates,
  describeHotfix,
  equivalenceOutcome,
  escalationRecipients,
  escalationTime,
  findEvidence,
  isActiveRelease,
  isComplete,
  isEscalationDue,
  isTargetBranch,
  keepHotfixBranch,
  listingPrefixes,
  needsActivityCheck,
  needsBackMerge,
  needsMergeabilityCheck,
  releaseRowFor,
  releaseRowsToRecheck,
  rowFor,
  rowsToRecheck,
  shasToCompare,
  targetSpecs,
  withRows,
  type CleanupOutcome,
  type MergedPullRequest,
  type TargetFacts,
  type TargetOutcome,
} from "../rules/merge-back.js";
import { type ChangeSet, type HotfixFacts, type MergedHotfix, type ReminderState, type Row, type TargetCommit } from "../model/merge-back.js";
import { containsChange } from "../rules/patch-equivalence.js";
import {
  REMINDER_LABEL,
  closingCommentMarker,
  completeNoteMarker,
  escalationCommentMarker,
  renderBackMergePullRequest,
  renderClosingComment,
  renderCompleteNote,
  renderEscalationComment,
  renderReminderBody,
  renderReminderTitle,
} from "../render/merge-back.js";
import { parseReminder } from "../model/records.js";
import { CONFLICT_LABEL } from "../render/release-guard.js";
import type { MergedEvent, MergedStep } from "./merged-hotfix.js";
import type { Notify } from "../notify/events.js";
import { notifyMergeBack } from "../notify/hooks.js";
import { configFor, gatewayFor, isOwnEvent, ownBotLogin, repoOf, type Services } from "./services.js";

/** The timed job that re-checks a repository's reminders when one comes due for escalation, or assesses a merged hotfix again. */
export const MERGE_BACK_RECHECK = "merge-back-recheck";

/** The payload of a {@link MERGE_BACK_RECHECK} job. */
export interface MergeBackJob {
  readonly installationId: number;
  readonly owner: string;
  readonly repo: string;
  /** A merged hotfix whose assessment failed and is tried again (its reminder or note may be missing). */
  readonly hotfix?: MergedHotfix;
  /** How many times that assessment was scheduled before. */
  readonly attempt?: number;
}

/**
 * The queued job that re-checks the open release pull requests into production of a repository
 * whose open hotfixes changed (a hotfix merged into production, a back-merge merged into a
 * target, a target skipped): their own events would not come.
 */
export const RELEASE_RECHECK = "release-guard-recheck";

/** The payload of a {@link RELEASE_RECHECK} job. */
export interface ReleaseRecheckJob {
  readonly installationId: number;
  readonly owner: string;
  readonly repo: string;
  readonly defaultBranch: string;
}

/**
 * Queues the re-check of the repository's open release pull requests, due now, keyed by what
 * changed (`cause`: a merge commit, a command's comment), so a redelivery queues it once. Without
 * a store, each release pull request's next event re-checks it.
 */
export async function scheduleReleaseRecheck(services: Services, installationId: number | undefined, where: Omit<ReleaseRecheckJob, "installationId">, cause: string): Promise<void> {
  if (!services.scheduler || installationId === undefined) return;
  const job: ReleaseRecheckJob = { installationId, ...where };
  await services.scheduler.schedule(RELEASE_RECHECK, `${RELEASE_RECHECK}:${where.owner}/${where.repo}@${cause}`, job, services.now());
}

/** A {@link MergeBackJob} that assesses a merged hotfix again. */
type AssessmentJob = MergeBackJob & { readonly hotfix: MergedHotfix; readonly attempt: number };

/** The first wait before a failed assessment is tried again; it doubles per attempt. */
const ASSESS_RETRY_MS = 5 * 60_000;
/** The longest wait between two attempts of an assessment. */
const ASSESS_RETRY_MAX_MS = 60 * 60_000;

/** A reminder left open and not yet escalated, with the time it escalates. */
export interface PendingEscalation {
  readonly hotfix: number;
  readonly escalatesAt: Date;
}

/** Where and under which policy merge-back facts are read. Reading writes nothing, so it needs no clock or log. */
export interface MergeBackReader {
  readonly gateway: MergeBackGateway;
  readonly repo: RepoRef;
  readonly policy: Policy;
}

/** One check of a repository: where, under which policy, at what time, as which bot login. */
export interface MergeBackRun extends MergeBackReader {
  readonly now: Date;
  readonly log: Logger;
  /** The app's own bot login, asked for only when there is an item to tell apart. */
  readonly ownLogin: () => Promise<string>;
  /** The hotfix log, when the app runs with a store. */
  readonly hotfixLog?: HotfixRecorder | undefined;
  /** Notifications, when the app runs with a store. */
  readonly notify?: Notify | undefined;
}

/** A reminder issue the app opened, with the state its body records. */
export interface Reminder {
  readonly number: number;
  readonly open: boolean;
  readonly body: string;
  readonly state: ReminderState;
  /** How many comments it has (null: unknown), so a reminder without any costs no look for one. */
  readonly comments: number | null;
}

/** What a check learned of one target. */
export interface TargetCheck {
  readonly outcome: TargetOutcome;
  /** Files the hotfix side changed since it diverged from the target (null: unknown or cut), to name conflicts. */
  readonly hotfixSideFiles: readonly string[] | null;
}

/**
 * Which rows a re-check looks at again: every missing row, those of one branch, or whether the
 * release branches are still active (after a push to production). Escalation is due on any.
 */
export type RecheckScope = "all" | "release-activity" | { readonly target: string };

/** Reads a check shares between its targets and hotfixes, each made at most once and only when a target needs it. */
export interface SharedReads {
  /** Pull requests merged since the earliest hotfix of the check. */
  readonly mergedPullRequests: () => Promise<MergedPullRequest[]>;
  /** The commits of a target (a branch or a commit) since the earliest hotfix of the check, for cherry-pick trailers. */
  readonly commits: (at: string) => Promise<TargetCommit[]>;
  /** A hotfix's own change (its pull request's files and patches), for patch equivalence. */
  readonly hotfixChange: (hotfix: HotfixFacts) => Promise<ChangeSet>;
}

/** A read made at most once per key. */
function oncePerKey<K, V>(read: (key: K) => Promise<V>): (key: K) => Promise<V> {
  const reads = new Map<K, Promise<V>>();
  return (key) => {
    const known = reads.get(key);
    if (known) return known;
    const started = read(key);
    reads.set(key, started);
    return started;
  };
}

/**
 * The shared reads of one check of hotfixes no older than `since`. A target's commits are listed
 * once for all its hotfixes, newest first: each hotfix's trailers are among them, since none is
 * older than the earliest hotfix.
 */
export function sharedReads(run: MergeBackReader, since: string): SharedReads {
  let listing: Promise<MergedPullRequest[]> | undefined;
  const change = oncePerKey((number: number) => run.gateway.pullRequestChange(run.repo, number));
  return {
    mergedPullRequests: () => (listing ??= run.gateway.listMergedPullRequests(run.repo, since)),
    commits: oncePerKey((at: string) => run.gateway.listCommitsSince(run.repo, at, since)),
    hotfixChange: (hotfix) => change(hotfix.number),
  };
}

/**
 * Whether the target (at `at`) carries the hotfix's change as a copy: the hotfix's own change
 * against the target's since it diverged from the merge commit (one comparison).
 */
async function sameChange(run: MergeBackReader, hotfix: HotfixFacts, at: string, reads: SharedReads): Promise<TargetOutcome> {
  const targetSide = await run.gateway.compareChanges(run.repo, hotfix.mergeSha, at);
  if (!targetSide) return { exists: true, evidence: null, unverified: "GitHub could not compare the target with the hotfix's merge commit" };
  return equivalenceOutcome(containsChange(await reads.hotfixChange(hotfix), targetSide));
}

/**
 * Whether the fix is in one target: compares first, then merged pull requests, then the target's
 * commits since the hotfix, then the same change copied by new commits, each fetched only when
 * what came before found nothing. The release guard checks a commit of the target (`at`: a
 * release pull request's head, a tag's commit) rather than its branch head.
 */
export async function checkTarget(run: MergeBackReader, hotfix: HotfixFacts, target: string, reads: SharedReads, at: string = target): Promise<TargetCheck> {
  const repository = fullName(run.repo);
  let facts: TargetFacts = { ancestry: [] };
  let hotfixSideFiles: readonly string[] | null = null;
  for (const sha of shasToCompare(hotfix)) {
    const comparison = await run.gateway.compare(run.repo, at, sha);
    if (!comparison) return { outcome: { exists: false }, hotfixSideFiles };
    if (sha === hotfix.headSha) hotfixSideFiles = comparison.files;
    facts = { ancestry: [...facts.ancestry, { sha, status: comparison.status }] };
    const evidence = findEvidence(hotfix, repository, target, facts);
    if (evidence) return { outcome: { exists: true, evidence }, hotfixSideFiles };
  }
  facts = { ...facts, mergedPullRequests: await reads.mergedPullRequests() };
  const merged = findEvidence(hotfix, repository, target, facts);
  if (merged) return { outcome: { exists: true, evidence: merged }, hotfixSideFiles };
  facts = { ...facts, commits: await reads.commits(at) };
  const picked = findEvidence(hotfix, repository, target, facts);
  if (picked) return { outcome: { exists: true, evidence: picked }, hotfixSideFiles };
  return { outcome: await sameChange(run, hotfix, at, reads), hotfixSideFiles };
}

/** The targets of a newly merged hotfix, each with whether it exists: literal targets, listed branches, active release branches only (unless configured otherwise). */
async function resolveTargets(run: MergeBackReader, hotfix: HotfixFacts): Promise<{ readonly branch: string; readonly exists: boolean }[]> {
  const specs = targetSpecs(run.policy);
  const listed: string[] = [];
  for (const prefix of listingPrefixes(specs)) listed.push(...(await run.gateway.listBranches(run.repo, prefix)));
  const targets: { branch: string; exists: boolean }[] = [];
  for (const branch of candidateTargets(specs, listed, run.policy, hotfix)) {
    if (!needsActivityCheck(branch, run.policy)) {
      targets.push({ branch, exists: true });
      continue;
    }
    const activity = await run.gateway.compare(run.repo, run.policy.config.branches.production, branch);
    if (!activity) targets.push({ branch, exists: false });
    else if (isActiveRelease(activity.status)) targets.push({ branch, exists: true });
  }
  return targets;
}

function isOwn(author: string, ownLogin: string): boolean {
  return author.toLowerCase() === ownLogin.toLowerCase();
}

/** The app's reminders among the labelled issues: opened by the app's own bot login, marked, with a valid state for this repository. */
export async function findReminders(run: MergeBackRun, filter: { readonly state: "open" } | { readonly state: "all"; readonly since: string }): Promise<Reminder[]> {
  const issues = await run.gateway.listLabelledIssues(run.repo, REMINDER_LABEL, filter);
  if (issues.length === 0) return [];
  const ownLogin = await run.ownLogin();
  return issues.flatMap((issue) => {
    const state = isOwn(issue.author, ownLogin) ? parseReminder(issue.body) : null;
    if (!state || state.repository.toLowerCase() !== fullName(run.repo).toLowerCase()) {
      run.log.warn({ issue: issue.number }, "labelled as a merge-back reminder but not one the app can read; ignored");
      return [];
    }
    return [{ number: issue.number, open: issue.state === "open", body: issue.body, state, comments: issue.comments }];
  });
}

/** The app's own comment carrying the marker among the comments of an issue or pull request. */
async function findOwnComment(run: MergeBackRun, issueNumber: number, marker: string): Promise<IssueComment | undefined> {
  const ownLogin = await run.ownLogin();
  return (await run.gateway.listComments(run.repo, issueNumber)).find((comment) => isOwn(comment.author, ownLogin) && comment.body.includes(marker));
}

/**
 * Posts a marked comment on a reminder once, through the write policy: a reminder without
 * comments needs no look first; otherwise an earlier attempt's comment is looked for.
 */
export async function commentOnce(run: MergeBackRun, reminder: Reminder, marker: string, body: string): Promise<void> {
  await createOnce<{ readonly id: number }>({
    what: `comment ${marker} on ${fullName(run.repo)}#${reminder.number}`,
    ...(reminder.comments === 0 ? { found: null } : {}),
    find: () => findOwnComment(run, reminder.number, marker),
    create: async () => ({ id: await run.gateway.createComment(run.repo, reminder.number, body) }),
  });
}

/** Deletes the hotfix branch when configured and safe, otherwise reports what to suggest. */
async function cleanUpHotfixBranch(run: MergeBackRun, state: ReminderState): Promise<CleanupOutcome> {
  const kept = keepHotfixBranch(state, run.policy);
  if (kept) return { kind: "keep", reason: kept };
  const decision = branchCleanup(state, run.policy, await run.gateway.getBranchHead(run.repo, state.hotfix.headRef));
  if (decision.kind !== "delete") return decision;
  return (await run.gateway.deleteBranch(run.repo, state.hotfix.headRef)) === "deleted" ? { kind: "deleted" } : { kind: "gone" };
}

function errorText(error: unknown): string {
  const { status, message } = (error instanceof GithubError ? error.cause : error) as { status?: number; message?: string };
  return `${status ? `HTTP ${status}: ` : ""}${message ?? String(error)}`.slice(0, 300);
}

/**
 * Opens (or finds) the back-merge pull request of a missing row. A failure that can pass (a rate
 * limit, a 5xx, a lost answer) fails the run so it is tried again; any other is recorded in the
 * row, never hidden.
 */
export async function openBackMerge(run: MergeBackRun, state: ReminderState, row: Row, reminderNumber: number, hotfixBranchHead: string | null): Promise<Row> {
  const { branch: head, create } = backMergeHead(state.hotfix, row.target, hotfixBranchHead);
  try {
    if (create) await createBackMergeBranch(run, head, state.hotfix.headSha);
    const pullRequest = await createOnce({
      what: `back-merge pull request ${head} → ${row.target}`,
      find: () => run.gateway.findOpenPullRequest(run.repo, head, row.target),
      create: () => createBackMerge(run, state, row.target, head, reminderNumber),
    });
    return { target: row.target, status: "missing", backMerge: { number: pullRequest.value.number, head, state: pullRequest.value.state, mergeable: pullRequest.value.mergeable } };
  } catch (error) {
    if (isTransient(error)) throw error;
    run.log.warn({ err: error, target: row.target, hotfix: state.hotfix.number }, "opening the back-merge pull request failed");
    return { target: row.target, status: "missing", backMergeError: errorText(error) };
  }
}

/** Creates the back-merge branch at the hotfix's head, once: after an ambiguous failure, it is there or the job fails. */
async function createBackMergeBranch(run: MergeBackRun, branch: string, sha: string): Promise<void> {
  await createOnce({
    what: `branch ${branch}`,
    found: null,
    find: async () => ((await run.gateway.getBranchHead(run.repo, branch)) === sha ? branch : null),
    create: async () => (await run.gateway.createBranch(run.repo, branch, sha), branch),
  });
}

async function createBackMerge(run: MergeBackRun, state: ReminderState, target: string, head: string, reminderNumber: number): Promise<PullRequestStatus> {
  const { title, body } = renderBackMergePullRequest(state, target, reminderNumber);
  const result = await run.gateway.openPullRequest(run.repo, { head, base: target, title, body });
  if (result.kind === "created") return result.pullRequest;
  const existing = await run.gateway.findOpenPullRequest(run.repo, head, target);
  if (!existing) throw new Error(`GitHub says a pull request from ${head} into ${target} already exists, but none is open`);
  return existing;
}

/** Labels a back-merge pull request that has just turned out to conflict and assigns it to the hotfix's author (once: on the change). */
async function flagConflict(run: MergeBackRun, state: ReminderState, number: number): Promise<void> {
  await run.gateway.addLabels(run.repo, number, [CONFLICT_LABEL]);
  await run.gateway.addAssignees(run.repo, number, [state.hotfix.author]);
}

/** Reads an open back-merge pull request's mergeability again and, when it conflicts, the files both sides changed. */
async function refreshBackMerge(run: MergeBackRun, state: ReminderState, row: Row, check: TargetCheck | undefined): Promise<Row> {
  if (row.status !== "missing" || !row.backMerge) return row;
  const current = await run.gateway.getPullRequestStatus(run.repo, row.backMerge.number);
  const conflicting = current.state === "open" && current.mergeable === false;
  if (conflicting && row.backMerge.mergeable !== false) await flagConflict(run, state, current.number);
  const targetSide = conflicting ? await run.gateway.compare(run.repo, state.hotfix.headSha, row.target) : null;
  const conflicts = conflicting ? conflictCandidates(check?.hotfixSideFiles ?? null, targetSide?.files ?? null) : undefined;
  return { ...row, backMerge: { number: current.number, head: row.backMerge.head, state: current.state, mergeable: current.mergeable, ...(conflicts !== undefined ? { conflicts } : {}) } };
}

/** Opens the missing back-merge pull requests and refreshes the open ones, for the rows in scope. */
async function ensureBackMerges(run: MergeBackRun, state: ReminderState, reminderNumber: number, checks: ReadonlyMap<string, TargetCheck>, scope: RecheckScope): Promise<ReminderState> {
  if (scope === "release-activity") return state;
  const rows = state.rows.filter((row) => scope === "all" || row.target === scope.target);
  let hotfixBranchHead: Promise<string | null> | undefined;
  const currentHead = () => (hotfixBranchHead ??= state.hotfix.headInRepository ? run.gateway.getBranchHead(run.repo, state.hotfix.headRef) : Promise.resolve(null));
  const updated: Row[] = [];
  for (const row of rows) {
    if (needsBackMerge(row)) updated.push(await openBackMerge(run, state, row, reminderNumber, await currentHead()));
    else if (needsMergeabilityCheck(row)) updated.push(await refreshBackMerge(run, state, row, checks.get(row.target)));
  }
  return withRows(state, updated);
}

/** Closes a complete reminder: the closing comment first, so a failure leaves the issue open and a retry finishes it. */
async function closeReminder(run: MergeBackRun, reminder: Reminder, state: ReminderState): Promise<void> {
  const cleanup = await cleanUpHotfixBranch(run, state);
  await commentOnce(run, reminder, closingCommentMarker(state.hotfix.number), renderClosingComment(state, cleanup));
  await run.gateway.updateIssue(run.repo, reminder.number, { body: renderReminderBody(state, escalationTime(state, run.policy)), state: "closed" });
  run.log.info({ issue: reminder.number, hotfix: state.hotfix.number, cleanup: cleanup.kind }, "merge-back complete; reminder closed");
}

/**
 * Brings a reminder up to date after its rows were checked: back-merge pull requests, then close
 * when complete, else escalate when due (comment first, then record it), and rewrite the body
 * only when it changed. Returns the escalation still ahead, if any.
 */
export async function settleReminder(run: MergeBackRun, reminder: Reminder, checked: ReminderState, checks: ReadonlyMap<string, TargetCheck>, scope: RecheckScope): Promise<PendingEscalation | null> {
  let state = run.policy.config.merge_back.open_pull_requests ? await ensureBackMerges(run, checked, reminder.number, checks, scope) : checked;
  await run.hotfixLog?.mergeBackState(fullName(run.repo), state, reminder.number);
  if (isComplete(state)) {
    await closeReminder(run, reminder, state);
    return null;
  }
  if (isEscalationDue(state, run.policy, run.now)) {
    const recipients = escalationRecipients(state, run.policy, run.repo.owner);
    const marker = escalationCommentMarker(state.hotfix.number);
    await commentOnce(run, reminder, marker, renderEscalationComment(state, recipients, run.policy.config.merge_back.escalate_after_hours, run.now));
    state = { ...state, escalatedAt: run.now.toISOString() };
    run.log.info({ issue: reminder.number, hotfix: state.hotfix.number }, "merge-back reminder escalated");
  }
  await notifyMergeBack(run.notify, run.policy, state, reminder.number, state.escalatedAt !== null);
  const escalatesAt = escalationTime(state, run.policy);
  const body = renderReminderBody(state, escalatesAt);
  if (body !== reminder.body) await run.gateway.updateIssue(run.repo, reminder.number, { body });
  return state.escalatedAt === null ? { hotfix: state.hotfix.number, escalatesAt } : null;
}

/** Checks whether the missing release branches of a reminder are still active (one compare each). */
async function recheckReleaseActivity(run: MergeBackRun, state: ReminderState): Promise<ReminderState> {
  const rows: Row[] = [];
  for (const row of releaseRowsToRecheck(state, run.policy)) {
    const activity = await run.gateway.compare(run.repo, run.policy.config.branches.production, row.target);
    rows.push(releaseRowFor(row, activity?.status ?? null));
  }
  return withRows(state, rows);
}

/** Checks a reminder's rows in scope again, then settles it. */
async function refreshReminder(run: MergeBackRun, reminder: Reminder, scope: RecheckScope, reads: SharedReads): Promise<PendingEscalation | null> {
  if (scope === "release-activity") return settleReminder(run, reminder, await recheckReleaseActivity(run, reminder.state), new Map(), scope);
  const rows = rowsToRecheck(reminder.state, scope === "all" ? undefined : scope.target);
  const checks = new Map<string, TargetCheck>();
  for (const row of rows) checks.set(row.target, await checkTarget(run, reminder.state.hotfix, row.target, reads));
  const checked = withRows(
    reminder.state,
    rows.map((row) => rowFor(row.target, (checks.get(row.target) as TargetCheck).outcome, row)),
  );
  return settleReminder(run, reminder, checked, checks, scope);
}

/**
 * Re-checks the open merge-back reminders of a repository: ticks the targets that now have the
 * fix, closes a reminder when every target has it, opens missing back-merge pull requests when
 * configured, and escalates overdue reminders once. The handlers call it for a push to a target
 * branch or a pull request merged into one (scope: that branch); a scheduler can call it with
 * scope `all`. Callers serialise calls per repository (the handlers hold the repository's lock).
 * Returns the escalations still ahead of the reminders left open.
 */
export async function recheckMergeBacks(run: MergeBackRun, scope: RecheckScope = "all"): Promise<PendingEscalation[]> {
  const reminders = (await findReminders(run, { state: "open" })).filter((reminder) => reminder.open);
  if (reminders.length === 0) return [];
  const since = new Date(Math.min(...reminders.map((reminder) => Date.parse(reminder.state.hotfix.since)))).toISOString();
  const reads = sharedReads(run, since);
  const pending: PendingEscalation[] = [];
  for (const reminder of reminders) {
    const escalation = await refreshReminder(run, reminder, scope, reads);
    if (escalation) pending.push(escalation);
  }
  return pending;
}

/** Posts the "merge-back complete" note on the hotfix pull request, once, and cleans up the branch. */
async function noteComplete(run: MergeBackRun, state: ReminderState): Promise<void> {
  const marker = completeNoteMarker(state.hotfix.number);
  const find = () => findOwnComment(run, state.hotfix.number, marker);
  const existing = await find();
  if (existing) return;
  const cleanup = await cleanUpHotfixBranch(run, state);
  const body = renderCompleteNote(state, cleanup);
  await createOnce<{ readonly id: number }>({
    what: `merge-back note on ${fullName(run.repo)}#${state.hotfix.number}`,
    found: existing,
    find,
    create: async () => ({ id: await run.gateway.createComment(run.repo, state.hotfix.number, body) }),
  });
  run.log.info({ hotfix: state.hotfix.number, cleanup: cleanup.kind }, "merge-back already complete at merge");
}

/** Opens the reminder of a hotfix that some target lacks, then its back-merge pull requests. */
async function openReminder(run: MergeBackRun, state: ReminderState, checks: ReadonlyMap<string, TargetCheck>): Promise<PendingEscalation | null> {
  const body = renderReminderBody(state, escalationTime(state, run.policy));
  const created = await createOnce({
    what: `merge-back reminder of hotfix #${state.hotfix.number}`,
    found: null,
    find: async () => (await findReminders(run, { state: "all", since: state.hotfix.mergedAt })).find((reminder) => reminder.state.hotfix.number === state.hotfix.number),
    create: async () => {
      const number = await run.gateway.createIssue(run.repo, { title: renderReminderTitle(state), body, labels: [REMINDER_LABEL], assignees: [state.hotfix.author] });
      return { number, open: true, body, state, comments: 0 };
    },
  });
  run.log.info({ issue: created.value.number, hotfix: state.hotfix.number }, "merge-back reminder opened");
  return settleReminder(run, created.value, state, checks, "all");
}

/** Where a merged hotfix stands with its targets, and what each target's check learned. */
export interface MergeBackAssessment {
  readonly hotfix: HotfixFacts;
  readonly rows: Row[];
  readonly checks: ReadonlyMap<string, TargetCheck>;
}

/**
 * Finds out, reading only, which branches a merged hotfix must reach and which of them have the
 * fix: how it was merged and its commits, the targets (active release branches only unless
 * configured otherwise), then each target's evidence. The merge handler and the `audit` command
 * share it, so both see the same rows.
 */
export async function assessMergeBack(reader: MergeBackReader, merged: MergedHotfix): Promise<MergeBackAssessment> {
  const [parents, commits] = await Promise.all([reader.gateway.getCommitParents(reader.repo, merged.mergeSha), reader.gateway.listPullRequestCommits(reader.repo, merged.number)]);
  const hotfix = describeHotfix(merged, parents, commits);
  const targets = await resolveTargets(reader, hotfix);
  const reads = sharedReads(reader, hotfix.since);
  const checks = new Map<string, TargetCheck>();
  for (const { branch, exists } of targets) {
    checks.set(branch, exists ? await checkTarget(reader, hotfix, branch, reads) : { outcome: { exists: false }, hotfixSideFiles: null });
  }
  return { hotfix, rows: targets.map(({ branch }) => rowFor(branch, (checks.get(branch) as TargetCheck).outcome)), checks };
}

/** The reminder state an assessment starts from. */
function reminderStateOf(run: MergeBackReader, { hotfix, rows }: MergeBackAssessment): ReminderState {
  return { version: 1, repository: fullName(run.repo), production: run.policy.config.branches.production, hotfix, rows, escalatedAt: null };
}

/**
 * Evaluate mode: the merge-back assessed and recorded in the hotfix log, but no reminder, note or
 * back-merge pull request written.
 */
async function evaluateMergedHotfix(run: MergeBackRun, assess: () => Promise<MergeBackAssessment | null>): Promise<void> {
  const assessment = await assess();
  if (!assessment) return;
  const state = reminderStateOf(run, assessment);
  await run.hotfixLog?.mergeBackState(fullName(run.repo), state, null);
  run.log.info({ hotfix: state.hotfix.number, rows: state.rows }, isComplete(state) ? "merge-back complete (evaluate mode)" : "merge-back reminder not opened: evaluate mode");
}

/**
 * A hotfix was merged into production: unless its reminder exists already (a duplicate or
 * redelivered event, which only refreshes it), find which targets have the fix (`assess`, read
 * only when needed) and open the reminder, or note that merge-back is complete. Returns the
 * reminder's escalation still ahead.
 */
async function trackMergedHotfix(run: MergeBackRun, merged: MergedHotfix, assess: () => Promise<MergeBackAssessment | null>): Promise<PendingEscalation | null> {
  const existing = (await findReminders(run, { state: "all", since: merged.mergedAt })).find((reminder) => reminder.state.hotfix.number === merged.number);
  if (existing) return existing.open ? refreshReminder(run, existing, "all", sharedReads(run, existing.state.hotfix.since)) : null;
  const assessment = await assess();
  if (!assessment) return null;
  const state = reminderStateOf(run, assessment);
  if (!isComplete(state)) return openReminder(run, state, assessment.checks);
  await run.hotfixLog?.mergeBackState(fullName(run.repo), state, null);
  await noteComplete(run, state);
  return null;
}

type ClosedPullRequest = Context<"pull_request.closed">["payload"]["pull_request"];

/** The merged hotfix a `pull_request.closed` payload describes, or null when it was not merged with a merge commit. */
export function mergedHotfixOf(pr: ClosedPullRequest, repository: string): MergedHotfix | null {
  if (!pr.merged || !pr.merge_commit_sha || !pr.merged_at) return null;
  return {
    number: pr.number,
    title: pr.title,
    author: pr.user.login,
    headRef: pr.head.ref,
    headSha: pr.head.sha,
    headInRepository: pr.head.repo?.full_name.toLowerCase() === repository.toLowerCase(),
    mergeSha: pr.merge_commit_sha,
    mergedAt: pr.merged_at,
  };
}

/** Runs merge-back work of a repository one at a time in this process (reminders, their comments, back-merges). */
export function inRepositoryOrder<T>(services: Services, repo: RepoRef, work: () => Promise<T>): Promise<T> {
  return services.locks.run(`merge-back:${fullName(repo).toLowerCase()}`, work);
}

/**
 * Asks the scheduler to re-check the repository when each open reminder comes due, so it
 * escalates on time even when no event arrives. Without a store, the next event in the
 * repository does it. Keyed by reminder and time, so repeated events schedule each once.
 */
async function scheduleEscalations(installationId: number | undefined, repo: RepoRef, pending: readonly PendingEscalation[], services: Services): Promise<void> {
  if (!services.scheduler || installationId === undefined) return;
  const job: MergeBackJob = { installationId, owner: repo.owner, repo: repo.repo };
  for (const { hotfix, escalatesAt } of pending) {
    if (escalatesAt <= services.now()) continue;
    await services.scheduler.schedule(MERGE_BACK_RECHECK, `${MERGE_BACK_RECHECK}:${fullName(repo)}#${hotfix}@${escalatesAt.toISOString()}`, job, escalatesAt);
  }
}

/** The merged hotfix whose merge-back the event starts: merged into production as a hotfix, with a merge commit; else null. */
async function mergedIntoProduction(event: MergedEvent): Promise<MergedHotfix | null> {
  if (event.pr.baseRef !== event.policy.config.branches.production || event.classification.kind !== "hotfix") return null;
  return event.hotfix();
}

/**
 * The merge-back step of a merged pull request (the merged-hotfix pipeline has read the
 * configuration). Assessing: for a hotfix merged into production, which targets have the fix
 * ({@link assessMergeBack}; null for any other merge). Publishing: merged into production as a
 * hotfix → track its merge-back (the push to production that comes with the merge escalates other
 * overdue reminders), the assessment read only when no reminder exists yet; merged into a target
 * branch → re-check that branch's rows.
 */
export const trackMergeBack: MergedStep<MergeBackAssessment | null> = {
  async assess(event) {
    const merged = await mergedIntoProduction(event);
    return merged ? assessMergeBack({ gateway: event.mergeBack, repo: event.repo, policy: event.policy }, merged) : null;
  },
  async publish(event, services, assessed) {
    const { repo, policy, installationId } = event;
    const merged = await event.hotfix();
    if (!merged) return;
    const run = runFor(event.mergeBack, event.github, repo, policy, services, event.log);
    const releases = { owner: repo.owner, repo: repo.repo, defaultBranch: event.defaultBranch };
    if (event.pr.baseRef !== policy.config.branches.production) {
      if (!isTargetBranch(event.pr.baseRef, policy)) return;
      const pending = await inRepositoryOrder(services, repo, () => recheckMergeBacks(run, { target: event.pr.baseRef }));
      await scheduleEscalations(installationId, repo, pending, services);
      await scheduleReleaseRecheck(services, installationId, releases, `merged:${merged.mergeSha}`);
      return;
    }
    if (event.classification.kind !== "hotfix") return;
    if (isEvaluating(policy)) {
      await evaluateMergedHotfix(run, assessed);
      return scheduleReleaseRecheck(services, installationId, releases, `merged:${merged.mergeSha}`);
    }
    const job = installationId === undefined ? null : { installationId, owner: repo.owner, repo: repo.repo, hotfix: merged, attempt: 0 };
    try {
      const pending = await inRepositoryOrder(services, repo, () => trackMergedHotfix(run, merged, assessed));
      await scheduleEscalations(installationId, repo, pending ? [pending] : [], services);
    } catch (error) {
      if (job && isTransient(error)) await scheduleAssessment(job, error, services);
      throw error;
    }
    await scheduleReleaseRecheck(services, installationId, releases, `merged:${merged.mergeSha}`);
  },
};

/** The run of one event: the repository, its policy, the clock, and the app's login when needed. */
export function runFor(gateway: MergeBackGateway, github: GithubGateway, repo: RepoRef, policy: Policy, services: Services, log: Logger): MergeBackRun {
  return { gateway, repo, policy, now: services.now(), log, ownLogin: () => ownBotLogin(github, services), hotfixLog: services.hotfixLog, notify: services.notify };
}

/**
 * A push to a target branch → re-check that branch's rows of the repository's open reminders. A
 * push to production → re-check whether their release branches are still active (a release merged
 * into production needs no back-merge any more).
 */
export async function handleTargetPush(context: Context<"push">, services: Services): Promise<void> {
  const { ref, deleted } = context.payload;
  if (deleted || !ref.startsWith("refs/heads/")) return;
  const branch = ref.slice("refs/heads/".length);
  const github = gatewayFor(context, services);
  if (await isOwnEvent(context, github, services)) return;
  const repo = repoOf(context);
  const config = await configFor(github, repo, services);
  if (!config.ok) return;
  const { policy } = config;
  const production = branch === policy.config.branches.production;
  if (!production && !isTargetBranch(branch, policy)) return;
  const run = runFor(new OctokitMergeBackGateway(context.octokit), github, repo, policy, services, context.log);
  const scope: RecheckScope = production ? "release-activity" : { target: branch };
  const pending = await inRepositoryOrder(services, repo, () => recheckMergeBacks(run, scope));
  await scheduleEscalations(context.payload.installation?.id, repo, pending, services);
}

/**
 * Runs a {@link MERGE_BACK_RECHECK} job: checks every open reminder of the repository again, which
 * ticks what landed unnoticed and escalates the reminders now due; or, when the job names a merged
 * hotfix, assesses that hotfix again (its earlier assessment failed). The durable worker calls it
 * with the installation's Octokit.
 */
export async function runMergeBackRecheck(octokit: ProbotOctokit, job: MergeBackJob, services: Services, log: Logger): Promise<void> {
  const repo: RepoRef = { owner: job.owner, repo: job.repo };
  const github = new OctokitGateway(octokit, services.identity);
  const config = await configFor(github, repo, services);
  if (!config.ok) return;
  const run = runFor(new OctokitMergeBackGateway(octokit), github, repo, config.policy, services, log);
  if (job.hotfix) return assessAgain(run, { ...job, hotfix: job.hotfix, attempt: job.attempt ?? 0 }, services);
  await inRepositoryOrder(services, repo, () => recheckMergeBacks(run, "all"));
}

/**
 * How long before a failed assessment is tried again: the wait a rate limit asked for, and at
 * least {@link ASSESS_RETRY_MS} doubled per attempt, at most {@link ASSESS_RETRY_MAX_MS}.
 */
function assessmentDelay(error: unknown, attempt: number, now: Date): number {
  const backoff = Math.min(ASSESS_RETRY_MAX_MS, ASSESS_RETRY_MS * 2 ** attempt);
  const limited = error instanceof RateLimitedError ? error.waitMs : rateLimitWaitOf(error, now);
  return Math.max(backoff, limited ?? 0);
}

/**
 * Schedules the merged hotfix's merge-back assessment again after a failure (its writes failed or
 * were rate-limited): durable work, retried until done like the audit's re-check, however long
 * the delivery's own attempts last. Keyed by attempt, so the failed attempts of one delivery
 * schedule one job. Without a store the next event in the repository has to do it.
 */
async function scheduleAssessment(job: AssessmentJob, error: unknown, services: Services): Promise<void> {
  if (!services.scheduler) return;
  const now = services.now();
  const due = new Date(now.getTime() + assessmentDelay(error, job.attempt, now));
  const key = `${MERGE_BACK_RECHECK}:${job.owner}/${job.repo}#${job.hotfix.number}:assessment@${job.attempt}`;
  await services.scheduler.schedule(MERGE_BACK_RECHECK, key, { ...job, attempt: job.attempt + 1 }, due);
}

/**
 * A merged hotfix's assessment again, from a timed job (it finds the reminder or note an earlier
 * attempt made, so nothing is written twice). When it fails for a reason that can pass (a rate
 * limit, a 5xx, a lost answer), the next attempt is scheduled instead of failing the job; any
 * other failure fails the job.
 */
async function assessAgain(run: MergeBackRun, job: AssessmentJob, services: Services): Promise<void> {
  const repo: RepoRef = { owner: job.owner, repo: job.repo };
  try {
    const pending = await inRepositoryOrder(services, repo, () => trackMergedHotfix(run, job.hotfix, () => assessMergeBack(run, job.hotfix)));
    await scheduleEscalations(job.installationId, repo, pending ? [pending] : [], services);
  } catch (error) {
    if (!isTransient(error) || !services.scheduler) throw error;
    await scheduleAssessment(job, error, services);
    run.log.warn({ err: error, pr: job.hotfix.number, attempt: job.attempt }, "merge-back assessment failed; scheduled again");
  }
}

/** Registers the merge-back handler of pushes; merged pull requests come through the merged-hotfix pipeline ({@link trackMergeBack}). */
export function registerMergeBackHandlers(app: Probot, services: Services): void {
  app.on("push", (context) => handleTargetPush(context, services));
}
