/**
 * What the "Hotfix Guard" check run says: the verdict in a few words, a row per rule with what
 * was found and what was expected, how to fix each problem, why the pull request was checked and
 * which configuration applied. Pure: findings and facts in, check-run output out.
 */
import type { ConfigProblem } from "../config/load.js";
import type { ConfigSource } from "../config/policy.js";
import type { CheckRunOutput } from "../model/check-run.js";
import type { Evaluation } from "../rules/index.js";
import type { Finding, FindingStatus } from "../rules/types.js";
import { safeText, tableCell, truncateMarkdown } from "./markdown.js";

/** The name of the pull request check; teams make it a required check. */
export const CHECK_NAME = "Hotfix Guard";
/** The name of the check a mis-named hotfix branch gets when it is created. */
export const BRANCH_CHECK_NAME = "Hotfix Guard: branch name";
/** GitHub's limit for a check run summary, less room for the fingerprint marker. */
const SUMMARY_LIMIT = 65_000;

const ICONS: Record<FindingStatus, string> = { pass: "✅", fail: "❌", warn: "⚠️", skip: "➖" };

/** Why a pull request is treated as a hotfix, for the summary. */
export interface HotfixReason {
  readonly prefix?: string;
  readonly label?: string;
}

/** The pull request facts the summary names. */
export interface CheckedPullRequest {
  readonly number: number;
  readonly headRef: string;
  readonly baseRef: string;
  readonly headSha: string;
}

/** "Configuration: …" — which files applied, or that the defaults did. */
export function describeSource(source: ConfigSource): string {
  if (source.kind === "defaults") {
    return "Configuration: the defaults (no `.github/hotfix-guard.yml` in this repository or in the organisation's `.github` repository).";
  }
  const [own, ...bases] = source.files.map((file) => `\`${safeText(file)}\``);
  return `Configuration: ${own}${bases.length > 0 ? `, extending ${bases.join(", then ")}` : ""}, over the defaults.`;
}

function titleOf(evaluation: Evaluation): string {
  const { failures, warnings } = evaluation;
  if (failures.length > 0) {
    const unique = [...new Set(failures.map((f) => f.title))];
    return `${failures.length} problem${failures.length === 1 ? "" : "s"}: ${unique.join(", ")}`;
  }
  if (warnings.length > 0) return `Hotfix policy met, ${warnings.length} warning${warnings.length === 1 ? "" : "s"}`;
  return "Hotfix policy met";
}

/** The table of rows every hotfix check run shows: status icon, rule, what was found, what is expected. */
export function findingsTable(findings: readonly Finding[]): string {
  const rows = findings.map((f) => `| ${ICONS[f.status]} | ${tableCell(f.title)} | ${tableCell(f.actual)} | ${tableCell(f.expected)} |`);
  return ["| | Rule | Found | Expected |", "|---|---|---|---|", ...rows].join("\n");
}

/** The "How to fix" list of a check run: the remedy of every failing or warning row. */
export function remedies(findings: readonly Finding[]): string {
  const items = findings
    .filter((f) => (f.status === "fail" || f.status === "warn") && f.remedy)
    .map((f) => `- ${ICONS[f.status]} **${safeText(f.title)}**: ${safeText(f.remedy ?? "").split("\n").join("\n  ")}`);
  return items.length > 0 ? `### How to fix\n\n${items.join("\n")}` : "";
}

function reasonText(reason: HotfixReason): string {
  const why = [
    reason.prefix ? `its branch looks like a hotfix branch (\`${safeText(reason.prefix)}\`)` : "",
    reason.label ? `it carries the \`${safeText(reason.label)}\` label` : "",
  ].filter(Boolean);
  return `Checked as a hotfix because ${why.join(" and ")}.`;
}

function heading(pr: CheckedPullRequest): string {
  return `**Hotfix #${pr.number}**: \`${safeText(pr.headRef)}\` → \`${safeText(pr.baseRef)}\`, head commit \`${pr.headSha.slice(0, 7)}\``;
}

/** The check run of an evaluated hotfix pull request. */
export function renderHotfixCheck(pr: CheckedPullRequest, evaluation: Evaluation, reason: HotfixReason, source: ConfigSource): CheckRunOutput {
  const summary = [
    heading(pr),
    findingsTable(evaluation.findings),
    remedies(evaluation.findings),
    `${reasonText(reason)} ${describeSource(source)} Warnings (⚠️) do not block the merge; failures (❌) do.`,
  ]
    .filter(Boolean)
    .join("\n\n");
  return { name: CHECK_NAME, conclusion: evaluation.conclusion, title: titleOf(evaluation), summary: truncateMarkdown(summary, SUMMARY_LIMIT) };
}

/** The success check of a pull request into the production branch that is not a hotfix. */
export function renderNotHotfixCheck(pr: CheckedPullRequest, prefix: string, label: string, source: ConfigSource): CheckRunOutput {
  const summary = [
    `This pull request into \`${safeText(pr.baseRef)}\` is not a hotfix: its branch \`${safeText(pr.headRef)}\` does not start with \`${safeText(prefix)}\` and it has no \`${safeText(label)}\` label, so the hotfix rules do not apply.`,
    "Hotfix Guard reports success here so that it can be a required check without blocking regular releases.",
    describeSource(source),
  ].join("\n\n");
  return { name: CHECK_NAME, conclusion: "success", title: "Not a hotfix", summary };
}

/** The failing check run of a repository whose configuration is invalid. */
export function renderInvalidConfigCheck(problems: readonly ConfigProblem[], files: readonly string[], name = CHECK_NAME): CheckRunOutput {
  const rows = problems.map((p) => `| \`${tableCell(p.file)}\` | \`${tableCell(p.path)}\` | ${tableCell(p.expected)} | ${tableCell(p.found)} |`);
  const summary = [
    `Hotfix Guard cannot apply the hotfix policy because its configuration is invalid (${problems.length} problem${problems.length === 1 ? "" : "s"}). Until it is fixed, this check fails on pull requests into the production branch.`,
    ["| File | Key | Expected | Found |", "|---|---|---|---|", ...rows].join("\n"),
    `### How to fix\n\nCorrect ${files.length > 0 ? files.map((f) => `\`${safeText(f)}\``).join(" and ") : "the configuration file"} on the default branch (the configuration is never read from a pull request's branch, so a pull request cannot weaken its own rules). Then push to this pull request, or re-run this check, to evaluate it again.`,
  ].join("\n\n");
  return { name, conclusion: "failure", title: "Hotfix Guard: invalid configuration", summary: truncateMarkdown(summary, SUMMARY_LIMIT) };
}

/** The failing check run of a newly created, mis-named hotfix branch. */
export function renderBranchCheck(branch: string, finding: Finding): CheckRunOutput {
  const summary = [
    `The branch \`${safeText(branch)}\` looks like a hotfix branch but its name does not follow the policy. This check is about the branch name, not about this commit.`,
    findingsTable([finding]),
    remedies([finding]),
  ]
    .filter(Boolean)
    .join("\n\n");
  return { name: BRANCH_CHECK_NAME, conclusion: "failure", title: `Mis-named hotfix branch: ${branch.slice(0, 80)}`, summary: truncateMarkdown(summary, SUMMARY_LIMIT) };
}
