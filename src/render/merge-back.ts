/**
 * What merge-back tracking writes: the reminder issue (title, checklist body), its closing and
 * escalation comments, the "merge-back complete" note on a hotfix that needs no reminder, and
 * the back-merge pull requests. The reminder body ends with its state as hidden JSON, so the
 * issue itself is the durable record: the next event parses it back (`src/model/records.ts`).
 * Pure; hostile text (PR titles, branch names) is escaped here and nowhere else.
 */
import { inlineCode, listInProse } from "../rules/excerpt.js";
import type { CleanupOutcome } from "../rules/merge-back.js";
import type { BackMerge, Evidence, ReminderState, Row } from "../model/merge-back.js";
import { fitBody, fitBodyWithTail, fitIssueTitle, GITHUB_LIMITS } from "./limits.js";
import { codeBlock, literalText, neutraliseMentions } from "./markdown.js";
import { reminderMarker, stateBlock } from "../model/records.js";

/** The label every reminder carries; with the marker, it finds reminders without listing every issue. */
export const REMINDER_LABEL = "hotfix:merge-back";

/** The hidden marker of the "merge-back complete" note on the hotfix pull request. */
export function completeNoteMarker(number: number): string {
  return `<!-- hotfix-guard:merge-back-complete pr=${number} -->`;
}

/** The hidden marker of the comment that closes the reminder of hotfix `number`. */
export function closingCommentMarker(number: number): string {
  return `<!-- hotfix-guard:merge-back-closed pr=${number} -->`;
}

/** The hidden marker of the escalation comment on the reminder of hotfix `number`. */
export function escalationCommentMarker(number: number): string {
  return `<!-- hotfix-guard:merge-back-escalated pr=${number} -->`;
}

function short(sha: string): string {
  return sha.slice(0, 7);
}

/** User text (a PR title, an error message) on one line, with no HTML, code span, mention or link syntax left to act. */
export function plainText(title: string): string {
  const oneLine = title.replace(/\s+/g, " ").trim();
  const cut = oneLine.length > 200 ? `${oneLine.slice(0, 199)}…` : oneLine;
  return literalText(cut);
}

function utc(iso: string | Date): string {
  return `${new Date(iso).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** A shell word: plain when safe, single-quoted otherwise. */
function shellWord(text: string): string {
  return /^[A-Za-z0-9._/@+=:,-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}

/** The title of the reminder: the branches that lacked the fix when it was opened. */
export function renderReminderTitle(state: ReminderState): string {
  const missing = state.rows.filter((row) => row.status === "missing").map((row) => row.target);
  const shown = missing.slice(0, 4);
  const more = missing.length > shown.length ? ` and ${missing.length - shown.length} more` : "";
  return fitIssueTitle(neutraliseMentions(`Back-merge hotfix #${state.hotfix.number} into ${shown.join(", ")}${more}`));
}

function evidenceText(evidence: Evidence, state: ReminderState): string {
  switch (evidence.via) {
    case "ancestry":
      return evidence.sha === state.hotfix.mergeSha && state.hotfix.mergeSha !== state.hotfix.headSha
        ? `the merge commit ${inlineCode(short(evidence.sha))} is in its history`
        : `the hotfix's head commit ${inlineCode(short(evidence.sha))} is in its history`;
    case "pull-request":
      return `merged through #${evidence.number}`;
    case "cherry-pick":
      return `cherry-picked (${evidence.shas.map((sha) => inlineCode(`cherry picked from commit ${short(sha)}`)).join(", ")})`;
    case "same-change":
      return `the same change is in it, copied by new commits (squashed or rebased; ${evidence.files} ${evidence.files === 1 ? "file" : "files"} compared)`;
  }
}

function whyMissing(row: Row, state: ReminderState): string {
  const { hotfix } = state;
  const target = inlineCode(row.target);
  const ancestry =
    hotfix.method === "merge" || hotfix.mergeSha === hotfix.headSha
      ? `the hotfix's head commit ${inlineCode(short(hotfix.headSha))} is not in ${target}`
      : `neither the hotfix's head commit ${inlineCode(short(hotfix.headSha))} nor its merge commit ${inlineCode(short(hotfix.mergeSha))} is in ${target}`;
  return `${ancestry}, no pull request merged into it comes from ${inlineCode(hotfix.headRef)} or mentions #${hotfix.number}, and none of its commits is a \`cherry picked from commit\` of the hotfix.`;
}

/** The commands that merge the hotfix into the target by hand, whether or not the hotfix branch still exists. */
export function mergeCommands(state: ReminderState, target: string): string {
  const branch = shellWord(target);
  const lines = [
    "git fetch origin",
    `git checkout ${branch}`,
    `git pull origin ${branch}`,
    `git fetch origin pull/${state.hotfix.number}/head`,
    `git merge --no-ff FETCH_HEAD -m ${shellWord(`Merge hotfix #${state.hotfix.number} into ${target}`)}`,
    `git push origin ${branch}`,
  ];
  return codeBlock(lines.join("\n"), "sh");
}

