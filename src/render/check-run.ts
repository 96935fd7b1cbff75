/**
 * What the "Hotfix Guard" check run says: the verdict in a few words, a row per rule with what
 * was found and what was expected, how to fix each problem, why the pull request was checked and
 * which configuration applied. Pure: findings and facts in, check-run output out.
 */
import type { ConfigProblem } from "../config/load.js";
import type { ConfigSource, PermissionGap } from "../config/policy.js";
import type { CheckRunOutput } from "../model/check-run.js";
import type { Evaluation } from "../rules/index.js";
import type { Finding, FindingStatus } from "../rules/types.js";
import { fitCheckRun } from "./limits.js";
import { codeSpan, safeText, tableCell } from "./markdown.js";

/** The name of the pull request check; teams make it a required check. */
export const CHECK_NAME = "Hotfix Guard";
/** The name of the check a mis-named hotfix branch gets when it is created. */
export const BRANCH_CHECK_NAME = "Hotfix Guard: branch name";

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

/** "Pull requests write" as GitHub's settings page names a permission level. */
function permissionName(gap: PermissionGap): string {
  return `${gap.permission} ${gap.level}`;
}

/** The sentence that names the configured features the installation's permissions switch off, or "". */
function configuredGapsText(source: ConfigSource): string {
  const configured = (source.missingPermissions ?? []).filter((gap) => gap.setting !== null);
  if (configured.length === 0) return "";
  const items = configured.map((gap) => `\`${safeText(gap.setting ?? "")}\` (${safeText(gap.feature)}) is off: the installation lacks ${permissionName(gap)}`);
  return ` ⚠️ ${items.join("; ")}. See docs/deploy.md for granting it.`;
}

/** " Organisation floor: `file`." when a floor applies, else "". */
function floorText(source: ConfigSource): string {
  return source.floorFile ? ` Organisation floor: ${codeSpan(source.floorFile)}.` : "";
}

/** "Configuration: …" — which files applied, or that the defaults did, the organisation floor's file, and what a missing permission switches off. */
export function describeSource(source: ConfigSource): string {
  if (source.kind === "defaults") {
    return `Configuration: the defaults (no \`.github/hotfix-guard.yml\` in this repository or in the organisation's \`.github\` repository).${floorText(source)}${configuredGapsText(source)}`;
  }
  const [own, ...bases] = source.files.map((file) => codeSpan(file));
  return `Configuration: ${own}${bases.length > 0 ? `, extending ${bases.join(", then ")}` : ""}, over the defaults.${floorText(source)}${configuredGapsText(source)}`;
}

/** Configuration problems as table rows: file, key, what was expected, what was found. */
function problemRows(problems: readonly ConfigProblem[]): string[] {
  return problems.map((p) => `| ${tableCell(codeSpan(p.file))} | ${tableCell(codeSpan(p.path))} | ${tableCell(p.expected)} | ${tableCell(p.found)} |`);
}

/** The rows where a file loosened the organisation floor (the floor applied instead); "" when none did. */
export function floorProblemsTable(source: ConfigSource): string {
  const problems = source.floorProblems ?? [];
  if (problems.length === 0) return "";
  return [
    `### ${ICONS.warn} Organisation floor`,
    "A configuration file tried to loosen the organisation floor; the floor applies instead. Tighten the file to at least the floor (or ask the organisation to lower it).",
    ["| File | Key | Expected | Found |", "|---|---|---|---|", ...problemRows(problems)].join("\n"),
  ].join("\n\n");
}

/**
 * The table of features the installation's permissions switch off: one warning row each, with
 * the setting that asks for it and the permission it needs; "" when nothing is off.
 */
