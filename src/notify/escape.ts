/**
 * User text (a PR title, a description's section, a branch name) made inert for each chat's
 * markup, so it can never ping a channel, link elsewhere or format the message. Slack's mrkdwn
 * and Teams' Adaptive Card markdown differ, so each has its own escaper; both first flatten the
 * text to one line of bounded length (a value is always rendered after its label, never at the
 * start of a line, so it cannot start a quote or a list).
 */

/** The longest value a message shows; longer text is cut with an ellipsis. */
export const VALUE_LIMIT = 300;

/** U+2060 WORD JOINER: invisible, and it breaks `@channel`, `@here` and `@user` so no mention resolves. */
const JOINER = "\u2060";

/** One line, control characters and invisible direction marks removed, cut at {@link VALUE_LIMIT}. */
export function flatten(text: string, limit = VALUE_LIMIT): string {
  const line = text
    .replace(/[\u0000-\u001f\u007f\u200e\u200f\u202a-\u202e\u2066-\u2069]+/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  const chars = [...line];
  return chars.length > limit ? `${chars.slice(0, limit - 1).join("")}…` : line;
}

/** Look-alikes of the characters that open emphasis or code in both chats' markup. */
const FORMATTING: Readonly<Record<string, string>> = { "*": "\u2217", _: "\u02cd", "~": "\u223c", "`": "\u02cb" };
/** Slack's own entities for the characters that open `<!channel>`, `<@U…>` and `<url|text>`. */
const SLACK: Readonly<Record<string, string>> = { ...FORMATTING, "&": "&amp;", "<": "&lt;", ">": "&gt;", "@": `@${JOINER}` };
/** Full-width look-alikes for links and `<at>` mentions, and the word joiner after `@`. */
const TEAMS: Readonly<Record<string, string>> = { ...FORMATTING, "[": "\uff3b", "]": "\uff3d", "<": "\uff1c", ">": "\uff1e", "@": `@${JOINER}` };

function swap(text: string, table: Readonly<Record<string, string>>): string {
  return [...text].map((char) => table[char] ?? char).join("");
}

/**
 * Slack mrkdwn: `&`, `<`, `>` become entities (Slack's own escaping: no `<!channel>`, `<@U…>`
 * or `<url|text>` survives), `@` is followed by a word joiner (no `@channel`/`@here` even where
 * Slack links names), and the formatting characters `*` `_` `~` `` ` `` become look-alikes, since
 * mrkdwn has no escape for them.
 */
export function escapeSlack(text: string, limit = VALUE_LIMIT): string {
  return swap(flatten(text, limit), SLACK);
}

/** A URL inside Slack's `<url|text>`: the characters that would end or split the link are percent-encoded. */
export function slackUrl(url: string): string {
  return url.replaceAll("&", "&amp;").replaceAll("<", "%3C").replaceAll(">", "%3E").replaceAll("|", "%7C").replaceAll(" ", "%20");
}

/**
 * Teams Adaptive Card text (a subset of Markdown, whose backslash escapes Teams does not
 * promise to honour): the characters that open emphasis, code or a `[text](url)` link become
 * look-alikes, `<` and `>` full-width look-alikes (no `<at>` mention or HTML), `@` is followed by
 * a word joiner, and a value that would start a list, heading or quote starts with a word joiner.
 */
export function escapeTeams(text: string, limit = VALUE_LIMIT): string {
  const escaped = swap(flatten(text, limit), TEAMS);
  return /^[-+#\d]/.test(escaped) ? `${JOINER}${escaped}` : escaped;
}
