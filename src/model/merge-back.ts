/**
 * The facts of the target branches that the GitHub door reads and merge-back tracking judges,
 * and the reminder's state (the merged hotfix and each target's row) that the codec saves in the
 * reminder issue. The shared model, so neither the door nor the codec imports the rules.
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

/** A changed file and its unified-diff patch (null where GitHub gives none: binary or too large). */
export interface FileChange {
  readonly filename: string;
  /** The name before a rename, when GitHub reports one. */
  readonly previousFilename?: string | null;
  readonly patch: string | null;
}

/** The changed files of one side, and whether GitHub listed them all. */
export interface ChangeSet {
  readonly files: readonly FileChange[];
  /** False when GitHub may have cut the list (it lists at most 300 files of a comparison). */
  readonly complete: boolean;
}

/** What the compare API says of `base...head`: `behind` and `identical` mean head is in base. */
export type CompareStatus = "ahead" | "behind" | "identical" | "diverged";

/** The merged pull request's own fields, as the `pull_request.closed` event delivers them. */
export interface MergedHotfix {
  readonly number: number;
  readonly title: string;
  readonly author: string;
  readonly headRef: string;
  readonly headSha: string;
  /** False when the head branch lives in a fork: the app can neither use it as a head nor delete it. */
  readonly headInRepository: boolean;
  /** The merge commit GitHub created (for a squash, the squash commit; for a rebase, the last rebased commit). */
  readonly mergeSha: string;
  readonly mergedAt: string;
}

/** How the hotfix reached the production branch. */
export type MergeMethod = "merge" | "squash-or-rebase";

/** What the app knows about a merged hotfix; recorded in its reminder. */
export interface HotfixFacts extends MergedHotfix {
  readonly method: MergeMethod;
  /** The hotfix pull request's own commits (merges excluded): cherry-pick trailers name these. */
  readonly commits: readonly string[];
  /** The earliest commit date of the hotfix: no back-merge or cherry-pick can be older. */
  readonly since: string;
}

/** How the fix was found in a target. */
export type Evidence =
  | { readonly via: "ancestry"; readonly sha: string }
  | { readonly via: "pull-request"; readonly number: number }
  | { readonly via: "cherry-pick"; readonly shas: readonly string[] }
  /** A copy of the same change (squashed, rebased, several hotfixes in one commit): every line it removes and adds, in this many files. */
  | { readonly via: "same-change"; readonly files: number };

/** A back-merge pull request the app opened (or found) for a target. */
export interface BackMerge {
  readonly number: number;
  readonly head: string;
  readonly state: "open" | "closed" | "merged";
  /** GitHub's verdict on a clean merge; null while GitHub is still computing it. */
  readonly mergeable: boolean | null;
  /** When it cannot merge cleanly: the files both sides changed (the first few, and how many), or null when GitHub could not list them all. */
  readonly conflicts?: { readonly files: readonly string[]; readonly total: number } | null;
}

/**
 * One target branch of a reminder: done (with how the fix was found), missing, absent (a
 * configured branch that does not exist), released (a release branch merged into production
 * after the reminder opened, which needs the fix no more), or skipped by an authoriser.
 */
export type Row =
  | { readonly target: string; readonly status: "done"; readonly evidence: Evidence; readonly backMerge?: BackMerge }
  | { readonly target: string; readonly status: "missing"; readonly backMerge?: BackMerge; readonly backMergeError?: string }
  | { readonly target: string; readonly status: "absent" }
  | { readonly target: string; readonly status: "released" }
  | { readonly target: string; readonly status: "skipped"; readonly skip: Skip };

/** A target an authoriser marked as not needing the hotfix (`/hotfix skip-merge-back`): done by skip, never "present". */
export interface Skip {
  /** Who skipped it (an authoriser, checked when the command was given). */
  readonly by: string;
  readonly reason: string;
  readonly at: string;
}

/** Everything a reminder issue records: the issue is the durable record. */
export interface ReminderState {
  readonly version: 1;
  /** `owner/name` of the repository. */
  readonly repository: string;
  /** The production branch the hotfix was merged into. */
  readonly production: string;
  readonly hotfix: HotfixFacts;
  readonly rows: readonly Row[];
  /** When the escalation comment was posted; null until then. */
  readonly escalatedAt: string | null;
}
