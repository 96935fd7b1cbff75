/**
 * The one way user text enters Markdown the app writes. Everything the app shows on GitHub (check
 * runs, audit comments, issues) quotes hostile text: branch names, template fields, config values.
 * A quotation must never become a live `@mention` or `@org/team`, raw HTML or a hidden marker,
 * whatever backticks, entities or line breaks it holds. The escaping agrees with CommonMark (and
 * so with GitHub and `marked`): a code span's fence is longer than any backtick run inside it and
 * is padded the way the spec strips; outside code, the text is scanned for code spans exactly as
 * the spec pairs them, and every backtick the spec would not pair, every `<`, `&` and `@` and
 * every bare link (which would swallow a backtick) is defused, so no later pairing can differ
 * from the one this module saw. Pure.
 */

const ZERO_WIDTH_SPACE = "\u200b";
const LINE_BREAK = /\r\n|\r|\n/g;
const ASCII_PUNCTUATION = /[!-/:-@[-`{-~]/;

/** Breaks every `@` so that neither `@login` nor `@org/team` notifies or links. */
export function neutraliseAt(text: string): string {
  return text.replace(/@(?!\u200b)/g, `@${ZERO_WIDTH_SPACE}`);
}

/**
 * Breaks what GitHub's Markdown links by itself (`https://…`, `www.…`, `user@host`): such a
 * link runs to the next space and would swallow the backtick that opens a following code span,
 * so the renderer would pair the backticks after it differently.
 */
function breakAutolinks(text: string): string {
  return neutraliseAt(text.replace(/:\/\//g, `:${ZERO_WIDTH_SPACE}//`).replace(/(www)\./gi, `$1${ZERO_WIDTH_SPACE}.`));
}

function longestBacktickRun(text: string): number {
  let longest = 0;
  let run = 0;
  for (const char of text) {
    run = char === "`" ? run + 1 : 0;
    longest = Math.max(longest, run);
  }
  return longest;
}

/**
 * The text as an inline code span, shown literally on one line: line breaks become spaces (a
 * blank line would end the paragraph and the span with it), the fence is one backtick longer
 * than the longest run inside, and the content is padded with a space on both sides when
 * CommonMark would otherwise merge a backtick into the fence or strip a space of the text.
 */
export function codeSpan(text: string): string {
  const content = text.replace(LINE_BREAK, " ");
  if (content === "") return "` `";
  const fence = "`".repeat(longestBacktickRun(content) + 1);
  const allSpaces = content.trim() === "";
  const pad = !allSpaces && (content.startsWith("`") || content.endsWith("`") || (content.startsWith(" ") && content.endsWith(" ")));
  return pad ? `${fence} ${content} ${fence}` : `${fence}${content}${fence}`;
}

/**
 * The text as a fenced code block: the fence is longer than any backtick run inside, so no line
 * of the text can close it. An info string (such as `sh`) is kept only when it is a plain word.
 */
export function codeBlock(text: string, info = ""): string {
  const fence = "`".repeat(Math.max(3, longestBacktickRun(text) + 1));
  const language = /^[A-Za-z0-9_+-]{1,20}$/.test(info) ? info : "";
  return `${fence}${language}\n${text.replace(LINE_BREAK, "\n")}\n${fence}`;
}

const HTML_SPECIAL: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;" };

/**
 * User text as literal prose: `&`, `<` and `>` are written as entities, the characters of code,
 * emphasis, links and tables are backslash-escaped and every `@` is broken, so the text shows as
 * written and does nothing. Line breaks are kept.
 */
export function literalText(text: string): string {
  return breakAutolinks(text.replace(/[\\`*_[\]<>|~&]/g, (char) => HTML_SPECIAL[char] ?? `\\${char}`));
}

/** A code span on a line: [start, end) of the whole span, fences included. */
export interface CodeSpanRange {
  readonly start: number;
  readonly end: number;
}

/**
 * The code spans of one line, paired the way CommonMark pairs backticks: a backslash before ASCII
 * punctuation escapes it (outside code only), and a run of n backticks opens a span closed by the
 * next run of exactly n; an unmatched run is literal text.
 */
export function scanCodeSpans(line: string): CodeSpanRange[] {
  const spans: CodeSpanRange[] = [];
  let i = 0;
  while (i < line.length) {
    const char = line[i] as string;
    if (char === "\\" && i + 1 < line.length && ASCII_PUNCTUATION.test(line[i + 1] as string)) {
      i += 2;
      continue;
    }
    if (char !== "`") {
      i += 1;
      continue;
    }
    let runEnd = i;
    while (line[runEnd] === "`") runEnd += 1;
    const length = runEnd - i;
    const close = closingRun(line, runEnd, length);
    if (close === -1) {
      i = runEnd;
      continue;
    }
    spans.push({ start: i, end: close + length });
    i = close + length;
  }
  return spans;
}

/** One line as alternating prose and code pieces. */
function scanLine(line: string): { code: boolean; text: string }[] {
  const pieces: { code: boolean; text: string }[] = [];
  let at = 0;
  for (const span of scanCodeSpans(line)) {
    if (span.start > at) pieces.push({ code: false, text: line.slice(at, span.start) });
    pieces.push({ code: true, text: line.slice(span.start, span.end) });
    at = span.end;
  }
  if (at < line.length) pieces.push({ code: false, text: line.slice(at) });
  return pieces;
}

/** The start of the next run of exactly `length` backticks from `from`, or -1. */
function closingRun(line: string, from: number, length: number): number {
  let i = from;
  while (i < line.length) {
    if (line[i] !== "`") {
      i += 1;
      continue;
    }
    let end = i;
    while (line[end] === "`") end += 1;
    if (end - i === length) return i;
    i = end;
  }
  return -1;
}

/** Prose outside code: HTML, entities and mentions defused, and backticks the spec left unpaired escaped. */
function defuseProse(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i] as string;
    if (char === "\\" && i + 1 < text.length && ASCII_PUNCTUATION.test(text[i + 1] as string)) {
      const next = text[i + 1] as string;
      out += next === "@" ? `\\@${ZERO_WIDTH_SPACE}` : next === "&" ? "\\&" : `\\${next}`;
      i += 1;
      continue;
    }
    if (char === "<") out += "&lt;";
    else if (char === "&") out += "&amp;";
    else if (char === "`") out += "\\`";
    else out += char;
  }
  return breakAutolinks(out);
}

/**
 * Markdown that may quote user text (a finding, a remedy): code spans, paired the way CommonMark
 * pairs them on each line, are kept as they are (inside code nothing notifies and a command stays
 * exactly as the developer must copy it); outside them HTML, entities and mentions are defused
 * and every backtick left unpaired is escaped, so no renderer can pair them otherwise.
 */
export function safeMarkdown(text: string): string {
  return text
    .split(LINE_BREAK)
    .map((line) =>
      scanLine(line)
        .map((piece) => (piece.code ? piece.text : defuseProse(piece.text)))
        .join(""),
    )
    .join("\n");
}

/**
 * Safe Markdown on one line for a table cell: {@link safeMarkdown} of each line, joined with
 * `<br>`, with every `|` escaped for the table (a backslash before it is kept apart by a zero
 * width space, so it cannot cancel the escape and end the cell).
 */
export function safeTableCell(text: string): string {
  return text
    .split(LINE_BREAK)
    .map(safeMarkdown)
    .join("<br>")
    .replace(/\\?\|/g, (match) => (match.length === 2 ? `\\${ZERO_WIDTH_SPACE}\\|` : "\\|"));
}
