/**
 * Which pull requests are hotfixes. Only pull requests into the production branch are checked:
 * one from a hotfix branch into develop or a release branch is a back-merge, not a new hotfix.
 * Into production, a branch that looks like a hotfix branch (even mis-spelt, so that a slip never
 * turns the rules off) or the hotfix label makes a hotfix; anything else is a regular release.
 */
import type { Policy } from "../config/policy.js";
import { looksLikeHotfixBranch } from "./branch-name.js";

/** The pull request fields classification reads. */
export interface ClassifiedPullRequest {
  readonly baseRef: string;
  readonly headRef: string;
  readonly labels: readonly string[];
}

/** How the policy sees a pull request. */
export type Classification =
  | { readonly kind: "not-into-production" }
  | { readonly kind: "not-hotfix" }
  | { readonly kind: "hotfix"; readonly byBranch: boolean; readonly byLabel: boolean };

/** Classifies a pull request under the policy. Pure. */
export function classifyPullRequest(pr: ClassifiedPullRequest, policy: Policy): Classification {
  const { branches, hotfix } = policy.config;
  if (pr.baseRef !== branches.production) return { kind: "not-into-production" };
  const byBranch = looksLikeHotfixBranch(pr.headRef, policy);
  const byLabel = pr.labels.some((label) => label.toLowerCase() === hotfix.label.toLowerCase());
  return byBranch || byLabel ? { kind: "hotfix", byBranch, byLabel } : { kind: "not-hotfix" };
}
