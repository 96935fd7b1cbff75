/**
 * The merge-method requirement (seed 004: "Merge to kars-prod, Squash & Merge"), as pure
 * functions. GitHub keeps no record of which button merged a pull request: neither the REST pull
 * request nor its webhook has a merge-method field. The method is inferred from the merge commit:
 *
 * - two or more parents: a merge commit;
 * - one parent and a one-commit pull request: squash or rebase, which give the same history (one
 *   new commit on the production branch), so either satisfies `squash` or `rebase`;
 * - one parent and several commits: a rebase replays every commit, so the merge commit's parent is
 *   itself a replayed commit of the pull request (GitHub lists the pull request for it); after a
 *   squash the parent is the production branch's previous tip, which belongs to no such list.
 *
 * Limits: a pull request whose commits GitHub cannot list in full (over 250) or whose merge commit
 * could not be read is `unknown`, never guessed; a fast-forward push outside GitHub's merge button
 * looks like a rebase.
 */
import type { Policy } from "../config/policy.js";
import type { Requirement } from "../model/merge.js";

/** How the merge happened, as far as GitHub's facts tell. */
export type ObservedMerge = "merge" | "squash" | "rebase" | "squash-or-rebase" | "unknown";

/** The facts the inference reads; null where a read failed or was not made. */
export interface MergeShape {
  /** The merge commit's parent count. */
  readonly parents: number | null;
  /** The pull request's commit count. */
  readonly commits: number | null;
  /** Whether the merge commit's first parent is associated with this pull request (read only for one parent and several commits). */
  readonly parentInPullRequest: boolean | null;
}

/** Infers the merge method from the merge commit's shape. Pure. */
export function observedMerge(shape: MergeShape): ObservedMerge {
  if (shape.parents === null) return "unknown";
  if (shape.parents >= 2) return "merge";
  if (shape.commits === 1) return "squash-or-rebase";
  if (shape.commits === null || shape.parentInPullRequest === null) return "unknown";
  return shape.parentInPullRequest ? "rebase" : "squash";
}

const METHOD_NAMES = { merge: "Create a merge commit", squash: "Squash and merge", rebase: "Rebase and merge" } as const;

function presentText(observed: ObservedMerge, shape: MergeShape): string {
  switch (observed) {
    case "merge":
      return `a merge commit (${shape.parents} parents)`;
    case "squash":
      return `squashed: one commit for the pull request's ${shape.commits} commits`;
    case "rebase":
      return `rebased: the pull request's ${shape.commits} commits replayed onto the branch`;
    case "squash-or-rebase":
      return "one new commit for a one-commit pull request (squash and rebase give the same history)";
    case "unknown":
      return "not known: the merge commit or the pull request's commits could not be read";
  }
}

/**
 * The requirement row for `merge_method`, or none when it is not configured. A merge made with
 * another method is unmet, so the audit records it as a deviation.
 */
export function mergeMethodRequirements(shape: MergeShape | undefined, policy: Policy): Requirement[] {
  const wanted = policy.config.merge_method;
  if (wanted === null || shape === undefined) return [];
  const observed = observedMerge(shape);
  const met = observed === wanted || (observed === "squash-or-rebase" && wanted !== "merge");
  return [
    {
      source: "policy",
      title: "Merge method",
      required: `"${METHOD_NAMES[wanted]}" (\`merge_method: ${wanted}\`)`,
      present: presentText(observed, shape),
      status: observed === "unknown" ? "unknown" : met ? "met" : "unmet",
    },
  ];
}
