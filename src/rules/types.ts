/**
 * The data the rules work on and the data they return. Rules are pure functions
 * `(snapshot, policy, now) => Finding[]`: no Octokit, no clock, no I/O. Everything a rule needs
 * from GitHub is fetched once by the gateway into a {@link PullRequestSnapshot}.
 */
import type { Policy } from "../config/policy.js";
import type { ReviewFact, ReviewerFact, ChangedFile, CommitFact, PullRequestFacts, PushesSinceApproval } from "../model/pull-request.js";
import type { BypassFacts } from "../model/bypass.js";
import type { ReviewRequestFact } from "../model/merge.js";
export type { ReviewFact, ReviewerFact, ChangedFile, CommitFact, PullRequestFacts, PushesSinceApproval, ReviewRequestFact };

/** pass: satisfied; fail: blocks the merge; warn: shown, does not block; skip: turned off or not applicable. */
export type FindingStatus = "pass" | "fail" | "warn" | "skip";

/** One row of the check run. */
export interface Finding {
  /** Stable id of the rule that produced the row (`branch-name`, `template`, …). */
  readonly rule: string;
  /** The row's name as the developer reads it. */
  readonly title: string;
  readonly status: FindingStatus;
  /** What was found. */
  readonly actual: string;
  /** What the policy expects. */
  readonly expected: string;
  /** How to fix it; present on every fail and warn. */
  readonly remedy?: string;
}

/** Everything the pre-merge rules know about one pull request, fetched once. */
export interface PullRequestSnapshot extends PullRequestFacts {
  /** Changed files; undefined when the policy needs none. GitHub lists at most 3,000. */
  readonly files?: readonly ChangedFile[];
  /** Commits; undefined when the commit convention is off. GitHub lists at most 250. */
  readonly commits?: readonly CommitFact[];
  readonly reviews: readonly ReviewFact[];
  /** Facts about reviewers, by lower-cased login; only for reviewers whose review could count. */
  readonly reviewers: Readonly<Record<string, ReviewerFact>>;
  /** The highest `vX.Y.Z` tag, or null when the repository has none or it was not needed. */
  readonly latestVersionTag: string | null;
  /** When a review was first requested; read only when approvals are short (undefined: not read). */
  readonly reviewRequestedAt?: string | null;
  /** The comments with the bypass commands and justification forms, and who wrote them; undefined: not read. */
  readonly bypass?: BypassFacts;
  /** The timeline's review requests and withdrawals; read when approvals are short (undefined: not read). */
  readonly reviewRequests?: readonly ReviewRequestFact[];
  /** For approvals given on an earlier commit, by that commit: what was pushed since; read only when a push may keep them. */
  readonly pushesSinceApproval?: Readonly<Record<string, PushesSinceApproval>>;
  /** The app's bot login, read when an escalation ladder is configured: its review requests are the ladder's steps. */
  readonly appLogin?: string;
}

/** A pure rule. */
export type Rule = (snapshot: PullRequestSnapshot, policy: Policy, now: Date) => Finding[];
