/**
 * Short quotations of user text for findings. Rules quote what they found so the developer sees
 * it; the renderer escapes and neutralises whatever a finding contains, so rules only shorten.
 */
import { codeSpan } from "../markdown/escape.js";

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

/**
 * User text as inline code: the one escaping routine's code span (fence longer than any backtick
 * run inside, padded the way CommonMark strips, on one line).
 */
export function inlineCode(text: string): string {
  return codeSpan(text);
}

/** Each item as inline code, in prose: `a`, `b` and `c`. */
export function codeList(items: readonly string[]): string {
  return listInProse(items.map(inlineCode));
}
