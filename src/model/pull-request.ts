/**
 * The facts of a pull request that the GitHub door reads and the rules judge: the shared model,
 * so neither side imports the other.
 */

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
  /** Users whose review is requested right now (a re-request after their review puts them back); absent when not read. */
  readonly requestedReviewers?: readonly string[];
}

/** A commit pushed to a pull request after an approval, as the compare API lists it. */
export interface PushedCommitFact {
  readonly sha: string;
  /** The GitHub logins git's author and committer emails map to; null when they map to no account. */
  readonly author: string | null;
  readonly committer: string | null;
  /** Whether GitHub verified the commit's signature. */
  readonly verified: boolean;
}

/** What changed on a pull request between the commit an approval was given on and the head. */
export interface PushesSinceApproval {
  /**
   * True when the pull request's own change against its base (files, contents, status) is the
   * same at the head as at the approved commit: only the base was merged in since. False when it
   * differs or could not be compared in full.
   */
  readonly sameChange: boolean;
  /** True when the approved commit is an ancestor of the head (no force-push rewrote it). */
  readonly ancestor: boolean;
  /** The commits after the approved one; null when GitHub listed them only in part. */
  readonly commits: readonly PushedCommitFact[] | null;
}
