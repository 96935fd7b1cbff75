/**
 * Short quotations of user text for findings. Rules quote what they found so the developer sees
 * it; the renderer escapes and neutralises whatever a finding contains, so rules only shorten.
 */

/** The text on one line, cut to `max` characters with an ellipsis. */
export function excerpt(text: string, max = 80): string {
  const oneLine = text.replace(/\s+/g, " ").trim();
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}

/** A list in prose: "a", "a and b", "a, b and c". */
export function listInProse(items: readonly string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

/** Inline code that survives backticks inside the text: the fence is longer than any run in it. */
export function inlineCode(text: string): string {
  let longestRun = 0;
  let run = 0;
  for (const char of text) {
    run = char === "`" ? run + 1 : 0;
    longestRun = Math.max(longestRun, run);
  }
  const fence = "`".repeat(longestRun + 1);
  return longestRun > 0 ? `${fence} ${text} ${fence}` : `${fence}${text}${fence}`;
}

/** Each item as inline code, in prose: `a`, `b` and `c`. */
export function codeList(items: readonly string[]): string {
  return listInProse(items.map(inlineCode));
}
