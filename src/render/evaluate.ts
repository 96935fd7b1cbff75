/**
 * What evaluate mode shows instead of what enforce mode does. Every rule runs as in enforce mode;
 * the check runs conclude `neutral` and say what enforce mode would have concluded, and what the
 * app would have written (the audit comment, the audit issue, the direct-push issue) appears in
 * a neutral check run instead. Pure: the enforce-mode renderings in, check-run output out.
 */
import type { Policy } from "../config/policy.js";
import type { CheckRunOutput } from "../model/check-run.js";
import { labelChanges, type MergeAudit } from "../rules/merge-audit.js";
import type { MergedPullRequest } from "../model/merge.js";
import { renderAuditComment, renderDirectPushIssue, type DirectPush } from "./audit.js";
import { fitCheckRun } from "./limits.js";

/** The check run on the merge commit that carries the would-be merge audit in evaluate mode. */
export const AUDIT_CHECK_NAME = "Hotfix Guard: merge audit";
/** The check run on a directly pushed commit that carries the would-be direct-push issue in evaluate mode. */
export const DIRECT_PUSH_CHECK_NAME = "Hotfix Guard: direct push";

const EVALUATE_NOTE =
  "**Evaluate mode** (`mode: evaluate`): Hotfix Guard runs every rule and shows what it would do, but blocks nothing and opens no issue, posts no comment and sets no label. Switch to `mode: enforce` in `.github/hotfix-guard.yml` when the team is ready.";

const CONCLUSION_WORDS: Record<CheckRunOutput["conclusion"], string> = { success: "pass", failure: "fail", neutral: "be neutral" };

/**
 * A check run as evaluate mode shows it: concluding `neutral`, its title saying what enforce mode
 * would conclude, its summary opening with the evaluate-mode note.
 */
export function evaluateModeCheck(output: CheckRunOutput): CheckRunOutput {
  const would = `Evaluate mode: enforce would ${CONCLUSION_WORDS[output.conclusion]}`;
  return fitCheckRun({
    ...output,
    conclusion: "neutral",
    title: `${would}: ${output.title}`,
    summary: `${EVALUATE_NOTE} In enforce mode this check would conclude **${output.conclusion}**.\n\n${output.summary}`,
  });
}

function auditVerdictText(audit: MergeAudit): string {
  if (audit.verdict === "compliant") return "compliant";
  if (audit.verdict === "unverified") return "not fully verified";
  return audit.justified ? "bypass, justified" : "bypass, not justified";
}

/** What enforce mode would have written for this audit, as list items. */
function wouldWrite(audit: MergeAudit, labels: readonly string[], policy: Policy): string[] {
  const { add } = labelChanges(audit, labels, policy, audit.ruleSuitePending);
  return [
    "- post the audit comment below on the pull request;",
    ...(audit.needsAuditIssue ? ["- open an audit issue for the unjustified bypass, assigned to `audit.notify`;"] : []),
    "- open the post-incident review issue;",
    ...(add.length > 0 ? [`- label the pull request ${add.map((label) => `\`${label.replace(/`/g, "'")}\``).join(", ")}.`] : []),
  ];
}

/** The neutral check run on the merge commit that shows, in evaluate mode, the audit enforce mode would have posted. */
export function renderEvaluatedAuditCheck(repo: string, pr: MergedPullRequest, audit: MergeAudit, policy: Policy): CheckRunOutput {
  const comment = renderAuditComment({ repo, pr, audit, policy, auditIssue: { status: "not-needed" }, followUp: { status: "not-needed" }, labelProblems: [] });
  const summary = [EVALUATE_NOTE, `In enforce mode Hotfix Guard would:\n${wouldWrite(audit, pr.labels, policy).join("\n")}`, "---", comment].join("\n\n");
  return fitCheckRun({ name: AUDIT_CHECK_NAME, conclusion: "neutral", title: `Evaluate mode: merge audit ${auditVerdictText(audit)}${audit.needsAuditIssue ? "; enforce would open an audit issue" : ""}`, summary });
}

/** The neutral check run on a directly pushed commit that shows, in evaluate mode, the audit issue enforce mode would have opened. */
export function renderEvaluatedDirectPushCheck(push: DirectPush, policy: Policy): CheckRunOutput {
  const issue = renderDirectPushIssue(push, policy);
  const summary = [EVALUATE_NOTE, "In enforce mode Hotfix Guard would open this audit issue:", "---", `## ${issue.title}`, issue.body].join("\n\n");
  return fitCheckRun({ name: DIRECT_PUSH_CHECK_NAME, conclusion: "neutral", title: `Evaluate mode: enforce would open an issue: ${issue.title}`, summary });
}
