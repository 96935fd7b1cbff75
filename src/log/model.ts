/**
 * The hotfix log's data: one record per hotfix pull request (seed 002's log entry filled from
 * what seed 001's template found in the PR, the audit verdict, tag, merge-back and post-incident
 * state), its timeline of timestamped events, the metrics seeds 001 and 002 name, and the
 * read-only interface the web view and exports are built on. Types only: the store
 * (`store.ts`), the pure metrics (`src/rules/hotfix-metrics.ts`) and the exports implement them.
 * This module only ever grows: fields are added, never renamed or removed.
 */

/** A repository as `owner/name`, as GitHub spells it. */
export type RepoName = string;

/** A hotfix's readable id, unique per repository and stable: `HOTFIX-007` (seed 002). */
export type HotfixId = string;

/** An ISO 8601 time, as GitHub reports times. */
export type IsoTime = string;

/**
 * The merge-time audit verdict: compliant; a bypass with a verified justification; a bypass
 * without one; or no requirement unmet but some could not be verified.
 */
export type AuditVerdict = "compliant" | "justified-bypass" | "unjustified-bypass" | "not-fully-verified";

/** Every verdict, in the order the view lists them. */
export const AUDIT_VERDICTS: readonly AuditVerdict[] = ["compliant", "justified-bypass", "unjustified-bypass", "not-fully-verified"];

/** Where a hotfix stands on GitHub. */
export type HotfixState = "open" | "merged" | "closed";

/** The bypass justification as the audit verified it (seed 001's Emergency Bypass form). */
export interface RecordedBypassJustification {
  readonly incident: string | null;
  readonly bypassReason: string | null;
  readonly riskAssessment: string | null;
  readonly postIncidentActions: string | null;
  /** The login the form named, as written (proved only when the verdict is justified). */
  readonly authorizedBy: string | null;
  readonly timestamp: string | null;
  /** Why the audit accepted or rejected it, in one line. */
  readonly assessment: string;
}

/** The merge audit's verdict on the hotfix. */
export interface RecordedAudit {
  readonly verdict: AuditVerdict;
  /** The requirements the merge did not meet, by title (empty when compliant). */
  readonly unmet: readonly string[];
  readonly justification: RecordedBypassJustification | null;
  readonly auditedAt: IsoTime;
}

/** The version tag of the hotfix (seed 001: annotated `vX.Y.Z` on the merge commit). */
export interface RecordedTag {
  readonly name: string;
  /** When the tag was seen on the merge commit; null while it is expected but missing. */
  readonly at: IsoTime | null;
}

/** One merge-back target (develop, each active release branch) and when it got the hotfix. */
export interface MergeBackTargetState {
  readonly target: string;
  /** When the target first contained the hotfix; null while it does not. */
  readonly doneAt: IsoTime | null;
  /** How it got there, in one line (merge commit, back-merge PR, cherry-pick); null while pending. */
  readonly evidence: string | null;
  /**
   * False when a backfill found the target done but not when: `doneAt` is then the merge time, a
   * lower bound, and the target has no lag figure. Absent or true: `doneAt` is the real time.
   */
  readonly timeKnown?: boolean;
}

/** The post-incident review issue the app opened for the hotfix. */
export interface PostIncidentState {
  /** The issue's repository (`owner/name`) and number. */
  readonly repo: RepoName;
  readonly number: number;
  readonly openedAt: IsoTime;
  /** When the review is due by the policy (seed 004: 48 h after the merge). */
  readonly dueAt: IsoTime | null;
  readonly closedAt: IsoTime | null;
}

/** Links from a record to GitHub; null while the thing does not exist. */
export interface HotfixLinks {
  readonly pullRequest: string;
  readonly auditComment: string | null;
  readonly reminderIssue: string | null;
  readonly postIncidentIssue: string | null;
}

/** Where a record's facts came from: the live webhooks, a backfill, or both. */
export type RecordSource = "live" | "backfill" | "both";

/**
 * One hotfix: seed 002's log entry as found in the pull request (seed 001's template sections),
 * plus what the app judged and saw afterwards. Text fields are the description's own words
 * (null when the section is absent or left as the template's placeholder); they are user text,
 * to be escaped by whatever renders them.
 */
