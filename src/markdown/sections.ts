/**
 * Reads a pull request description the way a reviewer does: headings and `**Label:** value`
 * fields become sections, checkboxes keep their state, and text inside `<!-- -->` is not content.
 * Built on marked's lexer (a real CommonMark tokenizer) so that a `**Severity:**` inside a code
 * block or a comment is never mistaken for a filled-in field. Never throws; input is capped.
 */
import { Lexer, marked, type Token, type Tokens } from "marked";

/** GitHub caps pull request and comment bodies at 65,536 characters; anything longer is cut. */
export const MAX_BODY_LENGTH = 65_536;
/** Nesting (lists in lists, quotes in quotes) deeper than this is read as plain text. */
const MAX_DEPTH = 24;
/** A line's leading list and quote markers are cut to this many characters, bounding nesting. */
const MAX_CONTAINER_PREFIX = 48;
/** A `**Label:**` longer than this is emphasis, not a field label. */
const MAX_LABEL_LENGTH = 80;

/** A checkbox list item (`- [x] text`). */
export interface Checkbox {
  readonly checked: boolean;
  readonly text: string;
}

/** A heading section or a `**Label:**` field, with its content as plain text. */
export interface Section {
  readonly kind: "heading" | "field";
  /** The title as written, without Markdown. */
  readonly title: string;
  /** The title compared without case, emoji or punctuation. */
  readonly key: string;
  /** The section's content as plain text, comments removed, one block per line. */
  readonly text: string;
  /** Fields inside a heading section (empty for a field). */
  readonly fields: readonly Section[];
  readonly checkboxes: readonly Checkbox[];
}

/** A parsed description. */
export interface ParsedBody {
  readonly sections: readonly Section[];
  /** True when the body was longer than {@link MAX_BODY_LENGTH} and was cut. */
  readonly truncated: boolean;
}

/** Options for {@link parseBody}. */
export interface ParseOptions {
  /** Whether fenced and indented code counts as content (default true; a justification says false). */
  readonly includeCode?: boolean;
  /** Whether an image's alt text counts as content (default true; a justification says false). */
  readonly includeImageText?: boolean;
}

const CONTAINER_PREFIX = /^[ \t>*+\-0-9.)]+/;

/**
 * Cuts each line's run of leading container markers (`> - 1. ` …) to at most `max` characters, so
 * that a hostile body of thousands of nested lists or quotes cannot exhaust marked's recursion.
 * Every use of marked's lexer on user text goes through it.
 */
export function boundNesting(source: string, max = MAX_CONTAINER_PREFIX): string {
  return source
    .split("\n")
    .map((line) => {
      const prefix = CONTAINER_PREFIX.exec(line)?.[0];
      return prefix && prefix.length > max ? line.slice(prefix.length - max) : line;
    })
    .join("\n");
}

type Entry =
  | { kind: "heading"; depth: number; title: string }
  | { kind: "field"; label: string; value: string }
  | { kind: "text"; text: string }
  | { kind: "checkbox"; checked: boolean; text: string };

