/**
 * GitHub's output limits, in one place, and the one way every renderer stays within them. A
 * write over a limit is refused with a 422: for the check run, that means no check at all, which
 * blocks every pull request when the check is required. So every title, summary, text, comment
 * and issue body the app renders passes through here, whatever the input, and a cut is always
 * marked visibly. Lengths are counted in UTF-16 code units, which is never less than the
 * characters GitHub counts. Pure.
 *
 * Sources: GitHub's REST reference for check runs (`output.summary` and `output.text`: "Maximum
 * length: 65535 characters"); the 422 messages of the issues API ("body is too long (maximum is
 * 65536 characters)", "title is too long (maximum is 256 characters)") and of the labels API
 * ("name is too long (maximum is 50 characters)"). A check run's name and title have no
 * documented limit; the app keeps them as short as an issue title.
 */
import type { CheckRunOutput } from "../model/check-run.js";
import { scanCodeSpans } from "../markdown/escape.js";

/** GitHub's limits, in characters. */
export const GITHUB_LIMITS = {
  /** A check run's `output.summary`. */
  checkRunSummary: 65_535,
  /** A check run's `output.text`. */
  checkRunText: 65_535,
  /** A check run's `output.title` (undocumented: kept to an issue title's limit). */
  checkRunTitle: 256,
  /** A check run's `name` (undocumented: kept to an issue title's limit). */
  checkRunName: 256,
  /** An issue, pull request or comment body. */
  body: 65_536,
  /** An issue or pull request title. */
  issueTitle: 256,
  /** A label's name. */
  labelName: 50,
} as const;

/**
 * Room the app keeps free in a check run summary for the fingerprint marker that the check-run
 * publisher appends after rendering.
 */
const CHECK_SUMMARY_MARKER_ROOM = 200;

const CUT_NOTE = "\n\n…(cut: the rest does not fit in GitHub's limit for this text)";
const TITLE_ELLIPSIS = "…";

/** The end of the last whole character at or before `index` (never splits a surrogate pair). */
function safeIndex(text: string, index: number): number {
  const code = text.charCodeAt(index - 1);
  return index > 0 && code >= 0xd800 && code <= 0xdbff ? index - 1 : index;
}

/**
 * Where a cut at `index` may fall on its line without leaving a code span open: before the
 * span that `index` falls in, so that a quotation inside code never spills into prose.
 */
function outsideCodeSpan(text: string, index: number): number {
  const lineStart = text.lastIndexOf("\n", index - 1) + 1;
  const line = text.slice(lineStart, text.indexOf("\n", lineStart) === -1 ? undefined : text.indexOf("\n", lineStart));
  for (const span of scanCodeSpans(line)) {
    if (lineStart + span.start < index && index < lineStart + span.end) return lineStart + span.start;
  }
  return index;
}

/**
 * Cuts Markdown to at most `max` characters, at a line boundary when there is one, never inside
 * a code span or a surrogate pair, and says that it did. Returns the text unchanged when it fits.
 */
function truncateMarkdown(markdown: string, max: number): string {
  if (markdown.length <= max) return markdown;
  const room = Math.max(0, max - CUT_NOTE.length);
  const cut = markdown.slice(0, room);
  const lastLine = cut.lastIndexOf("\n");
  const end = lastLine > 0 ? lastLine : safeIndex(markdown, outsideCodeSpan(markdown, room));
  return `${markdown.slice(0, end)}${CUT_NOTE}`.slice(0, max);
}

/** A one-line title cut to `max` characters, ending in an ellipsis when it was cut. */
function truncateTitle(title: string, max: number): string {
  const oneLine = title.replace(/[\r\n]+/g, " ");
  if (oneLine.length <= max) return oneLine;
  return `${oneLine.slice(0, safeIndex(oneLine, max - TITLE_ELLIPSIS.length))}${TITLE_ELLIPSIS}`;
}

/** An issue or comment body within GitHub's limit, less `reserve` characters kept for what follows it. */
export function fitBody(body: string, reserve = 0): string {
  return truncateMarkdown(body, GITHUB_LIMITS.body - reserve);
}

/** An issue or pull request title within GitHub's limit. */
export function fitIssueTitle(title: string): string {
  return truncateTitle(title, GITHUB_LIMITS.issueTitle);
}

/** A check run's output within GitHub's limits, with room kept in the summary for the fingerprint marker. */
export function fitCheckRun(output: CheckRunOutput): CheckRunOutput {
  return {
    ...output,
    name: truncateTitle(output.name, GITHUB_LIMITS.checkRunName),
    title: truncateTitle(output.title, GITHUB_LIMITS.checkRunTitle),
    summary: truncateMarkdown(output.summary, GITHUB_LIMITS.checkRunSummary - CHECK_SUMMARY_MARKER_ROOM),
    ...(output.text === undefined ? {} : { text: truncateMarkdown(output.text, GITHUB_LIMITS.checkRunText) }),
  };
}

/**
 * A body whose hidden tail (a marker the app looks up, a record it reads back) must survive: the
 * visible part is cut to leave room for it, and the tail is never cut. `reserve` keeps room for a
 * later in-place edit that lengthens the body.
 */
export function fitBodyWithTail(visible: string, tail: string, reserve = 0): string {
  return `${fitBody(visible, tail.length + 2 + reserve)}\n\n${tail}`;
}
