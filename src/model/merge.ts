/**
 * The facts of a merge that the GitHub door reads and the merge audit judges: the merged pull
 * request, what the production branch's protection required, the checks, comments and review
 * requests, and the recorded protection changes. The shared model, so neither side imports the other.
 */
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
}
