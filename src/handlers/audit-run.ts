/**
 * The merge audit's run, shared by every event that can start or refresh it (a merge, an edited
 * description, a comment, a pending re-check, a scheduler): read the merged pull request afresh
 * and its comments (the audit's own record among them), load the audit's inputs, judge them with
 * the pure rules ({@link assessAudit}, which writes nothing: the merged-hotfix pipeline runs it
 * read-only for the command line), then write ({@link publishAudit}): issues first (the comment
 * names them), labels, the comment. A failed write is reported as failed, never as done; it
 * marks the audit pending and fails the run, so a redelivery or the next event in the repository completes it. Runs for the same pull
 * request are serialised, and every write looks up its hidden marker first, so duplicated or
 * concurrent deliveries yield one comment and one of each issue.
 */
import type { Context, Logger } from "probot";
import { isEvaluating, type Policy } from "../config/policy.js";
import { OctokitAuditGateway, type AuditGateway, type MergedPullRequestData } from "../github/audit-gateway.js";
import { findOrCreateIssue, ownComment, readProtectionChanges, upsertComment } from "../github/audit-publish.js";
import { fullName, type RepoRef, repoRef } from "../github/gateway.js";
import { createOnce } from "../github/writes.js";
import { publishCheckRun } from "../github/check-runs.js";
import { renderEvaluatedAuditCheck } from "../render/evaluate.js";
import { loadAuditInputs } from "../facts/audit-snapshot.js";
import {
  auditAssignees,
  auditIssueClosingMarker,
  auditIssueMarker,
  auditMarker,
  renderAuditComment,
  renderAuditIssue,
  renderAuditIssueClosing,
  type WriteOutcome,
} from "../render/audit.js";
import { readAuditRecord } from "../model/records.js";
import { classifyPullRequest } from "../rules/classify.js";
import { openPostIncidentIssue } from "./post-incident.js";
import { AUDIT_PENDING_LABEL, auditMerge, labelChanges, type MergeAudit } from "../rules/merge-audit.js";
import { type AuditRecord, type IssueRef } from "../model/merge.js";
import { postIncidentDue } from "../rules/post-incident.js";
import type { ReviewFact } from "../rules/types.js";
import type { CommentFact, ReviewRequestFact } from "../model/merge.js";
import { notifyAudited } from "../notify/hooks.js";
import { configFor, ownBotLogin, type Services } from "./services.js";

/** The timed job kind a scheduler runs to re-check an audit (payload: {@link AuditRef}). */
export const MERGE_AUDIT_RECHECK = "merge-audit-recheck";
/** Pending audits of a repository are looked for at most this often per process. */
const PENDING_SCAN_INTERVAL_MS = 5 * 60_000;
/** At most this many pending audits are re-checked per event. */
const MAX_PENDING_PER_SCAN = 5;

/** The merged pull request to audit; a scheduler's job payload carries the installation to act as. */
export interface AuditRef {
  readonly repo: RepoRef;
  readonly number: number;
  readonly installationId?: number;
}

/** The audit gateway for the event's installation. */
export function auditGatewayFor(context: Context, services: Services): AuditGateway {
  return new OctokitAuditGateway(context.octokit, services.identity);
}

function describeError(error: unknown): string {
  const status = (error as { status?: number }).status;
  return status ? `HTTP ${status}` : error instanceof Error ? error.message : String(error);
}

/** Collects failed writes; the audit reports them and the delivery fails once everything else is written. */
class Failures {
  readonly errors: unknown[] = [];
  async attempt<T>(write: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; reason: string }> {
    try {
      return { ok: true, value: await write() };
    } catch (error) {
      this.errors.push(error);
      return { ok: false, reason: describeError(error) };
    }
  }
}

interface AuditRun {
  readonly gateway: AuditGateway;
  readonly repo: RepoRef;
  readonly policy: Policy;
  readonly ownLogin: string;
  readonly failures: Failures;
}

/** Where audit issues go: the configured central repository, else the pull request's own. */
function auditIssueRepo(run: AuditRun): RepoRef {
  return run.policy.config.audit.repository ? repoRef(run.policy.config.audit.repository) : run.repo;
}

async function openAuditIssue(run: AuditRun, pr: MergedPullRequestData, audit: MergeAudit): Promise<WriteOutcome> {
  const { policy } = run;
  const repoName = fullName(run.repo);
  const wanted = {
    marker: auditIssueMarker(repoName, pr.number),
    label: policy.config.audit.labels.unjustified,
    since: pr.createdAt,
    ownLogin: run.ownLogin,
    create: () => ({ ...renderAuditIssue(repoName, pr, audit, policy), labels: [policy.config.audit.labels.bypass, policy.config.audit.labels.unjustified], assignees: auditAssignees(policy) }),
  };
  const target = auditIssueRepo(run);
  const result = await run.failures.attempt(() => findOrCreateIssue(run.gateway, target, wanted));
  if (result.ok) return { status: "done", ref: { repo: fullName(target), number: result.value.number }, action: result.value.action };
  return { status: "failed", reason: `audit issue in ${fullName(target)}: ${result.reason}` };
}

