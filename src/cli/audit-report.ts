/**
 * The report of `hotfix-guard audit`: for each hotfix merged in the period, the merge audit's
 * verdict (and what was bypassed), the justification's verdict, where the fix stands in each
 * merge-back target and the post-incident review issue. Built from the app's own results
 * (`MergeAudit`, merge-back rows, the follow-up issue) and rendered as a plain-text table, as
 * Markdown (user text quoted as the audit comment quotes it: no mention or reference can fire)
 * or as JSON. Pure.
 */
import type { Policy } from "../config/policy.js";
import type { IssueFact } from "../github/audit-gateway.js";
import { ownIssue } from "../github/audit-publish.js";
import { echo } from "../render/audit.js";
import { tableCell } from "../render/markdown.js";
import { postIncidentMarker } from "../render/post-incident.js";
import type { MergeAudit, MergedPullRequest } from "../rules/merge-audit.js";
import type { Requirement } from "../model/merge.js";
import { postIncidentDue } from "../rules/post-incident.js";
import type { Evidence, HotfixFacts, Row } from "../model/merge-back.js";
import { textTable } from "./output.js";

/** A requirement of the merge, as the report lists it. */
export interface RequirementSummary {
  readonly title: string;
  readonly required: string;
  readonly present: string;
}

/** The justification's verdict: not needed (compliant), none found, valid, or what is wrong with it. */
export type JustificationSummary =
  | { readonly status: "not-needed" }
  | { readonly status: "none" }
  | { readonly status: "valid"; readonly authoriser: string | null }
  | { readonly status: "invalid" | "not-verified"; readonly reasons: readonly string[] };

/** One merge-back target and whether it has the fix. */
export interface TargetSummary {
  readonly target: string;
  readonly status: Row["status"];
  /** How the fix was found, for a target that has it. */
  readonly via?: string;
}

/** The merge-back targets, or why they could not be checked. */
export type MergeBackSummary = { readonly status: "checked"; readonly targets: readonly TargetSummary[] } | { readonly status: "unknown"; readonly reason: string };

/** The app's post-incident review issue for the hotfix. */
export type PostIncidentSummary =
  | { readonly status: "none" }
  | { readonly status: "open"; readonly issue: number; readonly due: string; readonly overdue: boolean }
  | { readonly status: "closed"; readonly issue: number };

/** One audited hotfix. */
export interface AuditedHotfix {
  readonly number: number;
  readonly title: string;
  readonly url: string;
  readonly mergedAt: string;
  readonly mergedBy: string | null;
  readonly verdict: MergeAudit["verdict"];
  /** What was not met at the merge: what a bypass bypassed. */
  readonly unmet: readonly RequirementSummary[];
  /** What could not be verified. */
  readonly unverified: readonly RequirementSummary[];
  readonly justification: JustificationSummary;
  readonly mergeBack: MergeBackSummary;
  readonly postIncident: PostIncidentSummary;
  /** `app-record`: the requirements come from the app's own audit record; `now`: judged from today's facts. */
  readonly judgedFrom: "app-record" | "now";
}

/** A hotfix the audit could not finish, and why. */
export interface UnauditedHotfix {
  readonly number: number;
  readonly title: string;
  readonly url: string;
  readonly mergedAt: string;
  readonly error: string;
}

/** The whole report. */
export interface AuditReport {
  /** `owner/name`. */
  readonly repository: string;
  readonly production: string;
  readonly since: string;
  readonly until: string;
  /** The configuration files that applied, repository file first; empty when the defaults did. */
  readonly configuration: readonly string[];
  /** Newest merge first. */
  readonly hotfixes: readonly AuditedHotfix[];
  readonly failures: readonly UnauditedHotfix[];
  /** Pull requests merged into the production branch in the period that are not hotfixes. */
  readonly otherMerged: number;
}

// ── From the app's results ─────────────────────────────────────────────────────────────────────

function requirementSummary(requirement: Requirement): RequirementSummary {
  return { title: requirement.title, required: requirement.required, present: requirement.present };
}

/** The requirements a report lists for an audit: unmet and unverified. */
export function requirementSummaries(audit: MergeAudit): Pick<AuditedHotfix, "unmet" | "unverified"> {
  return {
    unmet: audit.unmet.map(requirementSummary),
    unverified: audit.requirements.filter((requirement) => requirement.status === "unknown").map(requirementSummary),
  };
}

/** The justification's verdict as the report states it. */
export function justificationSummary(audit: MergeAudit): JustificationSummary {
  if (audit.verdict === "compliant") return { status: "not-needed" };
  const justification = audit.justification;
  if (!justification) return { status: "none" };
  const { verdict } = justification;
  if (verdict.valid) return { status: "valid", authoriser: verdict.authoriser };
  const problems = verdict.checks.filter((check) => check.status !== "valid");
  return {
    status: problems.some((check) => check.status === "invalid") ? "invalid" : "not-verified",
    reasons: problems.map((check) => `${check.aspect}: ${check.detail}`),
  };
}

