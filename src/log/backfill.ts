/**
 * Backfill of the hotfix log: the hotfixes merged into the production branch since a date, judged
 * with the same code as the `audit` command (configuration, `loadAuditInputs` + `auditMerge`,
 * `assessMergeBack`), read-only against GitHub, recorded as facts and timeline events with
 * GitHub's own times, so a backfill that overlaps live events adds nothing twice. Works page by
 * page, oldest hotfix first, with a cursor (the last hotfix recorded), so the app's durable job
 * resumes where a crash stopped it and ids follow the order hotfixes merged.
 */
import { followUpIssues, judgeHotfix, repositoryPolicy, type JudgeRun, type JudgedHotfix } from "../cli/audit.js";
import type { Policy } from "../config/policy.js";
import type { IssueFact, MergedPullRequestSummary } from "../github/audit-gateway.js";
import { ownIssue } from "../github/audit-publish.js";
import { fullName } from "../github/gateway.js";
import { postIncidentMarker } from "../render/post-incident.js";
import { classifyPullRequest } from "../rules/classify.js";
import { postIncidentDue } from "../rules/post-incident.js";
import type { Evidence } from "../model/merge-back.js";
import type { MergeBackTargetState } from "./model.js";
import type { HotfixRecorder } from "./recorder.js";

/** Where a backfill stands: the last hotfix recorded, by merge time and number. */
export interface BackfillCursor {
  readonly mergedAt: string;
  readonly number: number;
}

/** When an issue was opened and closed (`GET /issues/{n}`), for a closed post-incident issue. */
export type IssueTimes = (number: number) => Promise<{ readonly createdAt: string; readonly closedAt: string | null }>;

/** What one page of a backfill needs. */
export interface BackfillRun extends JudgeRun {
  readonly now: Date;
  /** The app's bot login, whose post-incident issues count. */
  readonly ownLogin: string;
  readonly since: Date;
  readonly recorder: HotfixRecorder;
  readonly issueTimes: IssueTimes;
}

/** The outcome of one page. */
export interface BackfillPage {
  readonly repository: string;
  /** Merged hotfixes in the period, in all. */
  readonly hotfixes: number;
  /** Recorded on this page. */
  readonly recorded: readonly number[];
  readonly failures: readonly { readonly number: number; readonly error: string }[];
  /** Where the next page starts; null when the period is done. */
  readonly next: BackfillCursor | null;
}

function evidenceText(evidence: Evidence): string {
  switch (evidence.via) {
    case "ancestry":
      return `commit ${evidence.sha.slice(0, 7)} in its history`;
    case "pull-request":
      return `pull request #${evidence.number}`;
    case "cherry-pick":
      return `cherry-picked (${evidence.shas.map((sha) => sha.slice(0, 7)).join(", ")})`;
    case "same-change":
      return "same change (squashed or rebased copy)";
  }
}

function after(summary: MergedPullRequestSummary, cursor: BackfillCursor | null): boolean {
  if (!cursor) return true;
  const merged = Date.parse(summary.mergedAt);
  const last = Date.parse(cursor.mergedAt);
  return merged > last || (merged === last && summary.number > cursor.number);
}

