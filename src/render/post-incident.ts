/**
 * The post-incident review issue opened at every hotfix merge, built from the seeds' templates
 * (seed 001 "Post-Incident Review", seeds 002 and 004 post-mortems within 24-48 hours): summary,
 * a timeline started from the pull request's own timestamps, root cause, prevention and action
 * items, due by severity. After a bypass it also asks for a retroactive review, and while the
 * release tag the branch names is not on the merge commit (seed 001 step 6) it lists the tag as an
 * open item that the app ticks when the tag appears. With `post_incident.monitor_minutes` it lists
 * seeds 001 and 002's "monitor production for 30 minutes" with its own due time. Pure.
 */
import type { Policy } from "../config/policy.js";
import { findSection } from "../markdown/sections.js";
import { parsedDescription } from "../rules/document.js";
import { excerpt, inlineCode } from "../rules/excerpt.js";
import type { MergeAudit, MergedPullRequest } from "../rules/merge-audit.js";
import { hotfixTimeline, postIncidentDue, type TagState } from "../rules/post-incident.js";
import type { ReviewFact } from "../rules/types.js";
import { echo, quietLogin } from "./audit.js";
import { fitBodyWithTail, fitIssueTitle } from "./limits.js";
import { neutraliseMentions, neutraliseReferences } from "./markdown.js";
import { hasTagMarker, tagMarker, trackedTag } from "../model/records.js";
import type { RepositoryTextFile } from "../model/repository-file.js";
import { fillTemplate, TEMPLATE_PLACEHOLDERS } from "./post-incident-template.js";

/** The label of post-incident review issues, by which the app finds them again. */
export const POST_INCIDENT_LABEL = "hotfix:post-incident";

/** The hidden marker of the post-incident issue of a pull request. */
export function postIncidentMarker(pr: number): string {
  return `<!-- hotfix-guard:post-incident pr=${pr} -->`;
}

/** Room kept in the issue body for the tag item to grow when {@link withTagState} rewrites it. */
const TAG_STATE_ROOM = 100;

function minute(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** The action item for the release tag; its hidden marker lets the app find and tick it. */
export function tagItem(tag: string, mergeSha: string, state: TagState): string {
  const done = state.kind === "on-merge-commit";
  const where = state.kind === "elsewhere" ? ` (it points at \`${state.sha.slice(0, 7)}\` instead)` : state.kind === "missing" ? " (not created yet)" : "";
  return `- [${done ? "x" : " "}] Tag ${inlineCode(tag)} points at the merge commit \`${mergeSha.slice(0, 7)}\`${where} ${tagMarker(tag, mergeSha)}`;
}

/** The body with the tag item rewritten for the tag's new state; unchanged when it has no tag item. */
export function withTagState(body: string, state: TagState): string {
  const tracked = trackedTag(body);
  if (!tracked) return body;
  return body
    .split("\n")
    .map((line) => (hasTagMarker(line) ? tagItem(tracked.tag, tracked.mergeSha, state) : line))
    .join("\n");
}

const ISSUE_REFERENCE = /(?:^|[^\w&/])#([0-9]{1,9})\b/;

/**
 * The incident reference from the description, quoted with references neutralised; an issue
 * number it names (`#123`) is linked on purpose, so the incident issue shows this review.
 */
function incidentReference(pr: MergedPullRequest, policy: Policy): string {
  const section = policy.sections.find((s) => s.formats);
  const found = section ? findSection(parsedDescription(pr.body), section.name) : undefined;
  const text = found?.text.trim() ?? "";
  if (!text) return "_not given in the description_";
  const issue = ISSUE_REFERENCE.exec(text)?.[1];
  return issue ? `${echo(text, 120)} (linked: #${issue})` : echo(text, 120);
}

function severityText(pr: MergedPullRequest, policy: Policy): string {
  const section = policy.sections.find((s) => s.severity);
  const found = section ? findSection(parsedDescription(pr.body), section.name) : undefined;
  return found?.text.trim() ? echo(found.text, 60) : "_not given_";
}

function hours(ms: number): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  return minutes < 120 ? `${minutes} minutes` : `${Math.round(minutes / 60)} hours`;
}

/** Seeds 001/002's "monitor production for N minutes" item, due N minutes after the merge; null when not configured. */
function monitorItem(merged: number, policy: Policy): string | null {
  const minutes = policy.config.post_incident.monitor_minutes;
  if (minutes === null) return null;
  return `- [ ] Monitor production for ${minutes} minutes after the merge (error rates, user reports, performance) - Due: ${minute(merged + minutes * 60_000)}`;
}

/** What the follow-up issue is built from. */
export interface FollowUpInput {
  readonly repo: string;
  readonly pr: MergedPullRequest;
  readonly audit: MergeAudit;
  readonly reviews: readonly ReviewFact[];
  readonly policy: Policy;
  /** The release tag the branch names and where it stands; null when the branch names none or the tag is not required. */
  readonly tag: { readonly name: string; readonly state: TagState } | null;
  /** The team's template as read from the repository; absent or null when none is configured. */
  readonly template?: RepositoryTextFile | null;
}

