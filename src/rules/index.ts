/**
 * All pre-merge rules, in the order their rows appear in the check run, and the verdict they
 * add up to. A failing row blocks; warnings alone do not.
 */
import type { Policy } from "../config/policy.js";
import type { Finding, PullRequestSnapshot, Rule } from "./types.js";
import { branchNameRule } from "./branch-name.js";
import { templateRule } from "./template.js";
import { scopeRule } from "./scope.js";
import { testsIncludedRule } from "./tests-included.js";
import { commitMessagesRule } from "./commit-messages.js";
import { approvalsRule } from "./approvals.js";
import { bypassRule } from "./bypass-grant.js";
import { justificationPreviewRule } from "./justification-preview.js";

/** The pre-merge rules, in check-run order. */
export const PRE_MERGE_RULES: readonly Rule[] = [branchNameRule, templateRule, scopeRule, testsIncludedRule, commitMessagesRule, approvalsRule, bypassRule, justificationPreviewRule];

/** The outcome of evaluating a hotfix pull request. */
export interface Evaluation {
  readonly findings: readonly Finding[];
  readonly conclusion: "success" | "failure";
  readonly failures: readonly Finding[];
  readonly warnings: readonly Finding[];
}

/** Adds findings up to a verdict. */
export function verdictOf(findings: readonly Finding[]): Evaluation {
  const failures = findings.filter((finding) => finding.status === "fail");
  const warnings = findings.filter((finding) => finding.status === "warn");
  return { findings, failures, warnings, conclusion: failures.length > 0 ? "failure" : "success" };
}

/** Runs every pre-merge rule on a snapshot. Pure. */
export function evaluateHotfix(snapshot: PullRequestSnapshot, policy: Policy, now: Date): Evaluation {
  return verdictOf(PRE_MERGE_RULES.flatMap((rule) => rule(snapshot, policy, now)));
}
