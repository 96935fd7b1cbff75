/**
 * Judges rendered Markdown the way GitHub would act on it, using the real Markdown renderer
 * `marked`: which raw HTML it passes through, and which `@mentions` stay live (text outside
 * `<code>` and `<pre>`, entities decoded, as GitHub's mention filter sees it).
 */
import fc from "fast-check";
import { marked, type Token } from "marked";

/** Raw HTML the renderers emit themselves (a line break in a table cell). */
const OWN_HTML = new Set(["<br>"]);

/** The raw HTML tokens marked finds in the Markdown, other than the renderers' own `<br>`. */
export function rawHtml(markdown: string): string[] {
  const found: string[] = [];
  marked.walkTokens(marked.lexer(markdown), (token: Token) => {
    if (token.type === "html" && !OWN_HTML.has(token.raw.trim())) found.push(token.raw);
  });
  return found;
}

/** How many `<br>` tokens marked finds. */
export function lineBreakTags(markdown: string): number {
  let count = 0;
  marked.walkTokens(marked.lexer(markdown), (token: Token) => {
    if (token.type === "html" && token.raw.trim() === "<br>") count += 1;
  });
  return count;
}

function decodeEntities(text: string): string {
  return text
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCodePoint(Number(code)))
    .replace(/&#x([0-9a-f]+);/gi, (_, code: string) => String.fromCodePoint(Number.parseInt(code, 16)))
    .replace(/&commat;/g, "@")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");
}

/** The text GitHub's mention filter would read: rendered HTML without code, tags removed, entities decoded. */
export function mentionableText(markdown: string): string {
  const html = marked.parse(markdown, { async: false });
  const withoutCode = html.replace(/<pre[\s\S]*?<\/pre>/g, " ").replace(/<code>[\s\S]*?<\/code>/g, " ");
  return decodeEntities(withoutCode.replace(/<[^>]*>/g, " "));
}

/** Live `@login` and `@org/team` mentions in rendered Markdown. */
export function liveMentions(markdown: string): string[] {
  return [...mentionableText(markdown).matchAll(/@[A-Za-z0-9][A-Za-z0-9-]*(?:\/[A-Za-z0-9_.-]+)?/g)].map((m) => m[0]);
}

/** The number of `<td>` cells in the first body row of the rendered table. */
export function cellsInFirstRow(markdown: string): number {
  const html = marked.parse(markdown, { async: false });
  const row = /<tbody>\s*<tr>([\s\S]*?)<\/tr>/.exec(html)?.[1] ?? "";
  return (row.match(/<td/g) ?? []).length;
}

/** Hostile text: backticks, mentions, HTML, entities, escapes, pipes, line breaks, zero-width and confusable characters. */
export const hostileText = fc
  .array(
    fc.constantFrom(
      "`", "``", "```", "````", "~~~", "@", "@admin", "@acme/admins", "@ADMİN", "<", ">", "<img src=x onerror=alert(1)>", "<details>", "</details>",
      "<!--", "-->", "<br>", "<https://evil.example>", "&", "&#64;", "&commat;", "&#x40;", "\\", "\\`", "\\|", "|", "\n", "\r\n", "\n\n", "\r",
      " ", "  ", "    ", "a", "x", "-", "*", "_", "[", "]", "(", ")", "#", "# ", "> ", "- ", "1. ", "\u200b", "\u2060", "\u00ad", "ａｄｍｉｎ", "\u212A",
      "<!-- hotfix-guard:audit pr=1 -->", "<script>", "</code>", "<code>", "www.evil.example", "WWW.x", "a@b.example", "https://a.example", "ftp://x", "mailto:a@b.example",
    ),
    { maxLength: 40 },
  )
  .map((parts) => parts.join(""));

/** Line breaks in a text: the most `<br>` tags a table cell of it may hold. */
export function lineBreaks(text: string): number {
  return (text.match(/\r\n|\r|\n/g) ?? []).length;
}
