/**
 * The data the rules work on and the data they return. Rules are pure functions
 * `(snapshot, policy, now) => Finding[]`: no Octokit, no clock, no I/O. Everything a rule needs
 * from GitHub is fetched once by the gateway into a {@link PullRequestSnapshot}.
 */
import type { Policy } from "../config/policy.js";

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

/** A review as GitHub reports it, with the state upper-cased whatever the source. */
export interface ReviewFact {
  readonly reviewer: string;
  /** The reviewer's account type as GitHub reports it (`User`, `Bot`), when known. */
  readonly reviewerType?: string;
  readonly state: "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED" | "DISMISSED" | "PENDING";
  /** The head commit the review was given on. */
  readonly commitId: string | null;
  readonly submittedAt: string | null;
}

/** What the gateway learned about a reviewer whose review could count. */
export interface ReviewerFact {
  /** Repository permission: admin, maintain, write, triage, read or none. */
  readonly permission: string | null;
  /** The configured reviewer teams (as configured) the reviewer is an active member of. */
  readonly teams: readonly string[];
  /** What could not be verified, such as a team the app may not read. */
  readonly notes: readonly string[];
}

/** A file changed by the pull request. */
export interface ChangedFile {
  readonly filename: string;
  readonly status: string;
  readonly additions: number;
  readonly deletions: number;
}

/** A commit of the pull request. */
export interface CommitFact {
  readonly sha: string;
  readonly message: string;
  readonly parents: number;
}

/** The pull request's own fields, as `GET /pulls/{number}` returns them. */
export interface PullRequestFacts {
  readonly number: number;
  readonly title: string;
  readonly body: string;
  readonly author: string;
  readonly headRef: string;
  readonly headSha: string;
  readonly baseRef: string;
  readonly labels: readonly string[];
  readonly additions: number;
  readonly deletions: number;
  readonly changedFiles: number;
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
}

/** A pure rule. */
export type Rule = (snapshot: PullRequestSnapshot, policy: Policy, now: Date) => Finding[];