async function closeAuditIssue(run: AuditRun, issue: IssueRef, pr: MergedPullRequestData, audit: MergeAudit): Promise<WriteOutcome> {
  const target = repoRef(issue.repo);
  const marker = auditIssueClosingMarker(fullName(run.repo), pr.number);
  const result = await run.failures.attempt(async () => {
    await run.gateway.updateIssue(target, issue.number, { state: "closed" });
    await createOnce({
      what: `closing comment on ${issue.repo}#${issue.number}`,
      find: async () => ownComment(await run.gateway.listIssueComments(target, issue.number), run.ownLogin, marker),
      create: async () => ({ id: await run.gateway.createComment(target, issue.number, renderAuditIssueClosing(fullName(run.repo), pr, audit)) }),
    });
  });
  return result.ok ? { status: "done", ref: issue, action: "closed" } : { status: "failed", reason: `closing ${issue.repo}#${issue.number}: ${result.reason}` };
}

/**
 * Opens, keeps or closes the audit issue so that one is open exactly while the bypass is
 * unjustified. Closing comes before its comment: a retry after a failed comment closes again
 * (no change) and comments once.
 */
async function settleAuditIssue(run: AuditRun, pr: MergedPullRequestData, audit: MergeAudit, recorded: AuditRecord | null): Promise<WriteOutcome> {
  const existing = recorded?.auditIssue ?? null;
  if (audit.needsAuditIssue) return existing && !recorded?.auditIssueClosed ? { status: "done", ref: existing, action: "found" } : openAuditIssue(run, pr, audit);
  if (existing && !recorded?.auditIssueClosed) return closeAuditIssue(run, existing, pr, audit);
  return existing ? { status: "done", ref: existing, action: "closed" } : { status: "not-needed" };
}

/** Opens the post-incident review issue once per merge (`post-incident.ts`), unless the record names it. */
async function ensureFollowUp(run: AuditRun, pr: MergedPullRequestData, audit: MergeAudit, reviews: readonly ReviewFact[], recorded: AuditRecord | null): Promise<WriteOutcome> {
  if (recorded?.followUp) return { status: "done", ref: recorded.followUp, action: "found" };
  const result = await run.failures.attempt(() => openPostIncidentIssue(run, pr, audit, reviews));
  if (result.ok) return { status: "done", ref: { repo: fullName(run.repo), number: result.value.number }, action: result.value.action };
  return { status: "failed", reason: `post-incident issue: ${result.reason}` };
}

async function applyLabels(run: AuditRun, pr: MergedPullRequestData, changes: { add: string[]; remove: string[] }): Promise<string[]> {
  const problems: string[] = [];
  if (changes.add.length > 0) {
    const added = await run.failures.attempt(() => run.gateway.addLabels(run.repo, pr.number, changes.add));
    if (!added.ok) problems.push(`adding ${changes.add.join(", ")}: ${added.reason}`);
  }
  for (const label of changes.remove) {
    const removed = await run.failures.attempt(() => run.gateway.removeLabel(run.repo, pr.number, label));
    if (!removed.ok) problems.push(`removing ${label}: ${removed.reason}`);
  }
  return problems;
}

function recordWith(audit: MergeAudit, auditIssue: WriteOutcome, followUp: WriteOutcome): AuditRecord {
  const issueRef = auditIssue.status === "done" ? auditIssue.ref : audit.record.auditIssue;
  return {
    ...audit.record,
    auditIssue: issueRef,
    auditIssueClosed: auditIssue.status === "done" ? auditIssue.action === "closed" : audit.record.auditIssueClosed,
    followUp: followUp.status === "done" ? followUp.ref : audit.record.followUp,
  };
}

/** The outcome of one audit run. */
export interface AuditResult {
  readonly verdict: MergeAudit["verdict"];
  readonly justified: boolean;
  readonly comment: "created" | "updated" | "unchanged";
}

/** What an audit judged, before anything is written: the pull request read afresh, the verdict and what it stood on. */
export interface AuditAssessment {
  readonly pr: MergedPullRequestData;
  readonly audit: MergeAudit;
  /** The app's record of an earlier audit of this very merge, when there is one: the requirements come from it. */
  readonly recorded: AuditRecord | null;
  /** The app's audit comment, when there is one. */
  readonly existing: CommentFact | undefined;
  readonly reviews: readonly ReviewFact[];
  /** The review requests the audit read (only when a justification needed the timeline), for the hotfix log. */
  readonly reviewRequests: readonly ReviewRequestFact[];
  readonly ownLogin: string;
  readonly now: Date;
}

