/**
 * The hotfix log as the handlers write it: one call per event they already see (a pull request
 * opened or edited, a review requested or submitted, a check verdict published, the merge and its
 * audit, a tag, a production deployment, a merge-back target done, the post-incident issue opened
 * or closed), each turned into facts stamped with GitHub's own time and one timeline event, and
 * written in one statement. Recording never fails the handler: the log is a memory beside the
 * app's own writes, so a failed recording is logged and the next fact about the hotfix (or a
 * backfill) fills the gap.
 */
import type { ConfigResult } from "../config/load.js";
import type { Policy } from "../config/policy.js";
import { classifyPullRequest } from "../rules/classify.js";
import { isComplete } from "../rules/merge-back.js";
import type { ReminderState } from "../model/merge-back.js";
import type { MergeAudit } from "../rules/merge-audit.js";
import { expectedTag } from "../rules/post-incident.js";
import { metricsSettings } from "../rules/hotfix-metrics.js";
import { describedEntry, revertedPullRequests } from "./entry.js";
import { factsAt, FIRST, mergeBackFact, mergeBackStamp, mergeFacts, reviewerFact, type FactSet } from "./facts.js";
import type { AuditVerdict, MergeBackTargetState, RecordedAudit, RecordSource } from "./model.js";
import type { HotfixLogStore, RecordOutcome, StoredMergeBack } from "./store.js";

/** The pull request fields the log reads, as webhooks and `GET /pulls/{n}` give them. */
export interface PullRequestFields {
  readonly number: number;
  readonly title: string;
  readonly body: string | null;
  readonly user: { readonly login: string } | null;
  readonly head: { readonly ref: string; readonly sha: string };
  readonly base: { readonly ref: string };
  readonly state: string;
  readonly created_at: string;
  readonly updated_at: string;
  readonly html_url: string;
  readonly merged_at?: string | null;
  readonly additions?: number;
  readonly deletions?: number;
  readonly changed_files?: number;
}

/** A submitted review, as the `pull_request_review` webhook gives it. */
export interface ReviewFields {
  readonly id: number;
  readonly user: { readonly login: string } | null;
  readonly state: string;
  readonly submitted_at?: string | null;
  readonly html_url?: string;
}

/** The merge as the audit saw it. */
export interface MergeFields {
  readonly number: number;
  readonly mergedAt: string;
  readonly mergedBy: string | null;
  readonly mergeCommitSha: string | null;
  readonly headRef: string;
  /** The changed files, when the audit read them. */
  readonly files?: readonly string[];
  readonly auditCommentUrl?: string | null;
  /** The audit comment's id, when its URL is not at hand (the link is built from the pull request's). */
  readonly auditCommentId?: number | null;
}

/** What the log reads of the merge audit's verdict. */
export type AuditOutcome = Pick<MergeAudit, "verdict" | "justified" | "unmet" | "justification">;

/** Where the log reports a failed recording. */
export interface LogSink {
  warn(details: object, message: string): void;
}

const SHORT_SHA = 7;

/** The audit's verdict in the log's words. */
export function logVerdict(audit: Pick<MergeAudit, "verdict" | "justified">): AuditVerdict {
  if (audit.verdict === "compliant") return "compliant";
  if (audit.verdict === "unverified") return "not-fully-verified";
  return audit.justified ? "justified-bypass" : "unjustified-bypass";
}

/** What the log keeps of an audit: the verdict, what was unmet, the justification's fields. */
export function recordedAudit(audit: AuditOutcome, auditedAt: string): RecordedAudit {
  const justification = audit.justification;
  const failing = justification?.verdict.checks.filter((check) => check.status !== "valid") ?? [];
  return {
    verdict: logVerdict(audit),
    unmet: audit.unmet.map((requirement) => requirement.title),
    justification: justification
      ? {
          incident: justification.fields.incident || null,
          bypassReason: justification.fields.bypassReason || null,
          riskAssessment: justification.fields.riskAssessment || null,
          postIncidentActions: justification.fields.postIncidentActions || null,
          authorizedBy: justification.fields.authorizedBy || null,
          timestamp: justification.fields.timestamp || null,
          assessment: justification.verdict.valid ? "verified" : failing.map((check) => `${check.aspect}: ${check.detail}`).join("; ").slice(0, 1_000),
        }
      : null,
    auditedAt,
  };
}