function conflictText(backMerge: BackMerge): string {
  const { conflicts } = backMerge;
  if (!conflicts) return "GitHub does not name the conflicting files, and this branch pair changed too many files for Hotfix Guard to narrow them down.";
  if (conflicts.total === 0) return "GitHub does not name the conflicting files.";
  const more = conflicts.total > conflicts.files.length ? ` (the first ${conflicts.files.length} of ${conflicts.total})` : "";
  return `Files changed on both sides, where the conflicts are${more}: ${listInProse(conflicts.files.map(inlineCode))}.`;
}

function backMergeText(row: Extract<Row, { status: "missing" }>): string {
  const { backMerge } = row;
  if (row.backMergeError) return `❌ Opening the back-merge pull request failed: ${plainText(row.backMergeError)}. Hotfix Guard tries again on the next push to this branch. Or merge by hand:`;
  if (!backMerge) return "Merge by hand:";
  switch (backMerge.state) {
    case "closed":
      return `Back-merge pull request #${backMerge.number} was closed without merging. Merge by hand:`;
    case "merged":
      return `Back-merge pull request #${backMerge.number} is merged; the next push to this branch ticks it off. Or merge by hand:`;
    case "open":
      if (backMerge.mergeable === false) {
        return `⚠️ Back-merge pull request #${backMerge.number} cannot be merged cleanly: GitHub reports conflicts. ${conflictText(backMerge)} Merge by hand, resolve the conflicts (\`git add\` the files, \`git commit\`), then push; #${backMerge.number} is then marked merged:`;
      }
      return backMerge.mergeable === true
        ? `Back-merge pull request #${backMerge.number} is open and merges cleanly. Or merge by hand:`
        : `Back-merge pull request #${backMerge.number} is open; GitHub has not yet said whether it merges cleanly. Or merge by hand:`;
  }
}

function rowText(row: Row, state: ReminderState): string {
  const target = `**${inlineCode(row.target)}**`;
  switch (row.status) {
    case "done":
      return `- [x] ${target}: has the fix: ${evidenceText(row.evidence, state)}.`;
    case "absent":
      return `- ➖ ${target}: skipped: configured as a target, but no such branch exists.`;
    case "released":
      return `- ➖ ${target}: skipped: merged into ${inlineCode(state.production)} since this reminder opened, so the release is finished.`;
    case "skipped":
      return `- ➖ ${target}: skipped by @${row.skip.by} at ${utc(row.skip.at)} (\`/hotfix skip-merge-back\`): ${plainText(row.skip.reason)}`;
    case "missing":
      return [`- [ ] ${target}: missing: ${whyMissing(row, state)}`, `  ${backMergeText(row)}`, "", indent(mergeCommands(state, row.target))].join("\n");
  }
}

function indent(block: string): string {
  return block
    .split("\n")
    .map((line) => `  ${line}`)
    .join("\n");
}


/**
 * The reminder body: a checklist row per target with why it is missing and the commands to fix
 * it, then the hidden state. The visible part is cut to fit GitHub's limit; the state never is.
 * @param escalatesAt - when the reminder escalates if still open.
 */
export function renderReminderBody(state: ReminderState, escalatesAt: Date): string {
  const { hotfix } = state;
  const merged =
    hotfix.method === "merge"
      ? `was merged into ${inlineCode(state.production)} at ${utc(hotfix.mergedAt)} (merge commit ${inlineCode(short(hotfix.mergeSha))})`
      : `was squashed or rebased into ${inlineCode(state.production)} at ${utc(hotfix.mergedAt)} (commit ${inlineCode(short(hotfix.mergeSha))})`;
  const intro = `Hotfix #${hotfix.number} (${plainText(hotfix.title)}) by @${hotfix.author} ${merged}. It must also reach the development branch and every active release branch. This issue ticks each branch off as the fix lands there and closes itself when every branch has it.`;
  const escalation = state.escalatedAt
    ? `Escalated at ${utc(state.escalatedAt)}.`
    : `If a branch still lacks the fix at ${utc(escalatesAt)}, Hotfix Guard comments here once, mentioning the author and the admins (\`merge_back.escalate_after_hours\`, \`audit.notify\`).`;
  const footer = "A branch counts as done when the hotfix's commits are in its history, a pull request into it from the hotfix branch or mentioning the hotfix was merged, or its commits were cherry-picked with `git cherry-pick -x`. Ticking a box by hand changes nothing; close this issue to stop tracking.";
  const visible = [reminderMarker(hotfix.number), intro, "### Branches", state.rows.map((row) => rowText(row, state)).join("\n"), escalation, footer].join("\n\n");
  const block = stateBlock(state);
  if (GITHUB_LIMITS.body - block.length < 1_000) throw new Error(`the merge-back state of hotfix #${hotfix.number} does not fit in an issue (${block.length} characters)`);
  return fitBodyWithTail(visible, block);
}