export interface HotfixRecord {
  readonly repo: RepoName;
  readonly id: HotfixId;
  /** The number in the id (`HOTFIX-007` → 7), allocated per repository in order of recording. */
  readonly sequence: number;
  readonly pullRequest: number;
  /** The PR title: seed 002's "Brief Description". */
  readonly title: string;
  readonly headRef: string;
  readonly baseRef: string;
  readonly state: HotfixState;
  /** Seed 002's "Date/Time": the incident's own time when the template gives one, else the PR's opening. */
  readonly dateTime: IsoTime;
  /** The incident's own time from the description ("Date/Time", "Timestamp"), when given. */
  readonly incidentAt: IsoTime | null;
  readonly openedAt: IsoTime | null;
  readonly mergedAt: IsoTime | null;
  /** The first successful deployment to the production environment after the merge. */
  readonly deployedAt: IsoTime | null;
  /** The severity as the description declares it (`CRITICAL`, `P0`, …); null when none is recognised. */
  readonly severity: string | null;
  readonly author: string | null;
  readonly merger: string | null;
  /** Everyone who submitted a review, in order of their first review. */
  readonly reviewers: readonly string[];
  /** Who authorised a bypass, once the audit verified them; null otherwise. */
  readonly authoriser: string | null;
  readonly incidentReference: string | null;
  /** Seed 002 "Problem" (seed 001 "Issue Description"). */
  readonly problem: string | null;
  readonly impact: string | null;
  /** Seed 002 "Why Emergency" (seed 001 "Emergency Justification"). */
  readonly whyEmergency: string | null;
  /** Seed 002 "Change Made" (seed 001 "Fix Implementation"). */
  readonly changeMade: string | null;
  /** Seed 002 "Files/Systems Affected": the changed files' paths (GitHub lists at most 3,000). */
  readonly filesAffected: readonly string[];
  readonly additions: number | null;
  readonly deletions: number | null;
  readonly rollbackPlan: string | null;
  /** Seed 002 "Root Cause (Initial)" (seed 001 commit template "Root Cause"). */
  readonly rootCause: string | null;
  /** Seed 002 "Risk Accepted" (seed 001 "Risks Accepted"). */
  readonly riskAccepted: string | null;
  /** Seed 002 "Monitoring" (seed 001 "Monitoring Plan"). */
  readonly monitoring: string | null;
  /** The merge audit's verdict; null before the merge or while it has not run. */
  readonly audit: RecordedAudit | null;
  readonly tag: RecordedTag | null;
  readonly mergeBack: readonly MergeBackTargetState[];
  readonly postIncident: PostIncidentState | null;
  readonly links: HotfixLinks;
  /** Pull request numbers this hotfix reverts ("Reverts owner/repo#12"), for quality escapes. */
  readonly reverts: readonly number[];
  /** Earlier hotfixes the description names (`HOTFIX-003`, `#12`), for quality escapes. */
  readonly mentions: readonly string[];
  readonly source: RecordSource;
  /** When the store last changed the record. */
  readonly updatedAt: IsoTime;
  /** The merge commit, once merged (deployments are matched by it). */
  readonly mergeCommitSha?: string | null;
  /** When a review was first requested; null when none was seen. */
  readonly firstReviewRequestedAt?: IsoTime | null;
  /** When the first review was submitted; null when none was seen. */
  readonly firstReviewAt?: IsoTime | null;
  /** Over the configured scope limits (files or changed lines) when last checked. */
  readonly overScope?: boolean;
  /** A later pull request that reverted this hotfix; null when none did. */
  readonly revertedBy?: { readonly pullRequest: number; readonly at: IsoTime } | null;
}

/**
 * What the metrics read of a record: a {@link HotfixRecord} is one, and so is the store's
 * compact summary of a record (which keeps only these values, so that a window's metrics over
 * many repositories need not read every record's whole fact set).
 */
export interface MetricsRecord
  extends Pick<
    HotfixRecord,
    | "repo"
    | "id"
    | "sequence"
    | "pullRequest"
    | "dateTime"
    | "incidentAt"
    | "openedAt"
    | "mergedAt"
    | "deployedAt"
    | "incidentReference"
    | "filesAffected"
    | "reverts"
    | "mentions"
    | "firstReviewRequestedAt"
    | "firstReviewAt"
    | "overScope"
    | "revertedBy"
  > {
  readonly audit: Pick<RecordedAudit, "verdict"> | null;
  readonly mergeBack: readonly Pick<MergeBackTargetState, "target" | "doneAt" | "timeKnown">[];
  readonly postIncident: Pick<PostIncidentState, "dueAt" | "closedAt"> | null;
}

/** What happened to a hotfix, in the order of its timeline. */
export type TimelineEventKind =
  | "branch-created"
  | "pr-opened"
  | "review-requested"
  | "review"
  | "escalated"
  | "bypass-requested"
  | "bypass-granted"
  | "bypass-denied"
  | "check-verdict"
  | "merged"
  | "tagged"
  | "deployed"
  | "deployment-gate"
  | "merge-back-done"
  | "post-incident-opened"
  | "post-incident-closed"
  | "reverted"
  | "notification-failed";

