/**
 * Making text safe to show. Findings quote PR text, branch names and config values; before any
 * of it reaches a check run or comment, HTML is defused (so no one can plant a hidden marker or
 * markup), `@mentions` stop notifying and table cells stay in their column. The escaping itself
 * lives in one routine, `src/markdown/escape.ts`, which agrees with CommonMark on what is code;
 * these names are what the renderers call.
 */
import { neutraliseAt, safeMarkdown, safeTableCell } from "../markdown/escape.js";

export { codeBlock, codeSpan, literalText } from "../markdown/escape.js";

const ZERO_WIDTH_SPACE = "\u200b";

/** Breaks `@login` and `@org/team` mentions so they neither notify nor link. */
export function neutraliseMentions(text: string): string {
  return neutraliseAt(text);
}

/**
 * Defuses HTML (comments, tags, entities) and mentions in prose, and leaves code spans as they
 * are (paired exactly as Markdown pairs them): inside code, `<` and `@` are shown literally and
 * notify no one, and a command stays exactly as the developer must copy it.
 */
export function safeText(text: string): string {
  return safeMarkdown(text);
}

/** Safe text on one line for a Markdown table cell. */
export function tableCell(text: string): string {
  return safeTableCell(text);
}

/**
 * Breaks `#123`, `owner/repo#123` and `GH-123` references so that echoed text neither links to
 * nor leaves a cross-reference on the issue it names.
 */
export function neutraliseReferences(text: string): string {
  return text.replace(/#(?=[0-9])/g, `#${ZERO_WIDTH_SPACE}`).replace(/\b(GH)-(?=[0-9])/gi, `$1-${ZERO_WIDTH_SPACE}`);
}