/**
 * Judges a merged pull request, reading only: reads it (afresh, through `read`), the app's
 * audit comment and record, and the audit's inputs, then the pure rules. Null when there is
 * nothing to audit (not merged, or not a hotfix). The app publishes the result; the command
 * line's `audit` reports it.
 */
export async function assessAudit(
  gateway: AuditGateway,
  ref: AuditRef,
  policy: Policy,
  services: Services,
  read: () => Promise<MergedPullRequestData> = () => gateway.getMergedPullRequest(ref.repo, ref.number),
): Promise<AuditAssessment | null> {
  const pr = await read();
  if (!pr.merged || !pr.mergedAt || classifyPullRequest(pr, policy).kind !== "hotfix") return null;
  const now = services.now();
  const ownLogin = await ownBotLogin(gateway, services);
  const comments = await gateway.listIssueComments(ref.repo, pr.number);
  const existing = ownComment(comments, ownLogin, auditMarker(pr.number));
  const found = existing ? readAuditRecord(existing.body) : null;
  const recorded = found && found.mergeCommitSha === pr.mergeCommitSha ? found : null;
  const inputs = await loadAuditInputs(gateway, ref.repo, pr, policy, {
    recorded,
    comments,
    ownLogin,
    now,
    protectionChangesSince: (since) => readProtectionChanges(gateway, ref.repo, ownLogin, since),
  });
  return { pr, audit: auditMerge(inputs, policy, now), recorded, existing, reviews: inputs.context.reviews, reviewRequests: inputs.context.reviewRequests ?? [], ownLogin, now };
}

/** Records a merge and its audit verdict in the hotfix log. */
async function logMerged(ref: AuditRef, policy: Policy, assessment: AuditAssessment, services: Services): Promise<void> {
  const { pr, audit, existing } = assessment;
  await services.hotfixLog?.merged(fullName(ref.repo), { number: pr.number, mergedAt: pr.mergedAt, mergedBy: pr.mergedBy, mergeCommitSha: pr.mergeCommitSha, headRef: pr.headRef, auditCommentId: existing?.id ?? null }, audit, policy);
}

/**
 * Evaluate mode's publishing of an audit: no issue, no comment, no label; the would-be audit goes
 * to a neutral check run on the merge commit, and the verdict to the hotfix log.
 */
async function publishEvaluatedAudit(gateway: AuditGateway, ref: AuditRef, policy: Policy, assessment: AuditAssessment, services: Services, log: Logger): Promise<AuditResult> {
  const { pr, audit } = assessment;
  const check = pr.mergeCommitSha ? await publishCheckRun(gateway, ref.repo, pr.mergeCommitSha, renderEvaluatedAuditCheck(fullName(ref.repo), pr, audit, policy)) : "no merge commit";
  await logMerged(ref, policy, assessment, services);
  log.info({ pr: pr.number, verdict: audit.verdict, justified: audit.justified, check }, "merge audited in evaluate mode: nothing written but the check run");
  return { verdict: audit.verdict, justified: audit.justified, comment: "unchanged" };
}

/**
 * Writes what an audit judged: issues first (the comment names them), labels, then the comment.
 * In evaluate mode, only the would-be audit's check run ({@link publishEvaluatedAudit}).
 * Throws after writing the audit comment when another write failed.
 */
export async function publishAudit(gateway: AuditGateway, ref: AuditRef, policy: Policy, assessment: AuditAssessment, services: Services, log: Logger): Promise<AuditResult> {
  if (isEvaluating(policy)) return publishEvaluatedAudit(gateway, ref, policy, assessment, services, log);
  const { pr, audit, recorded, existing, now } = assessment;
  const run: AuditRun = { gateway, repo: ref.repo, policy, ownLogin: assessment.ownLogin, failures: new Failures() };
  const auditIssue = await settleAuditIssue(run, pr, audit, recorded);
  const followUp = await ensureFollowUp(run, pr, audit, assessment.reviews, recorded);
  const incomplete = audit.ruleSuitePending || auditIssue.status === "failed" || followUp.status === "failed";
  const labelProblems = await applyLabels(run, pr, labelChanges(audit, pr.labels, policy, incomplete));
  const record = recordWith(audit, auditIssue, followUp);
  const body = renderAuditComment({ repo: fullName(ref.repo), pr, audit: { ...audit, record }, policy, auditIssue, followUp, labelProblems });
  const written = await run.failures.attempt(() => upsertComment(gateway, ref.repo, pr.number, { marker: auditMarker(pr.number), ownLogin: run.ownLogin, existing, body }));
  const comment = written.ok ? written.value : "unchanged";
  await logMerged(ref, policy, assessment, services);
  if (followUp.status === "done") await services.hotfixLog?.postIncidentOpened(fullName(ref.repo), pr.number, { ...followUp.ref, openedAt: now.toISOString(), url: null }, postIncidentDue(pr, policy).at.toISOString());
  await notifyAudited(services, fullName(ref.repo), pr, audit, policy, followUp.status === "done" ? { ref: followUp.ref, dueAt: postIncidentDue(pr, policy).at.toISOString() } : null);
  log.info({ pr: pr.number, verdict: audit.verdict, justified: audit.justified, comment: written.ok ? comment : written.reason, auditIssue: auditIssue.status, followUp: followUp.status }, "merge audited");
  if (incomplete || !written.ok) await scheduleRecheck(ref, services, now);
  if (run.failures.errors.length > 0) throw new AggregateError(run.failures.errors, `merge audit of #${pr.number}: ${run.failures.errors.length} write(s) failed`);
  return { verdict: audit.verdict, justified: audit.justified, comment };
}