/** Every timeline event kind, in lifecycle order. */
export const TIMELINE_EVENT_KINDS: readonly TimelineEventKind[] = [
  "branch-created",
  "pr-opened",
  "review-requested",
  "review",
  "escalated",
  "bypass-requested",
  "bypass-granted",
  "bypass-denied",
  "check-verdict",
  "merged",
  "tagged",
  "deployed",
  "deployment-gate",
  "merge-back-done",
  "post-incident-opened",
  "post-incident-closed",
  "reverted",
  "notification-failed",
];

/**
 * One timestamped event. `at` is GitHub's own time for it (never the time the webhook arrived),
 * and the timeline is ordered by it. `(kind, subject)` is the event's natural key: the same event
 * delivered twice, or read again by a backfill, is recorded once.
 */
export interface TimelineEvent {
  readonly kind: TimelineEventKind;
  readonly at: IsoTime;
  /**
   * What the event is about, unique per kind within a hotfix: the review's id, the requested
   * reviewer, the check verdict with its head SHA, the merge-back target, the tag name, the
   * deployment id, the issue number. Empty for events a hotfix has once (opened, merged).
   */
  readonly subject: string;
  /** Who acted; null when GitHub does not say. */
  readonly actor: string | null;
  /** One line for the timeline: "approved", "fail → pass", "develop via #42". */
  readonly detail: string;
  /** A link to the thing on GitHub, when there is one. */
  readonly url: string | null;
}

/** A record with its timeline, oldest event first. */
export interface HotfixDetail {
  readonly record: HotfixRecord;
  readonly timeline: readonly TimelineEvent[];
  readonly metrics: HotfixMetrics;
}

// ── Metrics ────────────────────────────────────────────────────────────────────────────────────

/** A half-open time window `[since, until)`. */
export interface MetricsWindow {
  readonly since: IsoTime;
  readonly until: IsoTime;
}

/** Time to resolution of one hotfix (seed 001: from detection to fix deployed). */
export interface ResolutionTime {
  /** Where the clock starts: the incident's own time when the template gives one, else the PR's opening. */
  readonly from: "incident" | "pr-opened";
  readonly startedAt: IsoTime | null;
  readonly toMergedMs: number | null;
  readonly toDeployedMs: number | null;
}

/** Time one merge-back target took after the merge. */
export interface MergeBackLag {
  readonly target: string;
  /** Null while the target does not contain the hotfix. */
  readonly lagMs: number | null;
  /** Not done, and the policy's escalation time after the merge has passed. */
  readonly overdue: boolean;
}

/** Whether the post-incident review was done in time (seed 002: 100 % within 48 hours). */
export type PostMortemStatus =
  | { readonly status: "not-due" }
  | { readonly status: "on-time"; readonly closedAt: IsoTime }
  | { readonly status: "late"; readonly closedAt: IsoTime; readonly lateByMs: number }
  | { readonly status: "open"; readonly dueAt: IsoTime }
  | { readonly status: "overdue"; readonly dueAt: IsoTime }
  /** Merged without a post-incident issue, and its due time has passed. */
  | { readonly status: "skipped"; readonly dueAt: IsoTime };

/** The metrics of one hotfix. */
export interface HotfixMetrics {
  readonly repo: RepoName;
  readonly id: HotfixId;
  readonly resolution: ResolutionTime;
  /** From the first review request (else the PR's opening) to the first review; null without one. */
  readonly reviewWaitMs: number | null;
  readonly mergeBack: readonly MergeBackLag[];
  readonly postMortem: PostMortemStatus;
  /** Over the configured scope limits (files or changed lines): seed 001's scope creep. */
  readonly overScope: boolean;
}

/** Hotfixes in one calendar month (UTC). */
export interface MonthlyCount {
  /** `YYYY-MM`. */
  readonly month: string;
  readonly count: number;
}

/** Hotfixes that recur: the same incident reference, or the same files fixed again within N days. */
export interface RepeatIncident {
  readonly repo: RepoName;
  readonly reason: "incident-reference" | "same-files";
  /** The shared incident reference or one shared file. */
  readonly key: string;
  /** The hotfixes, oldest first. */
  readonly ids: readonly HotfixId[];
}

/** A hotfix that needed a later fix: seed 001's quality escape. */
export interface QualityEscape {
  readonly repo: RepoName;
  readonly earlier: HotfixId;
  /** The later hotfix's id, or `#N` for a revert that is not itself a hotfix. */
  readonly later: string;
  readonly kind: "reverted" | "named-by-later-hotfix";
  readonly at: IsoTime;
}

