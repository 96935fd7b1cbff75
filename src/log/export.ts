/**
 * The log's exports, pure: Markdown in seed 002's layout (active hotfixes as full entries,
 * completed ones in one line each, then the metrics and warning signs), CSV (one row per hotfix,
 * safe to open in a spreadsheet) and JSON. Text from pull requests is user text: in Markdown its
 * HTML and mentions are defused; in CSV a cell that a spreadsheet would run as a formula is quoted.
 * Audit details appear only for the repositories the caller allows.
 */
import { neutraliseReferences, safeText } from "../render/markdown.js";
import type { ExportOptions, HotfixMetrics, HotfixRecord, LogExport, LogMetrics, PostMortemStatus } from "./model.js";

type Hotfix = LogExport["hotfixes"][number];

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

function isBypass(record: HotfixRecord): boolean {
  return record.audit?.verdict === "justified-bypass" || record.audit?.verdict === "unjustified-bypass";
}

/** The record without its audit details: the justification, the authoriser, the merger of a bypass. */
export function withoutAuditDetails<T extends HotfixRecord>(record: T): T {
  return { ...record, authoriser: null, merger: isBypass(record) ? null : record.merger, audit: record.audit ? { ...record.audit, justification: null } : null };
}

function visible(data: LogExport, options: ExportOptions): Hotfix[] {
  const allowed = new Set((options.auditDetails ?? []).map((repo) => repo.toLowerCase()));
  return data.hotfixes.map((hotfix) => (allowed.has(hotfix.repo.toLowerCase()) ? hotfix : withoutAuditDetails(hotfix)));
}

/** A duration in words: `45 min`, `3.5 h`, `2.1 days`. */
export function duration(ms: number | null): string {
  if (ms === null) return "unknown";
  if (ms < HOUR_MS) return `${Math.round(ms / MINUTE_MS)} min`;
  if (ms < 48 * HOUR_MS) return `${(ms / HOUR_MS).toFixed(1)} h`;
  return `${(ms / (24 * HOUR_MS)).toFixed(1)} days`;
}

function minute(iso: string | null): string {
  return iso ? `${iso.slice(0, 16).replace("T", " ")} UTC` : "unknown";
}

/** User text for a Markdown line: HTML and mentions defused, references broken, on one line. */
function say(text: string | null, fallback = "not given"): string {
  return text ? neutraliseReferences(safeText(text)).replace(/\s*\r?\n\s*/g, " ") : `_${fallback}_`;
}

const SEVERITY_BADGES: Record<string, string> = { CRITICAL: "🔴 Critical", P0: "🔴 P0", HIGH: "🟡 High", P1: "🟡 P1", MEDIUM: "🔵 Medium", P2: "🔵 P2" };

function severityText(severity: string | null): string {
  return severity ? (SEVERITY_BADGES[severity.toUpperCase()] ?? say(severity)) : "_not declared_";
}

const VERDICT_TEXT = { compliant: "compliant", "justified-bypass": "bypass, justified", "unjustified-bypass": "bypass, not justified", "not-fully-verified": "not fully verified" } as const;

function postMortemText(status: PostMortemStatus): string {
  switch (status.status) {
    case "not-due":
      return "not due yet";
    case "on-time":
      return `done on time (${minute(status.closedAt)})`;
    case "late":
      return `done ${duration(status.lateByMs)} late`;
    case "open":
      return `due ${minute(status.dueAt)}`;
    case "overdue":
      return `**overdue** since ${minute(status.dueAt)}`;
    case "skipped":
      return `**skipped** (was due ${minute(status.dueAt)})`;
  }
}

function followUpsOpen(hotfix: Hotfix): boolean {
  return hotfix.state === "open" || hotfix.mergeBack.some((target) => target.doneAt === null) || (hotfix.postIncident !== null && hotfix.postIncident.closedAt === null);
}