function short(sha: string): string {
  return sha.slice(0, 7);
}

function evidenceText(evidence: Evidence, hotfix: HotfixFacts): string {
  switch (evidence.via) {
    case "ancestry":
      return evidence.sha === hotfix.mergeSha && hotfix.mergeSha !== hotfix.headSha ? `merge commit ${short(evidence.sha)} in its history` : `head commit ${short(evidence.sha)} in its history`;
    case "pull-request":
      return `pull request #${evidence.number}`;
    case "cherry-pick":
      return `cherry-picked (${evidence.shas.map(short).join(", ")})`;
    case "same-change":
      return "same change (squashed or rebased copy)";
  }
}

/** The merge-back rows of a hotfix as the report lists them. */
export function mergeBackSummary(hotfix: HotfixFacts, rows: readonly Row[]): MergeBackSummary {
  return {
    status: "checked",
    targets: rows.map((row) =>
      row.status === "done"
        ? { target: row.target, status: row.status, via: evidenceText(row.evidence, hotfix) }
        : row.status === "skipped"
          ? { target: row.target, status: row.status, via: `by @${row.skip.by}: ${row.skip.reason}` }
          : { target: row.target, status: row.status },
    ),
  };
}

/**
 * The assessed rows with the targets an authoriser skipped (`/hotfix skip-merge-back`, as the
 * app's reminder records them): a target still lacking the fix, or no longer assessed (a release
 * since finished), shows who skipped it and why; a target that has the fix stays done.
 */
export function withSkips(rows: readonly Row[], recorded: readonly Row[]): Row[] {
  const skips = new Map(recorded.filter((row) => row.status === "skipped").map((row) => [row.target, row]));
  const assessed = rows.map((row) => (row.status === "done" ? row : (skips.get(row.target) ?? row)));
  return [...assessed, ...[...skips.values()].filter((skip) => !rows.some((row) => row.target === skip.target))];
}

/**
 * The post-incident review issue the app opened for the hotfix, found among the issues with the
 * post-incident label by its hidden marker; only an issue the app itself opened counts.
 */
export function postIncidentSummary(issues: readonly IssueFact[], ownLogin: string, pr: MergedPullRequest, policy: Policy, now: Date): PostIncidentSummary {
  const issue = ownIssue(issues, ownLogin, postIncidentMarker(pr.number));
  if (!issue) return { status: "none" };
  if (issue.state === "closed") return { status: "closed", issue: issue.number };
  const due = postIncidentDue(pr, policy).at;
  return { status: "open", issue: issue.number, due: due.toISOString(), overdue: due.getTime() < now.getTime() };
}

// ── Text ───────────────────────────────────────────────────────────────────────────────────────

/** An ISO time as `2026-11-23 14:50 UTC`. */
export function minute(iso: string): string {
  const time = Date.parse(iso);
  return Number.isNaN(time) ? iso : `${new Date(time).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

function plural(count: number, noun: string, nouns = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : nouns}`;
}

function verdictText(hotfix: AuditedHotfix): string {
  const titles = (requirements: readonly RequirementSummary[]) => requirements.map((requirement) => requirement.title).join("; ");
  switch (hotfix.verdict) {
    case "compliant":
      return "compliant";
    case "bypass":
      return `bypass: ${titles(hotfix.unmet)}`;
    case "unverified":
      return `not fully verified: ${titles(hotfix.unverified)}`;
  }
}

function justificationText(justification: JustificationSummary): string {
  switch (justification.status) {
    case "not-needed":
      return "not needed";
    case "none":
      return "none";
    case "valid":
      return justification.authoriser ? `valid, authorised by @${justification.authoriser}` : "valid";
    case "invalid":
      return `invalid: ${justification.reasons.join("; ")}`;
    case "not-verified":
      return `not verified: ${justification.reasons.join("; ")}`;
  }
}

function targetText(target: TargetSummary): string {
  switch (target.status) {
    case "done":
      return `${target.target}: done via ${target.via ?? "?"}`;
    case "missing":
      return `${target.target}: missing`;
    case "absent":
      return `${target.target}: skipped (no such branch)`;
    case "released":
      return `${target.target}: skipped (released)`;
    case "skipped":
      return `${target.target}: skipped (${target.via ?? "by an authoriser"})`;
  }
}

/** The merge-back cell, one target per line. */
function mergeBackLines(mergeBack: MergeBackSummary): string[] {
  if (mergeBack.status === "unknown") return [`unknown: ${mergeBack.reason}`];
  return mergeBack.targets.length > 0 ? mergeBack.targets.map(targetText) : ["no targets"];
}