/** Lowercases and reduces a title to letters and digits separated by single spaces. */
export function normalizeName(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

const COMMENT = /<!--[\s\S]*?(?:-->|$)/g;
const TAG = /<\/?[A-Za-z][^<>]*>/g;

/** Removes HTML comments and tags from raw HTML, keeping the text between tags. */
function htmlToText(html: string): string {
  return html.replace(COMMENT, "").replace(TAG, "");
}

function renderInline(tokens: readonly Token[] | undefined): string {
  if (!tokens) return "";
  let out = "";
  for (const token of tokens) out += renderInlineToken(token);
  return out;
}

function renderInlineToken(token: Token): string {
  switch (token.type) {
    case "strong":
      return `**${renderInline((token as Tokens.Strong).tokens)}**`;
    case "em":
    case "del":
      return renderInline((token as Tokens.Em).tokens);
    case "codespan":
      return (token as Tokens.Codespan).text;
    case "br":
      return "\n";
    case "link": {
      const link = token as Tokens.Link;
      const text = renderInline(link.tokens);
      return text === link.href ? link.href : `${text} (${link.href})`;
    }
    case "image":
      return (token as Tokens.Image).text;
    case "html":
      return htmlToText((token as Tokens.HTML).text);
    case "checkbox":
      return "";
    case "text": {
      const text = token as Tokens.Text;
      return text.tokens ? renderInline(text.tokens) : text.text;
    }
    default:
      return "text" in token && typeof token.text === "string" ? token.text : "";
  }
}

const FIELD_LINE = /^\s*\*\*([^*\n]+)\*\*\s*(.*)$/;

/** Splits rendered inline text into field and text entries, line by line. */
function linesToEntries(rendered: string, entries: Entry[]): void {
  for (const line of rendered.split("\n")) {
    const field = FIELD_LINE.exec(line);
    if (field) {
      const label = (field[1] as string).trim();
      let rest = (field[2] as string).trim();
      const colonInside = label.endsWith(":");
      const colonAfter = rest.startsWith(":");
      if ((colonInside || colonAfter) && label.length <= MAX_LABEL_LENGTH) {
        if (colonAfter) rest = rest.slice(1).trim();
        entries.push({ kind: "field", label: colonInside ? label.slice(0, -1).trim() : label, value: rest });
        continue;
      }
    }
    const text = line.replaceAll("**", "").trim();
    if (text) entries.push({ kind: "text", text });
  }
}

function blocksToEntries(tokens: readonly Token[], entries: Entry[], options: Required<ParseOptions>, depth: number): void {
  for (const token of tokens) {
    if (depth > MAX_DEPTH) {
      const text = htmlToText(token.raw).trim();
      if (text) entries.push({ kind: "text", text });
      continue;
    }
    switch (token.type) {
      case "heading": {
        const heading = token as Tokens.Heading;
        entries.push({ kind: "heading", depth: heading.depth, title: renderInline(heading.tokens).replaceAll("**", "").trim() });
        break;
      }
      case "paragraph":
      case "text": {
        const inline = token as Tokens.Paragraph | Tokens.Text;
        linesToEntries(inline.tokens ? renderInline(inline.tokens) : inline.text, entries);
        break;
      }
      case "list":
        for (const item of (token as Tokens.List).items) listItemToEntries(item, entries, options, depth + 1);
        break;
      case "blockquote":
        blocksToEntries((token as Tokens.Blockquote).tokens, entries, options, depth + 1);
        break;
      case "code":
        if (options.includeCode && (token as Tokens.Code).text.trim()) entries.push({ kind: "text", text: (token as Tokens.Code).text });
        break;
      case "html": {
        const text = htmlToText((token as Tokens.HTML).text).trim();
        if (text) linesToEntries(text, entries);
        break;
      }
      case "table": {
        const table = token as Tokens.Table;
        for (const row of [table.header, ...table.rows]) {
          const text = row.map((cell) => renderInline(cell.tokens).trim()).join(" | ");
          if (text.replaceAll("|", "").trim()) entries.push({ kind: "text", text });
        }
        break;
      }
      default:
        break;
    }
  }
}

function listItemToEntries(item: Tokens.ListItem, entries: Entry[], options: Required<ParseOptions>, depth: number): void {
  if (!item.task) {
    blocksToEntries(item.tokens, entries, options, depth);
    return;
  }
  const [first, ...rest] = item.tokens.filter((token) => token.type !== "checkbox");
  const own: Token[] = first ? [first] : [];
  const text = own.length > 0 ? collectText(own, options, depth) : "";
  entries.push({ kind: "checkbox", checked: Boolean(item.checked), text });
  blocksToEntries(rest, entries, options, depth);
}

function collectText(tokens: readonly Token[], options: Required<ParseOptions>, depth: number): string {
  const inner: Entry[] = [];
  blocksToEntries(tokens, inner, options, depth);
  return inner
    .map((entry) => (entry.kind === "field" ? `${entry.label}: ${entry.value}` : entry.kind === "heading" ? entry.title : entry.text))
    .join("\n")
    .trim();
}

function entryText(entry: Entry): string {
  switch (entry.kind) {
    case "field":
      return entry.value;
    case "text":
      return entry.text;
    case "checkbox":
      return `[${entry.checked ? "x" : " "}] ${entry.text}`;
    case "heading":
      return "";
  }
}

function buildSections(entries: readonly Entry[]): Section[] {
  const sections: Section[] = [];
  entries.forEach((entry, index) => {
    if (entry.kind === "heading") {
      let end = index + 1;
      while (end < entries.length) {
        const next = entries[end] as Entry;
        if (next.kind === "heading" && next.depth <= entry.depth) break;
        end += 1;
      }
      const span = entries.slice(index + 1, end);
      sections.push({
        kind: "heading",
        title: entry.title,
        key: normalizeName(entry.title),
        text: span.map(entryText).filter(Boolean).join("\n"),
        fields: fieldsIn(span),
        checkboxes: checkboxesIn(span),
      });
    } else if (entry.kind === "field") {
      sections.push(fieldSection(entries, index));
    }
  });
  return sections;
}

function fieldSection(entries: readonly Entry[], index: number): Section {
  const entry = entries[index] as Extract<Entry, { kind: "field" }>;
  let end = index + 1;
  while (end < entries.length && (entries[end] as Entry).kind !== "field" && (entries[end] as Entry).kind !== "heading") end += 1;
  const span = entries.slice(index + 1, end);
  return {
    kind: "field",
    title: entry.label,
    key: normalizeName(entry.label),
    text: [entry.value, ...span.map(entryText)].filter(Boolean).join("\n"),
    fields: [],
    checkboxes: checkboxesIn(span),
  };
}

function fieldsIn(span: readonly Entry[]): Section[] {
  const fields: Section[] = [];
  span.forEach((entry, index) => {
    if (entry.kind === "field") fields.push(fieldSection(span, index));
  });
  return fields;
}

function checkboxesIn(span: readonly Entry[]): Checkbox[] {
  return span.flatMap((entry) => (entry.kind === "checkbox" ? [{ checked: entry.checked, text: entry.text }] : []));
}

/** Empties every image's alt text, so that text shown to no reader is not read as content. */
function dropImageText(tokens: Token[]): void {
  const images: Tokens.Image[] = [];
  marked.walkTokens(tokens, (token) => {
    if (token.type === "image") images.push(token as Tokens.Image);
  });
  for (const image of images) {
    image.text = "";
    image.tokens = [];
  }
}

/**
 * Parses a pull request description or comment into sections. Never throws: a body marked cannot
 * tokenize yields no sections, which every rule reads as "section missing".
 */
export function parseBody(body: string | null | undefined, options: ParseOptions = {}): ParsedBody {
  const source = body ?? "";
  const truncated = source.length > MAX_BODY_LENGTH;
  const resolved: Required<ParseOptions> = { includeCode: options.includeCode ?? true, includeImageText: options.includeImageText ?? true };
  const entries: Entry[] = [];
  try {
    const tokens = Lexer.lex(boundNesting(truncated ? source.slice(0, MAX_BODY_LENGTH) : source));
    if (!resolved.includeImageText) dropImageText(tokens);
    blocksToEntries(tokens, entries, resolved, 0);
  } catch {
    return { sections: [], truncated };
  }
  return { sections: buildSections(entries), truncated };
}

/**
 * Finds a section by name: a `**Label:**` field or a heading whose normalized title equals the
 * name's. Fields win over headings, and the first occurrence wins.
 */
export function findSection(parsed: ParsedBody, name: string): Section | undefined {
  const key = normalizeName(name);
  return parsed.sections.find((s) => s.kind === "field" && s.key === key) ?? parsed.sections.find((s) => s.key === key);
}

const BRACKETED = /\[[^[\]\n]*\]/g;
const NON_ANSWERS = new Set(["tbd", "todo", "fixme", "n a", "na", "xxx", "none yet", "to do", "to be determined"]);

/**
 * Why a piece of section text is not real content, or null when it is: empty, only the
 * template's `[bracketed placeholder]`, or a non-answer such as "TBD".
 */
export function contentProblem(text: string): "empty" | "placeholder" | "non-answer" | null {
  const trimmed = text.trim();
  if (!/[\p{L}\p{N}]/u.test(trimmed)) return "empty";
  if (!/[\p{L}\p{N}]/u.test(trimmed.replace(BRACKETED, ""))) return "placeholder";
  if (NON_ANSWERS.has(normalizeName(trimmed))) return "non-answer";
  return null;
}