function overScope(pr: PullRequestFields, policy: Policy | null): boolean | undefined {
  if (!policy || pr.changed_files === undefined || pr.additions === undefined || pr.deletions === undefined) return undefined;
  const { max_files: maxFiles, max_changed_lines: maxLines } = policy.config.scope;
  return pr.changed_files > maxFiles || pr.additions + pr.deletions > maxLines;
}

/** What every event about a pull request says of it: title, branches, author, state, opening. */
function basicFacts(pr: PullRequestFields): FactSet {
  const stated = factsAt(pr.updated_at, {
    title: pr.title,
    headRef: pr.head.ref,
    baseRef: pr.base.ref,
    author: pr.user?.login,
    state: pr.merged_at ? "merged" : pr.state === "closed" ? "closed" : "open",
    "link:pullRequest": pr.html_url,
  });
  return mergeFacts(factsAt(pr.created_at, { openedAt: pr.created_at }), stated);
}

/** The facts a pull request states about its hotfix (its description's entry too), stamped with its `updated_at`. */
export function pullRequestFacts(repo: string, pr: PullRequestFields, policy: Policy | null): FactSet {
  const entry = describedEntry({ number: pr.number, title: pr.title, body: pr.body }, repo, policy);
  const tag = policy ? expectedTag(pr.head.ref, policy) : null;
  const described = Object.fromEntries(Object.entries(entry).filter(([, value]) => value !== null));
  const stated = factsAt(pr.updated_at, {
    ...described,
    title: pr.title,
    headRef: pr.head.ref,
    baseRef: pr.base.ref,
    author: pr.user?.login,
    state: pr.merged_at ? "merged" : pr.state === "closed" ? "closed" : "open",
    additions: pr.additions,
    deletions: pr.deletions,
    overScope: overScope(pr, policy),
    "link:pullRequest": pr.html_url,
  });
  const opened = factsAt(pr.created_at, { openedAt: pr.created_at });
  const tagged = tag ? factsAt(pr.created_at, { tag: { name: tag, at: null } }) : {};
  return mergeFacts(tagged, opened, stated);
}

/** The hotfix log's writing side, as the handlers call it. */
export class HotfixRecorder {
  constructor(
    readonly store: HotfixLogStore,
    private readonly now: () => Date,
    private readonly sink: LogSink,
    private readonly source: Exclude<RecordSource, "both"> = "live",
  ) {}