function doneList(state: ReminderState): string {
  return listInProse(state.rows.flatMap((row) => (row.status === "done" ? [`${inlineCode(row.target)} (${evidenceText(row.evidence, state)})`] : [])));
}

function skippedNote(state: ReminderState): string {
  const named = (status: Row["status"]) => state.rows.filter((row) => row.status === status).map((row) => inlineCode(row.target));
  const absent = named("absent");
  const released = named("released");
  const skipped = state.rows.flatMap((row) => (row.status === "skipped" ? [`${inlineCode(row.target)} (by @${row.skip.by}: ${plainText(row.skip.reason)})`] : []));
  return [
    absent.length > 0 ? `Skipped ${listInProse(absent)}: configured as ${absent.length === 1 ? "a target" : "targets"}, but no such branch exists.` : "",
    released.length > 0 ? `Skipped ${listInProse(released)}: merged into ${inlineCode(state.production)} since the reminder opened, so ${released.length === 1 ? "that release is" : "those releases are"} finished.` : "",
    skipped.length > 0 ? `Skipped by an authoriser: ${listInProse(skipped)}.` : "",
  ]
    .filter(Boolean)
    .join(" ");
}

function cleanupText(state: ReminderState, cleanup: CleanupOutcome): string {
  const branch = inlineCode(state.hotfix.headRef);
  switch (cleanup.kind) {
    case "deleted":
      return `Deleted the hotfix branch ${branch} (\`merge_back.delete_hotfix_branch\`).`;
    case "suggest":
      return `The hotfix branch ${branch} is no longer needed: delete it with ${inlineCode(`git push origin --delete ${shellWord(state.hotfix.headRef)}`)}, or set \`merge_back.delete_hotfix_branch: true\` to let Hotfix Guard do it.`;
    case "keep":
      return cleanup.reason === "new-commits" ? `The hotfix branch ${branch} has commits added since the merge, so it was left in place.` : "";
    case "gone":
      return "";
  }
}

/** The note on a hotfix pull request whose every target already had the fix at merge time. */
export function renderCompleteNote(state: ReminderState, cleanup: CleanupOutcome): string {
  const done = doneList(state);
  const summary = done ? `✅ Merge-back complete: hotfix #${state.hotfix.number} is already in ${done}. No reminder needed.` : `✅ Merge-back: no target branch exists, so there is nothing to merge hotfix #${state.hotfix.number} back into.`;
  return fitBody([completeNoteMarker(state.hotfix.number), summary, skippedNote(state), cleanupText(state, cleanup)].filter(Boolean).join("\n\n"));
}

/** The comment that closes a reminder once every target has the fix. */
export function renderClosingComment(state: ReminderState, cleanup: CleanupOutcome): string {
  const done = doneList(state);
  const summary = done
    ? `✅ Every target branch now has hotfix #${state.hotfix.number}: ${done}. Closing this reminder.`
    : `✅ No target branch needs hotfix #${state.hotfix.number} any more. Closing this reminder.`;
  return fitBodyWithTail([summary, skippedNote(state), cleanupText(state, cleanup)].filter(Boolean).join("\n\n"), closingCommentMarker(state.hotfix.number));
}

/**
 * The one escalation comment of an overdue reminder.
 * @param mentions - logins and `org/team` slugs to notify: the hotfix author and the admins.
 */
export function renderEscalationComment(state: ReminderState, mentions: readonly string[], hours: number, now: Date): string {
  const missing = state.rows.filter((row) => row.status === "missing").map((row) => inlineCode(row.target));
  const elapsed = Math.floor((now.getTime() - Date.parse(state.hotfix.mergedAt)) / 3_600_000);
  return fitBodyWithTail([
    `${mentions.map((who) => `@${who}`).join(" ")} ⏰ Hotfix #${state.hotfix.number} was merged ${elapsed} hours ago and still has not reached ${listInProse(missing)}. The policy asks for merge-back within ${hours} hours (\`merge_back.escalate_after_hours\`).`,
    "The checklist in this issue says what is missing and gives the commands to merge it by hand.",
  ].join("\n\n"), escalationCommentMarker(state.hotfix.number));
}

/** The title and body of the back-merge pull request of a target. */
export function renderBackMergePullRequest(state: ReminderState, target: string, reminderNumber: number): { title: string; body: string } {
  const { hotfix } = state;
  return {
    title: fitIssueTitle(neutraliseMentions(`Back-merge hotfix #${hotfix.number} into ${target}`)),
    body: fitBody([
      `<!-- hotfix-guard:back-merge pr=${hotfix.number} -->`,
      `Brings hotfix #${hotfix.number} (${plainText(hotfix.title)}) into ${inlineCode(target)}. Tracked in #${reminderNumber}.`,
      `Opened by Hotfix Guard because \`merge_back.open_pull_requests\` is on. Any merge method works: Hotfix Guard recognises this pull request by its reference to #${hotfix.number} and ticks ${inlineCode(target)} off in #${reminderNumber} once it is merged.`,
    ].join("\n\n")),
  };
}
