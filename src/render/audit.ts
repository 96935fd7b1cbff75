/**
 * What admins read after a hotfix merge: the audit comment on the pull request, the audit issue
 * for an unjustified bypass (and the comment that closes it), the direct-push audit issue, the
 * protection log, and the short refusal of a command. Admins must be able to trust these, so
 * every piece of user text is cut, kept on one line inside a table cell, its HTML defused and its
 * `@mentions` and `#references` neutralised: a justification cannot notify anyone, link an issue,
 * or forge a row of the audit. Each body carries a hidden marker that the app looks up before
 * writing, and the audit comment carries its own record (what the verdict stood on) in a hidden
 * block that `src/model/records.ts` encodes. Pure.
 */
import type { Policy } from "../config/policy.js";
import { excerpt, inlineCode } from "../rules/excerpt.js";
import { JUSTIFICATION_FIELDS, type JustificationCheck } from "../model/justification-form.js";
import type { MergeAudit, MergedPullRequest, ProtectionChange, PushedCommit } from "../rules/merge-audit.js";
import type { AuditRecord, IssueRef, Requirement } from "../model/merge.js";
import type { BypassState } from "../model/bypass.js";
import { fitBodyWithTail, fitIssueTitle } from "./limits.js";
import { neutraliseMentions, neutraliseReferences, tableCell } from "./markdown.js";
import { protectionEntryBlock, protectionLogMarker, recordBlock } from "../model/records.js";

const ZERO_WIDTH_SPACE = "\u200b";

// ── Quoting ────────────────────────────────────────────────────────────────────────────────────

/** User text for a table cell: one line, cut, HTML and entities defused, mentions and references neutralised. */
export function echo(text: string, max = 200): string {
  return neutraliseReferences(tableCell(excerpt(text, max)));
}

/** A name (a ruleset, a branch pattern) as inline code on one line, cut to `max` characters. */
function echoCode(text: string, max: number): string {
  return tableCell(inlineCode(excerpt(text, max)));
}

/** A login shown without notifying its owner. */
export function quietLogin(login: string | null): string {
  return login ? `@${ZERO_WIDTH_SPACE}${login}` : "someone unknown";
}

/** App-generated text that may quote logins or names: mentions and references neutralised, one line. */
export function quiet(text: string): string {
  return echo(text, 400);
}

function minute(iso: string | null | undefined): string {
  const ms = iso ? Date.parse(iso) : Number.NaN;
  return Number.isNaN(ms) ? "an unknown time" : `${new Date(ms).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

function shortSha(sha: string | null): string {
  return sha ? `\`${sha.slice(0, 7)}\`` : "unknown";
}

function mentionsOf(policy: Policy, owner: string): string[] {
  const { users, teams } = policy.config.audit.notify;
  return [...users.map((user) => `@${user}`), ...teams.map((team) => `@${team.includes("/") ? team : `${owner}/${team}`}`)];
}

// ── Markers and the record ─────────────────────────────────────────────────────────────────────

/** The hidden marker of the audit comment of a pull request. */
export function auditMarker(pr: number): string {
  return `<!-- hotfix-guard:audit pr=${pr} -->`;
}

/** The hidden marker of the audit issue of an unjustified bypass. */
export function auditIssueMarker(repo: string, pr: number): string {
  return `<!-- hotfix-guard:audit-issue repo=${repo} pr=${pr} -->`;
}

/** The hidden marker of the audit issue of a direct push. */
export function directPushMarker(repo: string, after: string): string {
  return `<!-- hotfix-guard:direct-push repo=${repo} after=${after} -->`;
}

/** The hidden marker of a refusal, naming the comment it answers. */
export function refusalMarker(commentId: number): string {
  return `<!-- hotfix-guard:refusal comment=${commentId} -->`;
}


// ── The audit comment ──────────────────────────────────────────────────────────────────────────

/** The result of one write the audit depends on. */
export type WriteOutcome =
  | { readonly status: "done"; readonly ref: IssueRef; readonly action: "opened" | "found" | "closed" }
  | { readonly status: "failed"; readonly reason: string }
  | { readonly status: "not-needed" };