async function runAudit(gateway: AuditGateway, ref: AuditRef, policy: Policy, services: Services, log: Logger): Promise<AuditResult | null> {
  const assessment = await assessAudit(gateway, ref, policy, services);
  return assessment ? publishAudit(gateway, ref, policy, assessment, services, log) : null;
}

/** The lock under which the audit of one pull request runs: one run at a time per pull request. */
export function auditLockKey(ref: AuditRef): string {
  return `${fullName(ref.repo)}#${ref.number}`;
}

/**
 * Asks the scheduler to audit the merge again in {@link PENDING_SCAN_INTERVAL_MS}, while GitHub's
 * rule-suite record is pending or a write failed, so the audit completes even if the repository
 * stays quiet. Keyed by the interval, so one re-check is queued per interval. Without a store,
 * the next event in the repository does it.
 */
async function scheduleRecheck(ref: AuditRef, services: Services, now: Date): Promise<void> {
  if (!services.scheduler || ref.installationId === undefined) return;
  const due = new Date(now.getTime() + PENDING_SCAN_INTERVAL_MS);
  const slot = Math.floor(due.getTime() / PENDING_SCAN_INTERVAL_MS);
  await services.scheduler.schedule(MERGE_AUDIT_RECHECK, `${MERGE_AUDIT_RECHECK}:${fullName(ref.repo)}#${ref.number}@${slot}`, ref, due);
}

/**
 * Audits a merged pull request, one run at a time per pull request: reads it afresh, judges the
 * merge and writes the audit comment, labels and issues. Returns null when there is nothing to
 * audit (not merged, not a hotfix, invalid configuration). Throws after writing the audit
 * comment when another write failed. A scheduler can call it for {@link MERGE_AUDIT_RECHECK}.
 */
export async function auditMergedPullRequest(gateway: AuditGateway, ref: AuditRef, services: Services, log: Logger): Promise<AuditResult | null> {
  const config = await configFor(gateway, ref.repo, services);
  if (!config.ok) {
    log.warn({ pr: ref.number, problems: config.problems.length }, "merged pull request not audited: invalid hotfix-guard configuration");
    return null;
  }
  return services.locks.run(auditLockKey(ref), () => runAudit(gateway, ref, config.policy, services, log));
}

const lastPendingScan = new WeakMap<Services, Map<string, number>>();

/**
 * Re-audits the repository's merges whose audit is pending (GitHub's rule-suite record had not
 * arrived, or a write failed): the pull requests labelled {@link AUDIT_PENDING_LABEL}. Runs at
 * most once per {@link PENDING_SCAN_INTERVAL_MS} per repository and process, on any event the
 * audit hears; a scheduler can call it directly.
 */
export async function recheckPendingAudits(gateway: AuditGateway, repo: RepoRef, services: Services, log: Logger, skip?: number): Promise<number> {
  const scans = lastPendingScan.get(services) ?? new Map<string, number>();
  lastPendingScan.set(services, scans);
  const key = fullName(repo).toLowerCase();
  const now = services.now().getTime();
  if (now - (scans.get(key) ?? Number.NEGATIVE_INFINITY) < PENDING_SCAN_INTERVAL_MS) return 0;
  scans.set(key, now);
  const pending = (await gateway.listIssuesWithLabel(repo, AUDIT_PENDING_LABEL, { state: "all" })).filter((issue) => issue.isPullRequest && issue.number !== skip);
  for (const issue of pending.slice(0, MAX_PENDING_PER_SCAN)) {
    try {
      await auditMergedPullRequest(gateway, { repo, number: issue.number }, services, log);
    } catch (error) {
      log.warn({ pr: issue.number, err: error }, "pending merge audit still incomplete");
    }
  }
  return pending.length;
}
