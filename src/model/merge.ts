/**
 * The facts of a merge that the GitHub door reads and the merge audit judges: the merged pull
 * request, what the production branch's protection required, the checks, comments and review
 * requests, and the recorded protection changes; and the audit's record, which the codec saves in
 * the audit comment. The shared model, so neither the door nor the codec imports the rules.
 */
import type { BypassState } from "./bypass.js";
import type { JustificationFields, JustificationSource, JustificationVerdict, RecordedAuthority } from "./justification-form.js";
import type { PullRequestFacts } from "./pull-request.js";

/** A merged pull request, as `GET /pulls/{number}` returns it after the merge. */
export interface MergedPullRequest extends PullRequestFacts {
  readonly createdAt: string;
  readonly mergedAt: string;
  readonly mergeCommitSha: string | null;
  readonly mergedBy: string | null;
}

/** What the production branch's rulesets require (`GET /rules/branches/{branch}`). */
export type RulesetRequirements =
  | { readonly status: "read"; readonly ruleCount: number; readonly requiredApprovals: number; readonly dismissStale: boolean; readonly requiredChecks: readonly string[] }
  | { readonly status: "unreadable"; readonly reason: string };

/** What classic branch protection requires; unknown when the app may not read it. */
export type ClassicProtection =
  | { readonly status: "protected"; readonly requiredApprovals: number; readonly dismissStale: boolean; readonly requiredChecks: readonly string[] }
  | { readonly status: "none" }
  | { readonly status: "unknown"; readonly reason: string };

/** A check run on the head commit. */
export interface CheckRunFact {
  readonly name: string;
  readonly status: string;
  readonly conclusion: string | null;
  readonly startedAt: string | null;
  readonly completedAt: string | null;
}

/** A commit status on the head commit. */
export interface StatusFact {
  readonly context: string;
  readonly state: string;
  readonly createdAt: string;
}

/** GitHub's own record of a ruleset bypass by the merge, from the rule-suites API. */
export type RuleSuiteLookup =
  | { readonly status: "bypass"; readonly id: number; readonly actor: string | null; readonly pushedAt: string | null }
  | { readonly status: "none" }
  | { readonly status: "not-permitted"; readonly reason: string }
  | { readonly status: "unavailable"; readonly reason: string }
  | { readonly status: "not-applicable" };

/** A recorded change to the protection of the production branch. */
export interface ProtectionChange {
  readonly at: string;
  readonly actor: string;
  readonly kind: "branch protection rule" | "ruleset";
  readonly action: string;
  /** The rule's branch pattern or the ruleset's name. */
  readonly name: string;
}

/** A comment on the pull request, as the issues API lists it. */
export interface CommentFact {
  readonly id: number;
  readonly author: string;
  /** The author's account type as GitHub reports it (`User`, `Bot`, `Organization`), when known. */
  readonly authorType?: string;
  readonly body: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** A review request or its withdrawal, from the pull request's timeline. */
export interface ReviewRequestFact {
  readonly kind: "requested" | "removed";
  readonly at: string;
  /** The requested user's login, or null for a team request. */
  readonly reviewer: string | null;
  /** The requested team's slug, or null for a user request. */
  readonly team: string | null;
  /** Who made the request or withdrawal (the event's actor), when known: the app's bot for its escalation ladder. */
  readonly requester?: string | null;
}

/** One requirement of the merge and whether it was met at `merged_at`. */
export interface Requirement {
  readonly source: "policy" | "github";
  readonly title: string;
  readonly required: string;
  readonly present: string;
  /** pending: GitHub's record may still arrive; it does not decide the verdict yet. */
  readonly status: "met" | "unmet" | "unknown" | "pending";
}

/** A justification as it stood when a verdict was made on it. */
export interface RecordedJustification {
  readonly source: JustificationSource;
  readonly fields: JustificationFields;
  readonly fingerprint: string;
  readonly verdict: JustificationVerdict;
  readonly recordedAt: string;
}

/** An issue the audit opened, by repository and number. */
export interface IssueRef {
  readonly repo: string;
  readonly number: number;
}

/** What the audit judged about the merge itself, kept in its record and read back at every run. */
export interface JudgedMerge {
  /** The requirements: recorded by an earlier audit, or judged afresh by the merge audit's rules. */
  readonly requirements: readonly Requirement[];
  readonly protectionChanges: readonly ProtectionChange[];
  readonly rulesetsApply: boolean;
  readonly ruleSuite: RuleSuiteLookup;
  /** When the rule-suites API was last asked; null when it never was. */
  readonly ruleSuiteCheckedAt: string | null;
}

/** What the audit keeps between runs, in a hidden part of its own comment. */
export interface AuditRecord extends JudgedMerge {
  readonly version: 1;
  readonly pr: number;
  readonly mergeCommitSha: string | null;
  readonly auditedAt: string;
  /** The fingerprint each justification form had when the audit first saw it, by source key. */
  readonly seen: Readonly<Record<string, string>>;
  readonly justification: RecordedJustification | null;
  readonly auditIssue: IssueRef | null;
  readonly auditIssueClosed: boolean;
  readonly followUp: IssueRef | null;
  /** Each authoriser's permission and teams as first judged, by lower-cased login: later runs judge with these. */
  readonly authorities?: Readonly<Record<string, RecordedAuthority>>;
  /** What changed after a verdict, such as an authorisation withdrawn by deleting its comment. */
  readonly withdrawals?: readonly string[];
  /** The bypass requests, grants and denials as judged at the merge; absent when there were none. */
  readonly bypass?: BypassState;
}
