/**
 * The facts of the target branches that the GitHub door reads and merge-back tracking judges.
 * The shared model, so neither side imports the other.
 */

/** A pull request merged into some branch, as far as the evidence rule reads it. */
export interface MergedPullRequest {
  readonly number: number;
  readonly base: string;
  readonly headRef: string;
  readonly title: string;
  readonly body: string;
}

/** A commit of a target branch. */
export interface TargetCommit {
  readonly sha: string;
  readonly message: string;
}

/** What the compare API says of `base...head`: `behind` and `identical` mean head is in base. */
export type CompareStatus = "ahead" | "behind" | "identical" | "diverged";