  private async safely(what: string, work: () => Promise<RecordOutcome | boolean | void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      this.sink.warn({ err: error, what }, "hotfix log: could not record");
    }
  }

  /** Keeps the repository's metrics settings from its policy (thresholds, due times). */
  settings(repo: string, policy: Policy): Promise<void> {
    return this.safely("settings", () => this.store.saveSettings(repo, metricsSettings(policy.config)));
  }

  /** A hotfix branch was created (GitHub's `create` event carries no time: the arrival stands in). */
  branchCreated(repo: string, branch: string, actor: string | null): Promise<void> {
    return this.safely("branch-created", () => this.store.recordBranch(repo, branch, this.now().toISOString(), actor));
  }

  /** A hotfix pull request was opened, or its description, title or head changed. */
  pullRequest(repo: string, pr: PullRequestFields, policy: Policy | null): Promise<void> {
    return this.safely("pr-opened", async () => {
      await this.store.record({
        repo,
        pullRequest: pr.number,
        facts: pullRequestFacts(repo, pr, policy),
        event: { kind: "pr-opened", subject: "", at: pr.created_at, actor: pr.user?.login ?? null, detail: `#${pr.number} opened into ${pr.base.ref}`, url: pr.html_url },
        source: this.source,
      });
      if (policy) await this.store.saveSettings(repo, metricsSettings(policy.config));
    });
  }

  /** A review was requested from a user or a team, at the pull request's `updated_at`. */
  reviewRequested(repo: string, pr: PullRequestFields, requested: { readonly reviewer?: string | null; readonly team?: string | null }, actor: string | null): Promise<void> {
    const whom = requested.reviewer ? `@${requested.reviewer}` : requested.team ? `team ${requested.team}` : "a reviewer";
    return this.safely("review-requested", () =>
      this.store.record({
        repo,
        pullRequest: pr.number,
        facts: mergeFacts(basicFacts(pr), factsAt(pr.updated_at, { [FIRST.reviewRequestedAt]: pr.updated_at })),
        event: { kind: "review-requested", subject: `${whom}@${pr.updated_at}`, at: pr.updated_at, actor, detail: `review requested from ${whom}`, url: null },
        source: this.source,
      }),
    );
  }

  /** A review was submitted (reviewer and submission time are its natural key, as a backfill reads them too). */
  review(repo: string, pr: PullRequestFields, review: ReviewFields): Promise<void> {
    const at = review.submitted_at ?? pr.updated_at;
    const login = review.user?.login ?? null;
    const state = review.state.toLowerCase().replaceAll("_", " ");
    return this.safely("review", () =>
      this.store.record({
        repo,
        pullRequest: pr.number,
        facts: mergeFacts(basicFacts(pr), factsAt(at, { [FIRST.reviewAt]: at, ...(login ? { [reviewerFact(login)]: login } : {}) })),
        event: { kind: "review", subject: `${login ?? "ghost"}@${at}`, at, actor: login, detail: state, url: review.html_url ?? null },
        source: this.source,
      }),
    );
  }

  /**
   * A step of the emergency path on an open hotfix (issue 14): the escalation ladder's notice, or a
   * bypass request, grant or denial the app counted, at its own time; `subject` (the ladder step,
   * the command's comment) keeps a step recorded once however often it is delivered.
   */
  emergencyStep(repo: string, pullRequest: number, step: { readonly kind: "escalated" | "bypass-requested" | "bypass-granted" | "bypass-denied"; readonly subject: string; readonly at: string; readonly actor: string | null; readonly detail: string; readonly url: string | null }): Promise<void> {
    return this.safely(step.kind, () => this.store.record({ repo, pullRequest, facts: {}, event: { ...step, detail: step.detail.slice(0, 500) }, source: this.source }));
  }

  /** The app published a check verdict on the head commit; each distinct verdict per commit is one event. */
  checkVerdict(repo: string, pullRequest: number, check: { readonly sha: string; readonly conclusion: string; readonly title: string; readonly url?: string | null }): Promise<void> {
    const at = this.now().toISOString();
    return this.safely("check-verdict", () =>
      this.store.record({
        repo,
        pullRequest,
        facts: {},
        event: { kind: "check-verdict", subject: `${check.sha}:${check.conclusion}`, at, actor: null, detail: `${check.conclusion} on ${check.sha.slice(0, SHORT_SHA)}: ${check.title}`.slice(0, 500), url: check.url ?? null },
        source: this.source,
      }),
    );
  }

  /** The hotfix merged and was audited: who merged, the verdict and justification, the expected tag. */
  merged(repo: string, merge: MergeFields, audit: AuditOutcome, policy: Policy | null): Promise<void> {
    const verdict = recordedAudit(audit, this.now().toISOString());
    const tag = policy ? expectedTag(merge.headRef, policy) : null;
    const facts = mergeFacts(
      factsAt(merge.mergedAt, {
        mergedAt: merge.mergedAt,
        merger: merge.mergedBy ?? undefined,
        mergeSha: merge.mergeCommitSha ?? undefined,
        state: "merged",
        filesAffected: merge.files ? [...merge.files].slice(0, 3_000) : undefined,
      }),
      factsAt(this.now(), {
        audit: verdict,
        authoriser: verdict.verdict === "justified-bypass" ? (audit.justification?.verdict.authoriser ?? undefined) : undefined,
        "link:auditComment": merge.auditCommentUrl ?? undefined,
        auditCommentId: merge.auditCommentId ?? undefined,
      }),
      tag ? factsAt(merge.mergedAt, { tag: { name: tag, at: null } }) : {},
    );
    return this.safely("merged", async () => {
      await this.store.record({
        repo,
        pullRequest: merge.number,
        facts,
        event: { kind: "merged", subject: "", at: merge.mergedAt, actor: merge.mergedBy, detail: `merged: ${verdict.verdict.replaceAll("-", " ")}`, url: merge.auditCommentUrl ?? null },
        source: this.source,
      });
      await this.store.applyRecordedDeployments(repo, merge.number);
    });
  }

  /**
   * A pull request or review event the check handler saw: when the pull request is a hotfix under
   * the repository's policy, records the pull request (opened, edited, pushed, labelled), the
   * review requested, or the review submitted. Anything else is ignored.
   */
  pullRequestEvent(
    repo: string,
    payload: { readonly action: string; readonly pull_request: PullRequestFields & { readonly labels?: readonly { readonly name: string }[] }; readonly review?: ReviewFields; readonly requested_reviewer?: { readonly login: string } | null; readonly requested_team?: { readonly slug?: string } | null; readonly sender?: { readonly login: string } },
    config: ConfigResult,
  ): Promise<void> {
    if (!config.ok) return Promise.resolve();
    const { pull_request: pr } = payload;
    const facts = { baseRef: pr.base.ref, headRef: pr.head.ref, labels: (pr.labels ?? []).map((label) => label.name) };
    if (classifyPullRequest(facts, config.policy).kind !== "hotfix") return Promise.resolve();
    if (payload.review) return payload.action === "submitted" ? this.review(repo, pr, payload.review) : Promise.resolve();
    if (payload.action === "review_requested") return this.reviewRequested(repo, pr, { reviewer: payload.requested_reviewer?.login ?? null, team: payload.requested_team?.slug ?? null }, payload.sender?.login ?? null);
    return this.pullRequest(repo, pr, config.policy);
  }

  /**
   * The merge-back state the reminder holds: each target done (first seen now), skipped (by whom
   * and why) or missing, and the reminder issue; and the whole state, kept as the release guard's
   * source of open hotfixes. When that state cannot be saved, the repository is no longer taken as
   * synced, so the guard reads the reminders from GitHub rather than trust an outdated list.
   */
  async mergeBackState(repo: string, state: ReminderState, reminderNumber: number | null): Promise<void> {
    await this.safely("merge-back-state", async () => {
      try {
        await this.store.saveMergeBackState(repo, { state, reminder: reminderNumber }, !isComplete(state));
      } catch (error) {
        await this.store.unsyncMergeBacks(repo);
        throw error;
      }
    });
    const seenAt = this.now().toISOString();
    const targets = state.rows.flatMap((row): MergeBackTargetState[] => {
      if (row.status === "done") return [{ target: row.target, doneAt: seenAt, evidence: row.evidence.via === "pull-request" ? `pull request #${row.evidence.number}` : row.evidence.via }];
      if (row.status === "skipped") return [{ target: row.target, doneAt: row.skip.at, evidence: `skipped by @${row.skip.by}: ${row.skip.reason}`.slice(0, 300) }];
      return row.status === "missing" ? [{ target: row.target, doneAt: null, evidence: null }] : [];
    });
    return this.mergeBack(repo, state.hotfix.number, targets, reminderNumber === null ? null : { repo, number: reminderNumber });
  }

  /**
   * The repository's open hotfixes (merged into production, not yet in every target) from the
   * log; null when the log does not hold them (never synced), so they must be read from GitHub.
   * A failed read throws: the release guard never takes it for "no hotfix open".
   */
  openMergeBacks(repo: string): Promise<StoredMergeBack[] | null> {
    return this.store.openMergeBacks(repo);
  }

  /** The repository's open reminders as read from GitHub: the log holds them from now on. */
  mergeBacksSynced(repo: string, open: readonly StoredMergeBack[]): Promise<void> {
    return this.safely("merge-back-sync", () => this.store.syncMergeBacks(repo, open));
  }

  /** A `vX.Y.Z` tag was created: the hotfix expecting that tag is tagged (the event carries no time). */
  tagged(repo: string, tag: string, actor: string | null): Promise<void> {
    const at = this.now().toISOString();
    return this.safely("tagged", () =>
      this.store.recordExisting(repo, { by: "tag", name: tag }, factsAt(at, { tag: { name: tag, at } }), { kind: "tagged", subject: tag, at, actor, detail: `tagged ${tag}`, url: null }),
    );
  }

  /**
   * A successful deployment to a production environment: every merged hotfix it carries is
   * deployed. Returns the ids of the records it marked deployed now (none when recording failed).
   */
  async deployed(repo: string, deployment: { readonly id: number; readonly sha: string; readonly ref: string; readonly environment: string; readonly at: string; readonly actor: string | null; readonly url: string | null }): Promise<readonly string[]> {
    let ids: readonly string[] = [];
    await this.safely("deployed", async () => {
      ({ ids } = await this.store.recordDeployment(repo, deployment, factsAt(deployment.at, { [FIRST.deployedAt]: deployment.at }), {
        kind: "deployed",
        subject: String(deployment.id),
        at: deployment.at,
        actor: deployment.actor,
        detail: `deployed to ${deployment.environment} (${deployment.sha.slice(0, SHORT_SHA)})`,
        url: deployment.url,
      }));
    });
    return ids;
  }

  /** A notification about the hotfix finally failed: its timeline says which, where and why. */
  notificationFailed(repo: string, pullRequest: number, failure: { readonly key: string; readonly event: string; readonly destination: string; readonly reason: string }): Promise<void> {
    const at = this.now().toISOString();
    return this.safely("notification-failed", () =>
      this.store.recordExisting(repo, { by: "pull-request", number: pullRequest }, {}, {
        kind: "notification-failed",
        subject: failure.key,
        at,
        actor: null,
        detail: `${failure.event} message to ${failure.destination} not sent: ${failure.reason}`.slice(0, 500),
        url: null,
      }),
    );
  }

  /** The deployment gate approved or rejected a deployment of a commit carrying this hotfix; once per run and environment. */
  deploymentGate(repo: string, pullRequest: number, decision: { readonly runId: number; readonly environment: string; readonly sha: string; readonly state: string; readonly at: string }): Promise<void> {
    return this.safely("deployment gate", () =>
      this.store.recordExisting(repo, { by: "pull-request", number: pullRequest }, {}, {
        kind: "deployment-gate",
        subject: `${decision.runId}:${decision.environment}`,
        at: decision.at,
        actor: null,
        detail: `deployment of ${decision.sha.slice(0, SHORT_SHA)} to ${decision.environment} ${decision.state}`,
        url: null,
      }),
    );
  }

  /**
   * The merge-back state of a hotfix: every target with the time it got the fix (null while it
   * has not), and the reminder issue. Targets done are timeline events, once each.
   */
  mergeBack(repo: string, pullRequest: number, targets: readonly MergeBackTargetState[], reminder: { readonly repo: string; readonly number: number } | null): Promise<void> {
    const assessedAt = this.now();
    return this.safely("merge-back", async () => {
      const facts = mergeFacts(
        ...targets.map((target) =>
          factsAt(mergeBackStamp(target, assessedAt), { [mergeBackFact(target.target)]: { doneAt: target.doneAt, evidence: target.evidence, ...(target.timeKnown === false ? { timeKnown: false } : {}) } }),
        ),
        reminder ? factsAt(assessedAt, { reminderIssue: reminder }) : {},
      );
      await this.store.record({ repo, pullRequest, facts, source: this.source });
      for (const target of targets) {
        if (!target.doneAt) continue;
        const event = { kind: "merge-back-done" as const, subject: target.target, at: target.doneAt, actor: null, detail: `in ${target.target}${target.evidence ? ` (${target.evidence})` : ""}`, url: null };
        await this.store.record({ repo, pullRequest, facts: {}, event, source: this.source });
      }
    });
  }

  /** The app opened (or found) the post-incident review issue of the hotfix. */
  postIncidentOpened(repo: string, pullRequest: number, issue: { readonly repo: string; readonly number: number; readonly openedAt: string; readonly url: string | null }, dueAt: string | null): Promise<void> {
    return this.safely("post-incident-opened", () =>
      this.store.record({
        repo,
        pullRequest,
        facts: factsAt(issue.openedAt, { [FIRST.postIncident]: { repo: issue.repo, number: issue.number, openedAt: issue.openedAt, dueAt } }),
        event: { kind: "post-incident-opened", subject: String(issue.number), at: issue.openedAt, actor: null, detail: `post-incident review ${issue.repo}#${issue.number} opened`, url: issue.url },
        source: this.source,
      }),
    );
  }

  /** The post-incident issue was closed (or reopened: `closedAt` null at `at`). */
  postIncidentClosed(repo: string, issue: { readonly number: number; readonly closedAt: string | null; readonly at: string; readonly actor: string | null; readonly url: string | null }): Promise<void> {
    const event = issue.closedAt
      ? { kind: "post-incident-closed" as const, subject: `${issue.number}@${issue.closedAt}`, at: issue.closedAt, actor: issue.actor, detail: `post-incident review #${issue.number} closed`, url: issue.url }
      : undefined;
    return this.safely("post-incident-closed", () => this.store.recordExisting(repo, { by: "post-incident-issue", number: issue.number }, factsAt(issue.at, { postIncidentClosedAt: issue.closedAt }), event));
  }

  /** Any pull request merged: when it reverts earlier pull requests ("Reverts owner/repo#N"), each reverted hotfix records the escape. */
  mergedPullRequest(repo: string, pr: { readonly number: number; readonly title: string; readonly body: string | null; readonly merged_at: string | null; readonly html_url: string; readonly merged_by?: { readonly login: string } | null }): Promise<void> {
    const reverted = revertedPullRequests(`${pr.title}\n${pr.body ?? ""}`, repo);
    if (reverted.length === 0 || !pr.merged_at) return Promise.resolve();
    return this.revertMerged(repo, { number: pr.number, title: pr.title, body: pr.body, mergedAt: pr.merged_at, url: pr.html_url, actor: pr.merged_by?.login ?? null }, reverted);
  }

  /** A merged pull request that reverts earlier ones: each reverted hotfix records the escape. */
  revertMerged(repo: string, pr: { readonly number: number; readonly title: string; readonly body: string | null; readonly mergedAt: string; readonly url: string | null; readonly actor: string | null }, reverted: readonly number[]): Promise<void> {
    return this.safely("reverted", async () => {
      for (const number of reverted) {
        if (number === pr.number) continue;
        await this.store.recordExisting(repo, { by: "pull-request", number }, factsAt(pr.mergedAt, { revertedBy: { pullRequest: pr.number, at: pr.mergedAt } }), {
          kind: "reverted",
          subject: String(pr.number),
          at: pr.mergedAt,
          actor: pr.actor,
          detail: `reverted by #${pr.number}`,
          url: pr.url,
        });
      }
    });
  }
}
