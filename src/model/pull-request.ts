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
}