function postIncidentText(postIncident: PostIncidentSummary): string {
  switch (postIncident.status) {
    case "none":
      return "none";
    case "closed":
      return `closed #${postIncident.issue}`;
    case "open":
      return postIncident.overdue ? `open #${postIncident.issue}, overdue since ${minute(postIncident.due)}` : `open #${postIncident.issue}, due ${minute(postIncident.due)}`;
  }
}

/** The one-paragraph summary above the table. */
export function summaryLine(report: AuditReport): string {
  const { hotfixes } = report;
  const count = (verdict: MergeAudit["verdict"]) => hotfixes.filter((hotfix) => hotfix.verdict === verdict).length;
  const bypasses = count("bypass");
  const justified = hotfixes.filter((hotfix) => hotfix.verdict === "bypass" && hotfix.justification.status === "valid").length;
  const total = hotfixes.length + report.failures.length;
  const head = `${report.repository}: ${plural(total, "hotfix", "hotfixes")} merged into ${report.production} from ${minute(report.since)} to ${minute(report.until)}`;
  const parts = [
    `${count("compliant")} compliant`,
    `${plural(bypasses, "bypass", "bypasses")} (${justified} justified)`,
    ...(count("unverified") > 0 ? [`${count("unverified")} not fully verified`] : []),
    ...(report.failures.length > 0 ? [`${report.failures.length} could not be audited`] : []),
  ];
  const others = report.otherMerged > 0 ? ` ${plural(report.otherMerged, "other pull request")} merged into ${report.production} in the period ${report.otherMerged === 1 ? "was" : "were"} not a hotfix.` : "";
  return `${head}${total > 0 ? `: ${parts.join(", ")}` : ""}.${others}`;
}

function judgedNowNote(report: AuditReport): string {
  const judgedNow = report.hotfixes.filter((hotfix) => hotfix.judgedFrom === "now").map((hotfix) => `#${hotfix.number}`);
  if (judgedNow.length === 0) return "";
  return `Note: ${judgedNow.join(", ")} had no audit record of the app (not installed then, or a different --app-slug); their requirements were judged from today's facts, as far as this token may read them.`;
}

function failureLines(report: AuditReport, line: (failure: UnauditedHotfix) => string): string {
  if (report.failures.length === 0) return "";
  return ["Could not be audited:", ...report.failures.map((failure) => `- ${line(failure)}`)].join("\n");
}

/** The report as plain text: summary, a table with a row per hotfix, notes. */
export function reportText(report: AuditReport, width: number): string {
  const rows = report.hotfixes.map((hotfix) => [
    `#${hotfix.number} ${hotfix.title}`,
    minute(hotfix.mergedAt),
    verdictText(hotfix),
    justificationText(hotfix.justification),
    mergeBackLines(hotfix.mergeBack).join("\n"),
    postIncidentText(hotfix.postIncident),
  ]);
  const table = rows.length > 0 ? textTable(["Pull request", "Merged", "Verdict", "Justification", "Merge-back", "Post-incident"], rows, width) : "";
  return [summaryLine(report), table, failureLines(report, (failure) => `#${failure.number} ${failure.title}: ${failure.error}`), judgedNowNote(report)].filter(Boolean).join("\n\n");
}

// ── Markdown ───────────────────────────────────────────────────────────────────────────────────

/** The report as Markdown, ready to paste into an issue: user text quoted so that it cannot mention or link anyone. */
export function reportMarkdown(report: AuditReport): string {
  const link = (entry: { number: number; url: string }) => `[#${entry.number}](${entry.url})`;
  const rows = report.hotfixes.map((hotfix) =>
    [
      `${link(hotfix)} ${echo(hotfix.title, 120)}`,
      minute(hotfix.mergedAt),
      tableCell(verdictText(hotfix)),
      echo(justificationText(hotfix.justification), 600),
      mergeBackLines(hotfix.mergeBack).map((line) => tableCell(line)).join("<br>"),
      tableCell(postIncidentText(hotfix.postIncident)),
    ].join(" | "),
  );
  const table =
    rows.length > 0 ? ["| Pull request | Merged | Verdict | Justification | Merge-back | Post-incident |", "|---|---|---|---|---|---|", ...rows.map((row) => `| ${row} |`)].join("\n") : "";
  return [
    `## Hotfix audit: ${report.repository}`,
    tableCell(summaryLine(report)),
    table,
    failureLines(report, (failure) => `${link(failure)} ${echo(failure.title, 120)}: ${echo(failure.error, 400)}`),
    judgedNowNote(report),
  ]
    .filter(Boolean)
    .join("\n\n");
}