/** Records what a judged hotfix says: the pull request's entry, reviews, merge and audit, merge-back, post-incident issue. */
async function recordJudged(run: BackfillRun, policy: Policy, summary: MergedPullRequestSummary, judged: JudgedHotfix, followUps: readonly IssueFact[]): Promise<void> {
  const repo = fullName(run.repo);
  const { pr, audit } = judged;
  const fields = {
    number: pr.number,
    title: pr.title,
    body: pr.body,
    user: { login: pr.author },
    head: { ref: pr.headRef, sha: pr.headSha },
    base: { ref: pr.baseRef },
    state: "closed",
    created_at: pr.createdAt,
    updated_at: pr.mergedAt,
    html_url: summary.url,
    merged_at: pr.mergedAt,
    additions: pr.additions,
    deletions: pr.deletions,
    changed_files: pr.changedFiles,
  };
  const { recorder } = run;
  await recorder.pullRequest(repo, fields, policy);
  for (const request of judged.reviewRequests) {
    if (request.kind === "requested") await recorder.reviewRequested(repo, { ...fields, updated_at: request.at }, { reviewer: request.reviewer, team: request.team }, null);
  }
  for (const review of judged.reviews) {
    if (review.submittedAt && review.state !== "PENDING") await recorder.review(repo, fields, { id: 0, user: { login: review.reviewer }, state: review.state, submitted_at: review.submittedAt });
  }
  const files = (await run.audit.listPullRequestFiles(run.repo, pr.number)).map((file) => file.filename);
  await recorder.merged(repo, { number: pr.number, mergedAt: pr.mergedAt, mergedBy: pr.mergedBy, mergeCommitSha: pr.mergeCommitSha, headRef: pr.headRef, files }, audit, policy);
  if (judged.mergeBack) {
    const targets = judged.mergeBack.rows.flatMap((row): MergeBackTargetState[] => {
      if (row.status === "done") return [{ target: row.target, doneAt: pr.mergedAt, evidence: evidenceText(row.evidence), timeKnown: false }];
      return row.status === "missing" ? [{ target: row.target, doneAt: null, evidence: null }] : [];
    });
    await recorder.mergeBack(repo, pr.number, targets, null);
  }
  const issue = ownIssue(followUps, run.ownLogin, postIncidentMarker(pr.number));
  if (issue) {
    const times = issue.state === "closed" ? await run.issueTimes(issue.number) : { createdAt: pr.mergedAt, closedAt: null };
    const url = summary.url.replace(/\/pull\/\d+$/, `/issues/${issue.number}`);
    await recorder.postIncidentOpened(repo, pr.number, { repo, number: issue.number, openedAt: times.createdAt, url }, postIncidentDue(pr, policy).at.toISOString());
    if (times.closedAt) await recorder.postIncidentClosed(repo, { number: issue.number, closedAt: times.closedAt, at: times.closedAt, actor: null, url });
  }
}

/**
 * Records one page of a repository's merged hotfixes: those after `cursor`, oldest first, at most
 * `pageSize`. Reads the configuration and the list of merged pull requests each page (a page
 * stands alone, so a resumed job needs nothing but its cursor).
 */
export async function backfillPage(run: BackfillRun, cursor: BackfillCursor | null, pageSize: number): Promise<BackfillPage> {
  const name = fullName(run.repo);
  const { fullName: repository, defaultBranch, policy } = await repositoryPolicy(run, name);
  await run.recorder.settings(repository, policy);
  const merged = await run.audit.listMergedPullRequestsInto(run.repo, policy.config.branches.production, run.since.toISOString());
  const hotfixes = merged
    .filter((pr) => classifyPullRequest(pr, policy).kind === "hotfix")
    .sort((a, b) => Date.parse(a.mergedAt) - Date.parse(b.mergedAt) || a.number - b.number);
  const remaining = hotfixes.filter((summary) => after(summary, cursor));
  const page = remaining.slice(0, pageSize);
  const followUps = page.length > 0 ? await followUpIssues(run, page) : [];
  const recorded: number[] = [];
  const failures: { number: number; error: string }[] = [];
  for (const summary of page) {
    try {
      await recordJudged(run, policy, summary, await judgeHotfix(run, defaultBranch, summary), followUps);
      recorded.push(summary.number);
    } catch (error) {
      if ((error as { status?: number }).status === undefined) throw error;
      failures.push({ number: summary.number, error: error instanceof Error ? error.message : String(error) });
    }
  }
  const last = page.at(-1);
  return { repository, hotfixes: hotfixes.length, recorded, failures, next: last && remaining.length > page.length ? { mergedAt: last.mergedAt, number: last.number } : null };
}