/** What the audit comment reports besides the verdict. */
export interface AuditCommentInput {
  /** `owner/name` of the pull request's repository. */
  readonly repo: string;
  readonly pr: MergedPullRequest;
  readonly audit: MergeAudit;
  readonly policy: Policy;
  readonly auditIssue: WriteOutcome;
  readonly followUp: WriteOutcome;
  /** Label writes that failed, with the reason. */
  readonly labelProblems: readonly string[];
}

const REQUIREMENT_ICONS: Record<Requirement["status"], string> = { met: "✅", unmet: "❌", unknown: "❔", pending: "⏳" };
const CHECK_ICONS: Record<JustificationCheck["status"], string> = { valid: "✅", invalid: "❌", unverified: "❔" };

function headline(audit: MergeAudit): string {
  if (audit.verdict === "compliant") return "✅ Hotfix merge audit: compliant";
  if (audit.verdict === "unverified") return "⚠️ Hotfix merge audit: not fully verified";
  return audit.justified ? "⚠️ Hotfix merge audit: bypass, justified" : "❌ Hotfix merge audit: bypass, not justified";
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

function verdictLine(audit: MergeAudit): string {
  if (audit.verdict === "compliant") return "**Verdict:** compliant: every requirement was met at the merge.";
  if (audit.verdict === "unverified") {
    const unknown = audit.requirements.filter((r) => r.status === "unknown").length;
    return `**Verdict:** not fully verified: nothing was found unmet, but ${plural(unknown, "requirement")} could not be verified (marked ❔).`;
  }
  return `**Verdict:** bypass: ${plural(audit.unmet.length, "requirement")} ${audit.unmet.length === 1 ? "was" : "were"} not met at the merge (marked ❌).`;
}

function firstProblem(checks: readonly JustificationCheck[]): JustificationCheck | undefined {
  return checks.find((c) => c.status !== "valid");
}

function authorityLine(audit: MergeAudit): string {
  if (audit.verdict === "compliant") return "**Authority:** none needed: no requirement was bypassed.";
  const justification = audit.justification;
  if (!justification) return "**Authority:** none: no emergency bypass justification was found in the description or the comments.";
  const { verdict } = justification;
  if (verdict.valid) {
    const authority = verdict.checks.find((c) => c.aspect === "Authoriser's authority");
    const confirmed = verdict.checks.find((c) => c.aspect === "Authoriser confirmed");
    return `**Authority:** justified, authorised by ${quietLogin(verdict.authoriser)}: ${quiet(authority?.detail ?? "")}; ${quiet(confirmed?.detail ?? "")}.`;
  }
  const problem = firstProblem(verdict.checks);
  const word = problem?.status === "unverified" ? "not verified" : "not valid";
  return `**Authority:** the justification is ${word}: ${quiet(problem?.detail ?? "")}.`;
}

function ruleSuiteLine(audit: MergeAudit): string {
  const lookup = audit.ruleSuite;
  switch (lookup.status) {
    case "bypass":
      return `**GitHub's record:** GitHub recorded a ruleset bypass for the merge commit by ${quietLogin(lookup.actor)} at ${minute(lookup.pushedAt)} (rule suite ${lookup.id}).`;
    case "none":
      return audit.ruleSuitePending
        ? "**GitHub's record:** no ruleset bypass recorded yet; GitHub's record can lag the merge, so it is checked again on the next event in this repository."
        : "**GitHub's record:** no ruleset bypass recorded for the merge commit.";
    case "not-permitted":
      return "**GitHub's record:** not read: the installation lacks Administration write, which Hotfix Guard does not request by default; see docs/deploy.md.";
    case "unavailable":
      return `**GitHub's record:** not available (${quiet(lookup.reason)}).`;
    case "not-applicable":
      return "**GitHub's record:** no ruleset applies to the production branch.";
  }
}

function requirementsTable(requirements: readonly Requirement[]): string {
  const rows = requirements.map((r) => `| ${REQUIREMENT_ICONS[r.status]} | ${echo(r.title, 120)} | ${echo(r.required, 300)} | ${echo(r.present, 300)} |`);
  return ["### Requirements at the merge", "", "| | Requirement | Required | Present at the merge |", "|---|---|---|---|", ...rows].join("\n");
}

function sourceText(audit: MergeAudit, repo: string, prNumber: number): string {
  const justification = audit.justification;
  if (!justification) return "";
  const { source } = justification;
  if (source.kind === "body") return "the pull request description";
  return `[a comment](https://github.com/${repo}/pull/${prNumber}#issuecomment-${source.id}) by ${quietLogin(source.author)} written ${minute(source.createdAt)}`;
}

function editNotes(audit: MergeAudit): string[] {
  const withdrawn = audit.withdrawals.map((what) => `> ⚠️ **Authorisation withdrawn:** ${quiet(what)}. The justification was judged again without it.`);
  return [...withdrawn, ...audit.laterEdits.map((edit) => {
    const where = edit.sourceKey === "body" ? "the description's form" : `the form in comment ${edit.sourceKey.slice("comment:".length)}`;
    return `> ⚠️ **Edited after the verdict:** ${where} was ${edit.removed ? "removed" : "changed"} after the audit first recorded it. The verdict stands on the text recorded then; the change was not accepted silently.`;
  })];
}

function justificationSection(audit: MergeAudit, repo: string, prNumber: number): string {
  if (audit.verdict === "compliant" && audit.laterEdits.length === 0 && audit.withdrawals.length === 0) return "";
  const justification = audit.justification;
  const lines = ["### Bypass justification, as recorded", ""];
  if (!justification) {
    lines.push("No justification form was found. Seed procedure: add the **🚨 EMERGENCY BYPASS JUSTIFICATION** form to the description or a comment, and have a repository administrator confirm it.");
    return [...lines, ...(editNotes(audit).length > 0 ? ["", ...editNotes(audit)] : [])].join("\n");
  }
  lines.push(`From ${sourceText(audit, repo, prNumber)}, as recorded ${minute(justification.recordedAt)}.`, "");
  lines.push("| Field | As recorded |", "|---|---|");
  for (const { key, label } of JUSTIFICATION_FIELDS) lines.push(`| ${label} | ${justification.fields[key] ? echo(justification.fields[key], 300) : "_(empty)_"} |`);
  lines.push("", "| | Check | Result |", "|---|---|---|");
  for (const c of justification.verdict.checks) lines.push(`| ${CHECK_ICONS[c.status]} | ${echo(c.aspect, 80)} | ${quiet(c.detail)} |`);
  const notes = editNotes(audit);
  return [...lines, ...(notes.length > 0 ? ["", ...notes] : [])].join("\n");
}

const BYPASS_VERDICTS: Record<BypassState["status"], string> = {
  none: "no request, grant or denial counted",
  requested: "requested, but no authoriser granted it before the merge",
  granted: "granted: the grant stood at the merge for the merged head commit, so it is the authority the justification is confirmed by",
  denied: "denied before the merge",
  expired: "the grant had expired at the merge, so it counted for nothing",
  "other-commit": "the grant was for an earlier commit than the one merged, so it counted for nothing",
};

/** Every bypass request, grant and denial, with why each counted or not, and where they stood at the merge. */
function bypassSection(bypass: BypassState | null): string {
  if (!bypass) return "";
  const items = bypass.commands.map((c) => {
    const args = c.args ? ` ${echo(c.args, 80)}` : "";
    return `- ${c.counted ? "✅" : "➖"} ${minute(c.at)} ${quietLogin(c.login)}: \`/hotfix ${c.command}\`${args}: ${quiet(c.counted ? c.why : `did not count: ${c.why}`)}`;
  });
  return ["### Bypass requests and grants", "", `**At the merge:** ${quiet(bypass.summary)}: ${BYPASS_VERDICTS[bypass.status]}.`, "", ...items].join("\n");
}

function protectionSection(changes: readonly ProtectionChange[]): string {
  if (changes.length === 0) return "";
  const items = changes.map((c) => `- ${minute(c.at)}: ${c.kind} ${echoCode(c.name, 80)} ${echo(c.action, 40)} by ${quietLogin(c.actor)}`);
  return ["### Protection changes while the hotfix was open", "", ...items].join("\n");
}

function outcomeText(outcome: WriteOutcome, what: string, repo: string): string | null {
  switch (outcome.status) {
    case "not-needed":
      return null;
    case "failed":
      return `- ${what}: **could not be written** (${quiet(outcome.reason)}); it is retried when this audit runs again.`;
    case "done": {
      const ref = outcome.ref.repo === repo ? `#${outcome.ref.number}` : `${outcome.ref.repo}#${outcome.ref.number}`;
      return `- ${what}: ${ref}${outcome.action === "closed" ? " (closed)" : ""}`;
    }
  }
}

function followUpSection(input: AuditCommentInput): string {
  const items = [
    outcomeText(input.auditIssue, "Audit issue", input.repo),
    outcomeText(input.followUp, "Post-incident review", input.repo),
    ...input.labelProblems.map((problem) => `- Labels: **could not be set** (${quiet(problem)}).`),
  ].filter((item): item is string => item !== null);
  return items.length > 0 ? ["### Follow-up", "", ...items].join("\n") : "";
}

/** The audit comment of a merged hotfix: verdict, who merged, each requirement, the justification and its checks. */
export function renderAuditComment(input: AuditCommentInput): string {
  const { pr, audit, policy, repo } = input;
  const owner = repo.split("/")[0] ?? "";
  const merged = `**Merged** by ${quietLogin(pr.mergedBy)} ${minute(pr.mergedAt)} into ${inlineCode(pr.baseRef)} (merge commit ${shortSha(pr.mergeCommitSha)}, head ${shortSha(pr.headSha)}).`;
  const mentions = mentionsOf(policy, owner);
  const visible = [
    `## ${headline(audit)}`,
    "",
    `- ${merged}`,
    `- ${verdictLine(audit)}`,
    `- ${authorityLine(audit)}`,
    `- ${ruleSuiteLine(audit)}`,
    "",
    requirementsTable(audit.requirements),
    justificationSection(audit, repo, pr.number),
    bypassSection(audit.bypass),
    protectionSection(audit.protectionChanges),
    followUpSection(input),
    mentions.length > 0 ? `cc ${mentions.join(" ")}` : "",
  ]
    .filter((part) => part !== "")
    .join("\n\n");
  return fitBodyWithTail(visible, `${auditMarker(pr.number)}\n${recordBlock(audit.record)}`);
}

// ── The audit issue ────────────────────────────────────────────────────────────────────────────

/** The audit issue of an unjustified bypass. */
export function renderAuditIssue(repo: string, pr: MergedPullRequest, audit: MergeAudit, policy: Policy): { title: string; body: string } {
  const owner = repo.split("/")[0] ?? "";
  const unmet = audit.unmet.map((r) => `- ❌ ${echo(r.title, 120)}: required ${echo(r.required, 200)}; present ${echo(r.present, 200)}`);
  const problems = audit.justification ? audit.justification.verdict.checks.filter((c) => c.status !== "valid").map((c) => `- ${CHECK_ICONS[c.status]} ${quiet(c.detail)}`) : [];
  const mentions = mentionsOf(policy, owner);
  const body = [
    `Hotfix ${repo}#${pr.number} was merged into ${inlineCode(pr.baseRef)} by ${quietLogin(pr.mergedBy)} ${minute(pr.mergedAt)} without meeting the hotfix policy, and without a valid emergency bypass justification.`,
    "",
    "**Requirements not met at the merge:**",
    ...unmet,
    "",
    audit.justification ? "**Why the justification does not hold:**" : "**No justification form was found.**",
    ...problems,
    "",
    `The audit comment on ${repo}#${pr.number} has the details. This issue closes itself when a valid justification is recorded within ${policy.config.bypass.justification_window_minutes} minutes of the merge and a repository administrator confirms it (an approving review or a \`/hotfix authorize\` comment of their own). Otherwise, review the change retroactively and close this issue with the outcome.`,
    ...(mentions.length > 0 ? ["", `cc ${mentions.join(" ")}`] : []),
  ].join("\n");
  return { title: fitIssueTitle(`Unjustified hotfix bypass: ${repo}#${pr.number}`), body: fitBodyWithTail(body, auditIssueMarker(repo, pr.number)) };
}

/** The hidden marker of the comment that closes the audit issue of a merge. */
export function auditIssueClosingMarker(repo: string, pr: number): string {
  return `<!-- hotfix-guard:audit-issue-closed repo=${repo} pr=${pr} -->`;
}

/** The comment that closes an audit issue once a valid justification arrived. */
export function renderAuditIssueClosing(repo: string, pr: MergedPullRequest, audit: MergeAudit): string {
  const authoriser = audit.justification?.verdict.authoriser ?? null;
  return `A valid emergency bypass justification is now recorded on ${repo}#${pr.number}, authorised by ${quietLogin(authoriser)} and verified by Hotfix Guard (see the audit comment). Closing.\n\n${auditIssueClosingMarker(repo, pr.number)}`;
}

// ── Commands ───────────────────────────────────────────────────────────────────────────────────

/** A short refusal of a `/hotfix` command from someone the policy does not allow to use it. */
export function renderRefusal(login: string, command: string, reason: string, commentId: number): string {
  const shown = command ? `/hotfix ${command}` : "/hotfix";
  return `@${login} \`${shown}\` was not accepted: ${quiet(reason)}\n\n${refusalMarker(commentId)}`;
}

// ── Direct pushes ──────────────────────────────────────────────────────────────────────────────

/** What a direct-push audit issue names. */
export interface DirectPush {
  readonly repo: string;
  readonly branch: string;
  readonly pusher: string;
  readonly before: string;
  readonly after: string;
  readonly forced: boolean;
  readonly at: string;
  readonly commits: readonly PushedCommit[];
  /** True when GitHub's payload may have listed only part of the push. */
  readonly truncated: boolean;
}

/** The audit issue of a push to the production branch with commits outside any merged pull request. */
export function renderDirectPushIssue(push: DirectPush, policy: Policy): { title: string; body: string } {
  const owner = push.repo.split("/")[0] ?? "";
  const rows = push.commits.map((c) => `| \`${c.sha.slice(0, 7)}\` | ${echo(c.message.split("\n")[0] ?? "", 120)} | ${echo(c.author, 60)} |`);
  const mentions = mentionsOf(policy, owner);
  const body = [
    `${quietLogin(push.pusher)} pushed directly to the production branch ${inlineCode(push.branch)} at ${minute(push.at)}${push.forced ? " (a **force push**)" : ""}: ${plural(push.commits.length, "commit")} belong to no merged pull request into ${inlineCode(push.branch)}, so no review or check stood between them and production.`,
    "",
    "| Commit | Message | Author |",
    "|---|---|---|",
    ...rows,
    ...(push.truncated ? ["", "GitHub's push payload lists at most 20 commits; the push may hold more: see the comparison below."] : []),
    "",
    `Comparison: https://github.com/${push.repo}/compare/${push.before.slice(0, 12)}...${push.after.slice(0, 12)}`,
    "",
    "Review the commits retroactively, record why the push was needed (the emergency bypass justification form applies), and close this issue with the outcome.",
    ...(mentions.length > 0 ? ["", `cc ${mentions.join(" ")}`] : []),
  ].join("\n");
  return {
    title: fitIssueTitle(neutraliseMentions(`Direct push to ${push.branch} outside any pull request: ${push.after.slice(0, 7)}`)),
    body: fitBodyWithTail(body, directPushMarker(push.repo, push.after)),
  };
}

// ── The protection log ─────────────────────────────────────────────────────────────────────────

/** The protection log issue of a repository. */
export function renderProtectionLogIssue(repo: string, branch: string): { title: string; body: string } {
  return {
    title: fitIssueTitle(`Hotfix Guard protection log: ${repo}`),
    body: fitBodyWithTail(
      [
        `Hotfix Guard records here every change to the branch protection rules and rulesets that cover the production branch ${inlineCode(branch)} of ${repo}, one comment per change, so that protection switched off around a merge shows up in that merge's audit.`,
        "",
        "Keep this issue: the audit reads it. Closing it is fine; deleting it erases the record.",
      ].join("\n"),
      protectionLogMarker(repo),
    ),
  };
}

/** One entry of the protection log: readable text and the change, encoded, with its marker. */
export function renderProtectionEntry(change: ProtectionChange, entryMarker: string, deliveryId: string): string {
  return [
    `${minute(change.at)}: ${change.kind} ${echoCode(change.name, 100)} **${echo(change.action, 40)}** by ${quietLogin(change.actor)}.`,
    "",
    protectionEntryBlock(change, entryMarker, deliveryId),
  ].join("\n");
}

/** The logins that receive the audit issue: the configured admin users. */
export function auditAssignees(policy: Policy): string[] {
  return [...policy.config.audit.notify.users];
}