export function permissionGapsTable(gaps: readonly PermissionGap[]): string {
  if (gaps.length === 0) return "";
  const rows = gaps.map(
    (gap) => `| ${ICONS.warn} | ${tableCell(gap.feature)} | ${gap.setting ? `\`${tableCell(gap.setting)}\`` : "always on"} | ${tableCell(permissionName(gap))} (granted: ${tableCell(gap.granted)}) |`,
  );
  return [
    "### Off for want of a permission",
    "| | Feature | Setting | Needs |",
    "|---|---|---|---|",
    ...rows,
    "An organisation owner grants a permission in the app's settings, and each installation accepts it; docs/deploy.md says what each permission is for and the trade-off.",
  ].join("\n");
}

/** The check run of a valid configuration pushed to the default branch: which files applied, and what is off for want of a permission. */
export function renderValidConfigCheck(source: ConfigSource, name: string): CheckRunOutput {
  const gaps = source.missingPermissions ?? [];
  const summary = [`Hotfix Guard read the hotfix policy and found it valid. ${describeSource(source)}`, floorProblemsTable(source), permissionGapsTable(gaps)].filter(Boolean).join("\n\n");
  const title = gaps.length > 0 ? `Configuration valid; ${gaps.length} feature${gaps.length === 1 ? "" : "s"} off for want of a permission` : "Configuration valid";
  return fitCheckRun({ name, conclusion: "success", title, summary });
}

/** The title, followed by where an emergency bypass stands when one was asked for ("… · Bypass requested"). */
function titleOf(evaluation: Evaluation): string {
  const bypass = evaluation.findings.find((finding) => finding.rule === "bypass-grant");
  return bypass ? `${verdictTitle(evaluation)} · ${bypass.title}` : verdictTitle(evaluation);
}

function verdictTitle(evaluation: Evaluation): string {
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
    reason.prefix ? `its branch looks like a hotfix branch (${codeSpan(reason.prefix)})` : "",
    reason.label ? `it carries the ${codeSpan(reason.label)} label` : "",
  ].filter(Boolean);
  return `Checked as a hotfix because ${why.join(" and ")}.`;
}

function heading(pr: CheckedPullRequest): string {
  return `**Hotfix #${pr.number}**: ${codeSpan(pr.headRef)} → ${codeSpan(pr.baseRef)}, head commit \`${pr.headSha.slice(0, 7)}\``;
}

/** The check run of an evaluated hotfix pull request. */
export function renderHotfixCheck(pr: CheckedPullRequest, evaluation: Evaluation, reason: HotfixReason, source: ConfigSource): CheckRunOutput {
  const summary = [
    heading(pr),
    findingsTable(evaluation.findings),
    remedies(evaluation.findings),
    floorProblemsTable(source),
    `${reasonText(reason)} ${describeSource(source)} Warnings (⚠️) do not block the merge; failures (❌) do.`,
  ]
    .filter(Boolean)
    .join("\n\n");
  return fitCheckRun({ name: CHECK_NAME, conclusion: evaluation.conclusion, title: titleOf(evaluation), summary });
}

/** The success check of a pull request into the production branch that is not a hotfix. */
export function renderNotHotfixCheck(pr: CheckedPullRequest, prefix: string, label: string, source: ConfigSource): CheckRunOutput {
  const summary = [
    `This pull request into ${codeSpan(pr.baseRef)} is not a hotfix: its branch ${codeSpan(pr.headRef)} does not start with ${codeSpan(prefix)} and it has no ${codeSpan(label)} label, so the hotfix rules do not apply.`,
    "Hotfix Guard reports success here so that it can be a required check without blocking regular releases.",
    describeSource(source),
    floorProblemsTable(source),
  ]
    .filter(Boolean)
    .join("\n\n");
  return fitCheckRun({ name: CHECK_NAME, conclusion: "success", title: "Not a hotfix", summary });
}

/** The failing check run of a repository whose configuration is invalid. */
export function renderInvalidConfigCheck(problems: readonly ConfigProblem[], files: readonly string[], name = CHECK_NAME): CheckRunOutput {
  const rows = problemRows(problems);
  const summary = [
    `Hotfix Guard cannot apply the hotfix policy because its configuration is invalid (${problems.length} problem${problems.length === 1 ? "" : "s"}). Until it is fixed, this check fails on pull requests into the production branch.`,
    ["| File | Key | Expected | Found |", "|---|---|---|---|", ...rows].join("\n"),
    `### How to fix\n\nCorrect ${files.length > 0 ? files.map((f) => codeSpan(f)).join(" and ") : "the configuration file"} on the default branch (the configuration is never read from a pull request's branch, so a pull request cannot weaken its own rules). Then push to this pull request, or re-run this check, to evaluate it again.`,
  ].join("\n\n");
  return fitCheckRun({ name, conclusion: "failure", title: "Hotfix Guard: invalid configuration", summary });
}

/** The failing check run of a newly created, mis-named hotfix branch. */
export function renderBranchCheck(branch: string, finding: Finding): CheckRunOutput {
  const summary = [
    `The branch ${codeSpan(branch)} looks like a hotfix branch but its name does not follow the policy. This check is about the branch name, not about this commit.`,
    findingsTable([finding]),
    remedies([finding]),
  ]
    .filter(Boolean)
    .join("\n\n");
  return fitCheckRun({ name: BRANCH_CHECK_NAME, conclusion: "failure", title: `Mis-named hotfix branch: ${branch.slice(0, 80)}`, summary });
}