/** The hotfix's facts by placeholder name, unescaped (the filler escapes them). */
function templateValues(input: FollowUpInput, due: Date): Record<(typeof TEMPLATE_PLACEHOLDERS)[number], string> {
  const { pr, policy, repo } = input;
  const incident = policy.sections.find((s) => s.formats);
  const severity = policy.sections.find((s) => s.severity);
  const parsed = parsedDescription(pr.body);
  const sectionText = (name: string | undefined) => (name ? (findSection(parsed, name)?.text.trim() ?? "") : "");
  return {
    repo,
    pr_number: String(pr.number),
    title: pr.title,
    author: pr.author,
    merged_by: pr.mergedBy ?? "",
    merged_at: minute(Date.parse(pr.mergedAt)),
    due: minute(due.getTime()),
    severity: sectionText(severity?.name),
    incident_reference: sectionText(incident?.name),
    head_ref: pr.headRef,
    base_ref: pr.baseRef,
    merge_commit: pr.mergeCommitSha ?? "",
  };
}

/** The body from the team's template: the filled template, then the app's own items and notes. */
function bodyFromTemplate(text: string, input: FollowUpInput, due: Date, items: readonly string[]): string {
  const filled = fillTemplate(text, templateValues(input, due));
  const unknown =
    filled.unknown.length > 0
      ? [`> Hotfix Guard left ${filled.unknown.map((name) => `\`{{${echo(name, 40)}}}\``).join(", ")} as written: it knows ${TEMPLATE_PLACEHOLDERS.map((name) => `\`{{${name}}}\``).join(", ")}.`, ""]
      : [];
  return [filled.text.trimEnd(), "", "## Hotfix Guard items", ...items, "", ...unknown].join("\n").trimEnd();
}

/** A note saying the team's template could not be read, so the default layout is used. */
function unreadTemplateNote(template: RepositoryTextFile | null | undefined): string[] {
  if (template?.kind !== "failed") return [];
  return [`> The team's post-incident template \`${echo(template.path, 120)}\` could not be read (${echo(template.reason, 120)}), so this issue uses the default layout.`, ""];
}

/** The post-incident review issue: title and body. */
export function renderPostIncidentIssue(input: FollowUpInput): { title: string; body: string } {
  const { pr, policy, audit, repo } = input;
  const due = postIncidentDue(pr, policy);
  const opened = Date.parse(pr.createdAt);
  const merged = Date.parse(pr.mergedAt);
  const timeline = hotfixTimeline(pr, input.reviews).map((entry) => `- ${minute(Date.parse(entry.at))} - ${neutraliseReferences(neutraliseMentions(entry.what))}`);
  const monitor = monitorItem(merged, policy);
  const items = [
    ...(monitor ? [monitor] : []),
    ...(input.tag && pr.mergeCommitSha ? [tagItem(input.tag.name, pr.mergeCommitSha, input.tag.state)] : []),
    ...(audit.verdict === "bypass"
      ? [`- [ ] Retroactive review of the change: it was merged without meeting ${audit.unmet.map((r) => echo(r.title, 80)).join("; ")}`]
      : []),
    "- [ ] Root cause analysis completed",
    "- [ ] Prevention measures agreed, each with an owner",
    "- [ ] Monitoring and alerting updated if needed",
    "- [ ] [Action item] - Owner: [Name] - Due: [Date]",
  ];
  const template = input.template;
  const body = template?.kind === "found" ? bodyFromTemplate(template.text, input, due.at, items) : [
    `# Post-incident review: hotfix ${repo}#${pr.number}`,
    "",
    ...unreadTemplateNote(template),
    `**Hotfix:** ${repo}#${pr.number}, ${inlineCode(pr.headRef)} → ${inlineCode(pr.baseRef)}, merged ${minute(merged)} by ${quietLogin(pr.mergedBy)}`,
    `**Incident:** ${incidentReference(pr, policy)}`,
    `**Severity:** ${severityText(pr, policy)}`,
    `**Due:** ${minute(due.at.getTime())} (${due.hours} hours after the merge: ${due.source})`,
    `**Owner:** the hotfix author, ${quietLogin(pr.author)}`,
    "",
    "## Incident Summary",
    `- **Date/Time:** [When the incident occurred]`,
    `- **Duration:** [Total incident duration]; the fix took ${hours(merged - opened)} from pull request to merge`,
    "- **Impact:** [Who/what was affected]",
    `- **Resolution:** hotfix ${repo}#${pr.number} merged ${minute(merged)}`,
    "",
    "## Timeline",
    "- [Time] - Issue first detected",
    "- [Time] - Incident declared",
    ...timeline,
    "- [Time] - Issue confirmed resolved",
    "",
    "## Root Cause Analysis",
    "**Primary Cause:** [Main reason the incident occurred]",
    "**Contributing Factors:** [Secondary factors]",
    "**Why Weren't We Protected:** [Why existing measures did not prevent this]",
    "",
    "## Response Evaluation",
    "**What Went Well:** [Process successes]",
    "**What Could Improve:** [Process gaps or delays]",
    "",
    "## Prevention Measures",
    "**Immediate Actions:** [What to implement right away]",
    "**Long-term Improvements:** [Larger changes needed]",
    "**Monitoring Enhancements:** [Better detection needed]",
    "",
    "## Action Items",
    ...items,
  ].join("\n");
  const title = `Post-incident review: ${neutraliseReferences(neutraliseMentions(excerpt(pr.title, 80)))} (hotfix #${pr.number})`;
  return { title: fitIssueTitle(title), body: fitBodyWithTail(body, postIncidentMarker(pr.number), TAG_STATE_ROOM) };
}