/** A warning sign from seed 001 whose threshold is crossed. */
export interface WarningSign {
  readonly kind: "frequent-hotfixes" | "long-resolution" | "scope-creep" | "post-mortems-skipped" | "quality-escapes" | "repeat-incidents";
  /** One sentence: what was seen against which threshold. */
  readonly message: string;
  readonly value: number;
  readonly threshold: number;
  /** The hotfixes that make it up, when it is about particular ones. */
  readonly ids: readonly HotfixId[];
}

/** A share with what it is a share of; `share` is null when `of` is 0. */
export interface Share {
  readonly count: number;
  readonly of: number;
  readonly share: number | null;
}

/** The metrics of a set of repositories over a window (seed 001 success metrics, seed 002 success metrics). */
export interface LogMetrics {
  readonly repos: readonly RepoName[];
  readonly window: MetricsWindow;
  /** Hotfixes whose `dateTime` falls in the window. */
  readonly hotfixes: number;
  readonly merged: number;
  readonly perMonth: readonly MonthlyCount[];
  /** Hotfixes per 30-day month over the window. */
  readonly frequencyPerMonth: number;
  readonly resolution: {
    readonly count: number;
    readonly medianMs: number | null;
    readonly p90Ms: number | null;
  };
  /** Of merged hotfixes: merged with a bypass (justified or not). */
  readonly bypassed: Share;
  /** Of bypassed hotfixes: justified. */
  readonly justified: Share;
  readonly notFullyVerified: number;
  /** Merge-back targets not done past the escalation time. */
  readonly mergeBacksOverdue: number;
  /** Merge-back lag over targets that are done. */
  readonly mergeBackLag: { readonly medianMs: number | null; readonly p90Ms: number | null };
  /** Post-mortems closed within the due time, of those due. */
  readonly postMortemsOnTime: Share;
  readonly postMortemsOverdue: number;
  readonly postMortemsSkipped: number;
  /** Hotfixes that belong to a repeat group, of all hotfixes (seed 002: under 10 %). */
  readonly repeatShare: Share;
  readonly repeatIncidents: readonly RepeatIncident[];
  readonly qualityEscapes: readonly QualityEscape[];
  readonly overScope: readonly HotfixId[];
  readonly warnings: readonly WarningSign[];
}

// ── Reading ────────────────────────────────────────────────────────────────────────────────────

/** Which records to list. */
export interface LogFilter {
  /** The repositories the viewer may read; an empty list lists nothing. */
  readonly repos: readonly RepoName[];
  /** A declared severity, compared without case. */
  readonly severity?: string;
  readonly verdict?: AuditVerdict;
  /** true: only records with a follow-up open (merge-back target pending, post-incident issue open); false: only without. */
  readonly openFollowUps?: boolean;
}

/** A page of a list: 1-based, `perPage` at most 100. */
export interface PageRequest {
  readonly page: number;
  readonly perPage: number;
}

/** A page of records, newest `dateTime` first, and how many match the filter in all. */
export interface LogPage {
  readonly records: readonly HotfixRecord[];
  readonly total: number;
}

/** The log as the web view and the exports read it. Every method reads only the repositories it is given. */
export interface HotfixLogReader {
  /** Records matching the filter, newest first. */
  list(filter: LogFilter, page: PageRequest): Promise<LogPage>;
  /** One record with its timeline and metrics; null when there is none. */
  get(repo: RepoName, id: HotfixId): Promise<HotfixDetail | null>;
  /** The metrics of one repository, or of several together. */
  metrics(repos: RepoName | readonly RepoName[], window: MetricsWindow): Promise<LogMetrics>;
  /** The log as Markdown in seed 002's layout: active hotfixes in full, completed ones in one line each. */
  exportMarkdown(repos: readonly RepoName[], window: MetricsWindow, options?: ExportOptions): Promise<string>;
  /** The records as CSV, one row per hotfix with its metrics, newest first. */
  exportCsv(repos: readonly RepoName[], window: MetricsWindow, options?: ExportOptions): Promise<string>;
  /** The records, their metrics and the window's metrics as one JSON document. */
  exportJson(repos: readonly RepoName[], window: MetricsWindow): Promise<LogExport>;
}

/** What a text export may show. */
export interface ExportOptions {
  /**
   * The repositories whose audit details (the justification, the authoriser, and the merger of a
   * bypass) the export may show; elsewhere they are left out. Default: none.
   */
  readonly auditDetails?: readonly RepoName[];
}

/** The JSON export. */
export interface LogExport {
  readonly generatedAt: IsoTime;
  readonly window: MetricsWindow;
  readonly metrics: LogMetrics;
  readonly hotfixes: readonly (HotfixRecord & { readonly metrics: HotfixMetrics })[];
}