function followUpLines(hotfix: Hotfix, metrics: HotfixMetrics): string[] {
  const lines = [];
  const post = hotfix.postIncident;
  const postDone = post?.closedAt != null;
  const postLink = post && hotfix.links.postIncidentIssue ? ` [${post.repo}#${post.number}](${hotfix.links.postIncidentIssue})` : "";
  lines.push(`- [${postDone ? "x" : " "}] **Post-mortem**${postLink}: ${postMortemText(metrics.postMortem)}`);
  for (const target of hotfix.mergeBack) {
    lines.push(`- [${target.doneAt ? "x" : " "}] **Merged back into \`${target.target.replaceAll("`", "'")}\`**${target.doneAt ? ` on ${minute(target.doneAt)}` : ""}`);
  }
  if (hotfix.tag) lines.push(`- [${hotfix.tag.at ? "x" : " "}] **Tagged** \`${hotfix.tag.name.replaceAll("`", "'")}\``);
  return lines;
}

function entry(hotfix: Hotfix): string {
  const { metrics } = hotfix;
  const who = [hotfix.author ? `@${hotfix.author}` : null, hotfix.reviewers.length > 0 ? `reviewed by ${hotfix.reviewers.map((login) => `@${login}`).join(", ")}` : null, hotfix.merger ? `merged by @${hotfix.merger}` : null]
    .filter((part): part is string => part !== null)
    .join("; ");
  const audit = hotfix.audit ? `${VERDICT_TEXT[hotfix.audit.verdict]}${hotfix.audit.justification ? `: ${say(hotfix.audit.justification.bypassReason, "no reason given")}` : ""}` : "not audited yet";
  return [
    `### 🚨 [${hotfix.id}] ${say(hotfix.title)}`,
    "",
    `**Repository:** ${hotfix.repo} · [pull request #${hotfix.pullRequest}](${hotfix.links.pullRequest})  `,
    `**Date/Time:** ${minute(hotfix.dateTime)}  `,
    `**Severity:** ${severityText(hotfix.severity)}  `,
    `**Duration:** ${duration(metrics.resolution.toMergedMs)} to merge${metrics.resolution.toDeployedMs === null ? "" : `, ${duration(metrics.resolution.toDeployedMs)} to deploy`}  `,
    `**Who:** ${safeText(who) || "_unknown_"}  `,
    `**Audit:** ${audit}`,
    "",
    "#### The Emergency",
    "",
    `**Problem:** ${say(hotfix.problem)}  `,
    `**Impact:** ${say(hotfix.impact)}  `,
    `**Why Emergency:** ${say(hotfix.whyEmergency)}`,
    "",
    "#### The Fix",
    "",
    `**Change Made:** ${say(hotfix.changeMade)}  `,
    `**Files/Systems Affected:** ${hotfix.filesAffected.length > 0 ? hotfix.filesAffected.slice(0, 20).map((file) => `\`${file.replaceAll("`", "'")}\``).join(", ") + (hotfix.filesAffected.length > 20 ? ` and ${hotfix.filesAffected.length - 20} more` : "") : "_unknown_"}  `,
    `**Rollback Plan:** ${say(hotfix.rollbackPlan)}`,
    "",
    "#### The Context",
    "",
    `**Root Cause (Initial):** ${say(hotfix.rootCause)}  `,
    `**Risk Accepted:** ${say(hotfix.riskAccepted)}  `,
    `**Monitoring:** ${say(hotfix.monitoring)}`,
    "",
    "#### Follow-up Required",
    "",
    ...followUpLines(hotfix, metrics),
  ].join("\n");
}

function completedLine(hotfix: Hotfix): string {
  const { metrics } = hotfix;
  const followUp = hotfix.state === "closed" ? "closed without merging" : postMortemText(metrics.postMortem);
  const post = hotfix.links.postIncidentIssue ? `[${hotfix.postIncident?.repo}#${hotfix.postIncident?.number}](${hotfix.links.postIncidentIssue})` : "_none_";
  return [
    `### 🚨 [${hotfix.id}] ${say(hotfix.title)} - ${hotfix.dateTime.slice(0, 10)}`,
    "",
    `**Duration:** ${duration(metrics.resolution.toMergedMs)} | **Follow-up:** ${followUp} | **Learning:** ${say(hotfix.rootCause, "see the post-mortem")}`,
    "",
    `**Post-mortem:** ${post}`,
  ].join("\n");
}

function percent(share: number | null): string {
  return share === null ? "n/a" : `${Math.round(share * 100)} %`;
}

function metricsSection(metrics: LogMetrics): string[] {
  return [
    "## Success Metrics",
    "",
    `- **Hotfix frequency:** ${metrics.hotfixes} in the period, ${metrics.frequencyPerMonth.toFixed(1)} a month (${metrics.perMonth.map((month) => `${month.month}: ${month.count}`).join(", ")})`,
    `- **Time to resolution:** median ${duration(metrics.resolution.medianMs)}, p90 ${duration(metrics.resolution.p90Ms)} (${metrics.resolution.count} merged)`,
    `- **Merged with a bypass:** ${metrics.bypassed.count} of ${metrics.bypassed.of} (${percent(metrics.bypassed.share)}), justified ${metrics.justified.count} of ${metrics.justified.of}`,
    `- **Merge-backs overdue:** ${metrics.mergeBacksOverdue}`,
    `- **Post-mortems on time:** ${metrics.postMortemsOnTime.count} of ${metrics.postMortemsOnTime.of} (${percent(metrics.postMortemsOnTime.share)}); overdue ${metrics.postMortemsOverdue}, skipped ${metrics.postMortemsSkipped}`,
    `- **Repeat incidents:** ${percent(metrics.repeatShare.share)} of hotfixes`,
    `- **Quality escapes:** ${metrics.qualityEscapes.length}`,
    "",
    "## Warning Signs",
    "",
    ...(metrics.warnings.length === 0 ? ["_None past their thresholds._"] : metrics.warnings.map((sign) => `- ⚠️ ${sign.message}${sign.ids.length > 0 ? ` (${sign.ids.join(", ")})` : ""}`)),
  ];
}

/** The log as Markdown in seed 002's layout. */
export function markdownExport(data: LogExport, options: ExportOptions = {}): string {
  const hotfixes = visible(data, options);
  const active = hotfixes.filter(followUpsOpen);
  const completed = hotfixes.filter((hotfix) => !followUpsOpen(hotfix));
  const repos = data.metrics.repos.join(", ");
  return [
    "# Hotfix Log: Emergency Changes Record",
    "",
    `> ${repos || "No repository"}, ${data.window.since.slice(0, 10)} to ${data.window.until.slice(0, 10)}. Generated by Hotfix Guard on ${minute(data.generatedAt)}.`,
    "",
    "## Active Hotfixes",
    "",
    ...(active.length === 0 ? ["_None._"] : active.map(entry).flatMap((text) => [text, "", "---", ""])),
    "",
    "## Completed Hotfixes",
    "",
    ...(completed.length === 0 ? ["_None._"] : completed.map(completedLine).flatMap((text) => [text, ""])),
    "---",
    "",
    ...metricsSection(data.metrics),
    "",
  ].join("\n");
}

/** A CSV cell: quoted, quotes doubled, and a leading formula character neutralised with a quote. */
export function csvCell(value: string | number | boolean | null): string {
  if (value === null) return "";
  const text = String(value);
  const safe = typeof value === "string" && /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return `"${safe.replaceAll('"', '""')}"`;
}

const CSV_COLUMNS = [
  "repository",
  "id",
  "pull_request",
  "title",
  "severity",
  "state",
  "date_time",
  "opened_at",
  "merged_at",
  "deployed_at",
  "author",
  "merger",
  "reviewers",
  "authoriser",
  "verdict",
  "incident_reference",
  "resolution_to_merged_minutes",
  "resolution_to_deployed_minutes",
  "review_wait_minutes",
  "merge_back_pending",
  "merge_back_overdue",
  "post_mortem",
  "over_scope",
  "url",
] as const;

function minutes(ms: number | null): number | null {
  return ms === null ? null : Math.round(ms / MINUTE_MS);
}

/** The records as CSV, one row per hotfix, newest first. */
export function csvExport(data: LogExport, options: ExportOptions = {}): string {
  const rows = visible(data, options).map((hotfix) =>
    [
      hotfix.repo,
      hotfix.id,
      hotfix.pullRequest,
      hotfix.title,
      hotfix.severity,
      hotfix.state,
      hotfix.dateTime,
      hotfix.openedAt,
      hotfix.mergedAt,
      hotfix.deployedAt,
      hotfix.author,
      hotfix.merger,
      hotfix.reviewers.join(" "),
      hotfix.authoriser,
      hotfix.audit?.verdict ?? null,
      hotfix.incidentReference,
      minutes(hotfix.metrics.resolution.toMergedMs),
      minutes(hotfix.metrics.resolution.toDeployedMs),
      minutes(hotfix.metrics.reviewWaitMs),
      hotfix.mergeBack.filter((target) => target.doneAt === null).length,
      hotfix.metrics.mergeBack.filter((lag) => lag.overdue).length,
      hotfix.metrics.postMortem.status,
      hotfix.metrics.overScope,
      hotfix.links.pullRequest,
    ]
      .map(csvCell)
      .join(","),
  );
  return `${[CSV_COLUMNS.join(","), ...rows].join("\r\n")}\r\n`;
}
