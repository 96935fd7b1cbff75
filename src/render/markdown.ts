/**
 * Making text safe to show. Findings quote PR text, branch names and config values; before any
 * of it reaches a check run or comment, HTML is defused (so no one can plant a hidden marker or
 * markup), `@mentions` stop notifying and table cells stay in their column.
 */

const ZERO_WIDTH_SPACE = "\u200b";

/** Breaks `@login` and `@org/team` mentions so they neither notify nor link. */
export function neutraliseMentions(text: string): string {
  return text.replace(/@(?=[A-Za-z0-9])/g, `@${ZERO_WIDTH_SPACE}`);
}

const CODE = /(```[\s\S]*?```|`[^`\n]*`)/;

/**
 * Defuses HTML (comments, tags) and mentions in prose, and leaves code spans and fences as they
 * are: inside code, `<` and `@` are shown literally and notify no one, and a command stays
 * exactly as the developer must copy it.
 */
export function safeText(text: string): string {
  return text
    .split(CODE)
    .map((part, index) => (index % 2 === 1 ? part : neutraliseMentions(part.replaceAll("<", "&lt;"))))
    .join("");
}

/** Safe text on one line for a Markdown table cell. */
export function tableCell(text: string): string {
  return safeText(text).replace(/\r?\n/g, "<br>").replaceAll("|", "\\|");
}

/** Cuts Markdown to at most `max` characters at a line boundary, saying that it did. */
export function truncateMarkdown(markdown: string, max: number): string {
  if (markdown.length <= max) return markdown;
  const note = "\n\n…(cut: GitHub limits this text to 65,536 characters)";
  const cut = markdown.slice(0, max - note.length);
  const lastLine = cut.lastIndexOf("\n");
  return `${lastLine > 0 ? cut.slice(0, lastLine) : cut}${note}`;
}

/**
 * Breaks `#123`, `owner/repo#123` and `GH-123` references so that echoed text neither links to
 * nor leaves a cross-reference on the issue it names.
 */
export function neutraliseReferences(text: string): string {
  return text.replace(/#(?=[0-9])/g, `#${ZERO_WIDTH_SPACE}`).replace(/\b(GH)-(?=[0-9])/gi, `$1-${ZERO_WIDTH_SPACE}`);
}
