/**
 * The emergency bypass justification (seed 001, "Branch Protection Bypass") and the
 * `/hotfix authorize` command. Seed 001 lets only repository administrators authorise a bypass,
 * and a form that says "Authorized By: @admin" proves nothing by itself: anyone can type it. So
 * the form is read with the Markdown lexer (text in HTML comments and code blocks does not
 * count), and it is valid only when every field is filled in, the reason is an allowed one, the
 * timestamp is a real time within the window, and the named authoriser verifiably holds the
 * authority, is not the author, and confirmed the bypass by their own action: their own approving
 * review, or their own `/hotfix authorize` comment that was never edited. Logins are compared
 * only as GitHub logins (ASCII letters, digits and hyphens, ASCII case folded): a name that
 * differs under Unicode folding or confusables names no one, and a bot account never authorises.
 * A command counts only where a reader sees it (not inside `<details>` or other HTML), and a field
 * only as text (not as an image's alt text). Whatever the app could not verify is reported as not
 * verified, never as valid. Pure: facts and `now` in, verdict out.
 */
import { createHash } from "node:crypto";
import { Lexer, type Token, type Tokens } from "marked";
import type { Policy } from "../config/policy.js";
import { boundNesting, contentProblem, MAX_BODY_LENGTH, normalizeName, parseBody, type Section } from "../markdown/sections.js";
import { eligibilityOf, latestDecisiveReviews } from "./approvals.js";
import { excerpt, listInProse } from "./excerpt.js";
import type { ReviewFact, ReviewerFact } from "./types.js";
import type { CommentFact, ReviewRequestFact } from "../model/merge.js";
import type { BypassGrant } from "../model/bypass.js";
import { requestEvidence } from "./escalation.js";
import {
  JUSTIFICATION_FIELDS,
  type Confirmation,
  type JustificationCheck,
  type JustificationField,
  type JustificationFields,
  type JustificationSource,
  type JustificationVerdict,
  type RecordedAuthority,
} from "../model/justification-form.js";
export type { CommentFact, ReviewRequestFact };

/** The heading that introduces the form, compared without case, emoji or punctuation. */
const FORM_HEADING = "emergency bypass justification";
/** A field longer than this is cut: the form is a few lines, and the audit quotes it. */
export const MAX_FIELD_LENGTH = 1_000;
/** At most this many authorisers' authority is kept in the audit's record, bounding it. */
const MAX_RECORDED_AUTHORITIES = 20;
const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

/** A justification form found in the description or a comment. */
export interface JustificationCandidate {
  readonly source: JustificationSource;
  readonly fields: JustificationFields;
  /** A hash of the fields, to tell a later edit from the text the verdict was made on. */
  readonly fingerprint: string;
}

/** The facts a justification is judged on. Logins in `people` are lower-cased. */
export interface JustificationContext {
  readonly author: string;
  readonly mergedAt: string;
  readonly reviews: readonly ReviewFact[];
  readonly comments: readonly CommentFact[];
  /** Repository permission and configured team memberships of the authoriser, reviewers and requested reviewers. */
  readonly people: Readonly<Record<string, ReviewerFact>>;
  /** The timeline's review requests; null when they were not read. */
  readonly reviewRequests: readonly ReviewRequestFact[] | null;
  /** True when the description's form was already seen, unchanged, by an earlier audit. */
  readonly bodyFormSeenBefore: boolean;
  /** The `/hotfix grant-bypass` standing at the merge for its head commit, if any: the grantor's own action. */
  readonly grant?: BypassGrant | null;
}

// ── Reading the form ───────────────────────────────────────────────────────────────────────────

function fieldText(fields: readonly Section[], aliases: readonly string[]): string {
  const keys = new Set(aliases.map(normalizeName));
  const found = fields.find((field) => keys.has(field.key));
  return found ? found.text.trim().slice(0, MAX_FIELD_LENGTH) : "";
}

/** A stable hash of the fields. */
export function fingerprintFields(fields: JustificationFields): string {
  const ordered = JUSTIFICATION_FIELDS.map(({ key }) => fields[key]);
  return createHash("sha256").update(JSON.stringify(ordered)).digest("hex").slice(0, 16);
}

/**
 * Reads the justification form from Markdown: the fields under an "EMERGENCY BYPASS
 * JUSTIFICATION" heading, or, without the heading, `**Label:**` fields that include a Bypass
 * Reason. Code blocks, HTML comments and images' alt text are not content. Returns null when there is no form.
 * Never throws; input beyond GitHub's 65,536 characters is ignored.
 */
export function parseJustification(markdown: string | null | undefined): JustificationFields | null {
  const parsed = parseBody(markdown, { includeCode: false, includeImageText: false });
  const heading = parsed.sections.find((section) => section.kind === "heading" && section.key.includes(FORM_HEADING));
  const fields = heading ? heading.fields : parsed.sections.filter((section) => section.kind === "field");
  const values = Object.fromEntries(JUSTIFICATION_FIELDS.map(({ key, aliases }) => [key, fieldText(fields, aliases)])) as Record<JustificationField, string>;
  if (!heading && values.bypassReason === "") return null;
  return values;
}

/** A stable key for a source, such as `body` or `comment:123`. */
export function sourceKey(source: JustificationSource): string {
  return source.kind === "body" ? "body" : `comment:${source.id}`;
}

/**
 * Every justification form on the pull request: the description first, then comments in the
 * order they were written. The app's own comments (the audit quotes the form) are skipped.
 */
export function justificationCandidates(body: string, comments: readonly CommentFact[], ownLogin: string): JustificationCandidate[] {
  const found: JustificationCandidate[] = [];
  const bodyFields = parseJustification(body);
  if (bodyFields) found.push({ source: { kind: "body" }, fields: bodyFields, fingerprint: fingerprintFields(bodyFields) });
  for (const comment of comments) {
    if (comment.author.toLowerCase() === ownLogin.toLowerCase()) continue;
    const fields = parseJustification(comment.body);
    if (!fields) continue;
    const { id, author, createdAt, updatedAt } = comment;
    found.push({ source: { kind: "comment", id, author, createdAt, updatedAt }, fields, fingerprint: fingerprintFields(fields) });
  }
  return found;
}

// ── Commands ───────────────────────────────────────────────────────────────────────────────────

const COMMAND_LINE = /^\/hotfix(?:[ \t]+([A-Za-z-]{1,40})(?:[ \t]+(\S[^\n]{0,499}?))?)?[ \t]*$/i;
const LOOKS_LIKE_COMMAND = /^ {0,3}\/hotfix\b/im;
const HTML_COMMENT = /<!--[\s\S]*?(?:-->|$)/g;
const HTML_TAG = /<(\/?)([A-Za-z][A-Za-z0-9-]{0,30})(?:\s[^<>]*)?(\/?)>/g;
const VOID_ELEMENTS = new Set(["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"]);
/** Leading container markers (quotes, list bullets) are cut to this length before lexing, bounding nesting. */
const MAX_CONTAINER_PREFIX = 16;

/** At most this many open HTML elements are tracked; deeper nesting counts as open. */
const MAX_OPEN_ELEMENTS = 64;

/**
 * Follows the HTML elements the text opens and closes, on a stack of element names: a closing tag
 * closes the innermost open element of its name (and any opened inside it); a closing tag of an
 * element that is not open closes nothing.
 */
function trackElements(html: string, open: string[]): void {
  for (const match of html.replace(HTML_COMMENT, "").matchAll(HTML_TAG)) {
    const name = (match[2] as string).toLowerCase();
    if (VOID_ELEMENTS.has(name) || match[3] === "/") continue;
    if (match[1] !== "/") {
      if (open.length < MAX_OPEN_ELEMENTS) open.push(name);
      continue;
    }
    const index = open.lastIndexOf(name);
    if (index !== -1) open.length = index;
  }
}

/**
 * The commands of the top-level paragraphs that sit inside no HTML element: a command inside
 * `<details>` (collapsed, unseen by whoever reads the thread) or any other element is not given.
 */
function visibleCommands(tokens: readonly Token[]): HotfixCommand[] {
  const commands: HotfixCommand[] = [];
  const open: string[] = [];
  for (const token of tokens) {
    if (token.type === "html") {
      trackElements((token as Tokens.HTML).text, open);
      continue;
    }
    if (token.type !== "paragraph") continue;
    for (const line of (token as Tokens.Paragraph).text.replace(HTML_COMMENT, "").split("\n")) {
      const match = COMMAND_LINE.exec(line.trim());
      if (match && open.length === 0) commands.push({ name: (match[1] ?? "").toLowerCase(), args: match[2] ?? "" });
      else trackElements(line, open);
    }
  }
  return commands;
}

/** One `/hotfix <name> [arguments]` line as given. */
export interface HotfixCommand {
  /** The command's name, lower-cased (`authorize`); an empty string for a bare `/hotfix`. */
  readonly name: string;
  /** The rest of the line after the name, trimmed, as written (at most 500 characters); "" when none. */
  readonly args: string;
}

/**
 * The `/hotfix <name> [arguments]` lines of a comment. Only lines of top-level paragraphs count:
 * a command quoted, listed, inside code, inside an HTML comment or inside an HTML element such as
 * `<details>` is not given. Never throws.
 */
export function parseHotfixCommandLines(body: string | null | undefined): HotfixCommand[] {
  const source = (body ?? "").slice(0, MAX_BODY_LENGTH);
  if (!LOOKS_LIKE_COMMAND.test(source)) return [];
  try {
    return visibleCommands(Lexer.lex(boundNesting(source, MAX_CONTAINER_PREFIX)));
  } catch {
    return [];
  }
}

/**
 * The names of the argument-less `/hotfix <command>` lines of a comment, lower-cased
 * (`authorize`; an empty string for a bare `/hotfix`): `/hotfix authorize` followed by more text
 * is not the `authorize` command. See {@link parseHotfixCommandLines} for what counts as given.
 */
export function parseHotfixCommands(body: string | null | undefined): string[] {
  return parseHotfixCommandLines(body).filter((command) => command.args === "").map((command) => command.name);
}

// ── Timestamps and logins ──────────────────────────────────────────────────────────────────────

const TIMESTAMP =
  /(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?[ \t]*(Z|UTC|GMT|[+-]\d{2}:?\d{2})(?![A-Za-z0-9])/i;

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function offsetMinutes(zone: string): number | null {
  if (/^(z|utc|gmt)$/i.test(zone)) return 0;
  const match = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
  if (!match) return null;
  const hours = Number(match[2]);
  const minutes = Number(match[3]);
  if (hours > 14 || minutes > 59) return null;
  return (match[1] === "-" ? -1 : 1) * (hours * 60 + minutes);
}

/**
 * The moment a Timestamp field names: `YYYY-MM-DD HH:MM[:SS]` (or with `T`) followed by a time
 * zone (`Z`, `UTC`, `GMT`, `+02:00`). A time without a zone could be any of 26 hours, so it is not
 * a time; nor is 2026-02-30. Returns null when the text holds no real time.
 */
export function parseTimestamp(text: string): Date | null {
  const match = TIMESTAMP.exec(text.slice(0, MAX_FIELD_LENGTH));
  if (!match) return null;
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => Number(match[i] ?? "0")) as [number, number, number, number, number, number];
  const offset = offsetMinutes(match[7] as string);
  if (offset === null || month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour > 23 || minute > 59 || second > 59) return null;
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second) - offset * MINUTE_MS);
}

/**
 * An `@login` as GitHub spells logins: ASCII letters, digits and hyphens. What follows must not
 * continue a name in any script (a letter, digit, mark or invisible format character), nor make
 * it a team (`/`) or a bot (`[bot]`): `@ADMİN`, `@admin\u212A` (Kelvin sign) or `@ａｄｍｉｎ`
 * name no one, rather than a login cut short.
 */
const MENTION = /(?<![\p{L}\p{N}\p{M}_`])@([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))(?![\p{L}\p{N}\p{M}\p{Cf}_\-[/])/gu;
const BOT_MENTION = /(?<![\p{L}\p{N}\p{M}_`])@[A-Za-z0-9][A-Za-z0-9-]{0,38}\[bot\]/iu;
const GITHUB_LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;

/** The distinct `@logins` a text names, as written. */
export function mentionedLogins(text: string): string[] {
  const seen = new Map<string, string>();
  for (const match of text.slice(0, MAX_FIELD_LENGTH).matchAll(MENTION)) {
    const login = match[1] as string;
    const key = loginKey(login) as string;
    if (!seen.has(key)) seen.set(key, login);
  }
  return [...seen.values()];
}

/**
 * A login as GitHub compares it: ASCII case folded. Null for anything that is not a GitHub user
 * login (non-ASCII letters, a bot's `name[bot]`, empty), which then equals nothing.
 */
export function loginKey(login: string): string | null {
  return GITHUB_LOGIN.test(login) ? login.replace(/[A-Z]/g, (char) => char.toLowerCase()) : null;
}

/** Whether two logins name the same GitHub user; never true for anything that is not a user login. */
export function sameLogin(a: string, b: string): boolean {
  const key = loginKey(a);
  return key !== null && key === loginKey(b);
}

/** Whether an account is a bot: GitHub says so (`type: Bot`), or its login ends in `[bot]`. */
export function isBotAccount(login: string, type?: string | null): boolean {
  return (type ?? "").toLowerCase() === "bot" || /\[bot\]$/i.test(login);
}

// ── Validation ─────────────────────────────────────────────────────────────────────────────────

function time(iso: string | null | undefined): number {
  return iso ? Date.parse(iso) : Number.NaN;
}

/** A moment as `YYYY-MM-DD HH:MM UTC`, or "an unknown time". */
export function isoMinute(ms: number): string {
  return Number.isNaN(ms) ? "an unknown time" : `${new Date(ms).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** The latest moment a justification and its confirmation may be recorded: the merge plus the window. */
export function justificationDeadline(mergedAt: string, policy: Policy): number {
  return time(mergedAt) + policy.config.bypass.justification_window_minutes * MINUTE_MS;
}

function check(aspect: string, status: JustificationCheck["status"], detail: string): JustificationCheck {
  return { aspect, status, detail };
}

const PROBLEM_WORDS: Record<"empty" | "placeholder" | "non-answer", string> = {
  empty: "missing or empty",
  placeholder: "still the template's [placeholder]",
  "non-answer": "not an answer",
};

function fieldChecks(fields: JustificationFields): JustificationCheck[] {
  return JUSTIFICATION_FIELDS.map(({ key, label }) => {
    const problem = contentProblem(fields[key]);
    return problem ? check(label, "invalid", `${label}: ${PROBLEM_WORDS[problem]}`) : check(label, "valid", `${label}: filled in`);
  });
}

function postedCheck(candidate: JustificationCandidate, context: JustificationContext, policy: Policy, now: Date): JustificationCheck {
  const deadline = justificationDeadline(context.mergedAt, policy);
  const window = `the merge plus ${policy.config.bypass.justification_window_minutes} minutes (${isoMinute(deadline)})`;
  if (candidate.source.kind === "body") {
    if (context.bodyFormSeenBefore || now.getTime() <= deadline) return check("Recorded in time", "valid", "in the description, read within the window");
    return check("Recorded in time", "invalid", `in the description, but first read after ${window}`);
  }
  const { createdAt, updatedAt } = candidate.source;
  if (!(time(createdAt) <= deadline)) return check("Recorded in time", "invalid", `comment written ${isoMinute(time(createdAt))}, after ${window}`);
  if (!(time(updatedAt) <= deadline)) return check("Recorded in time", "invalid", `comment edited ${isoMinute(time(updatedAt))}, after ${window}`);
  return check("Recorded in time", "valid", `comment written ${isoMinute(time(createdAt))}, within the window`);
}

/** The allowed reason the text starts with (compared without case or punctuation), or null. */
export function allowedReason(text: string, policy: Policy): string | null {
  const normalised = ` ${normalizeName(text)} `;
  const named = policy.config.bypass.reasons.filter((reason) => normalised.includes(` ${normalizeName(reason)} `));
  if (named.length !== 1) return null;
  const reason = named[0] as string;
  return normalised.startsWith(` ${normalizeName(reason)} `) ? reason : null;
}

/** True when the reason is the "no reviewer available" one, which the timeline must bear out. */
export function isNoReviewerReason(reason: string): boolean {
  return normalizeName(reason).includes("no reviewer");
}

function reasonCheck(fields: JustificationFields, policy: Policy): JustificationCheck {
  if (contentProblem(fields.bypassReason)) return check("Allowed reason", "invalid", "no bypass reason given");
  const reason = allowedReason(fields.bypassReason, policy);
  if (reason) return check("Allowed reason", "valid", `"${reason}" is an allowed reason`);
  const allowed = listInProse(policy.config.bypass.reasons.map((r) => `"${r}"`));
  return check("Allowed reason", "invalid", `"${excerpt(fields.bypassReason, 80)}" does not start with exactly one allowed reason: ${allowed}`);
}

function teamMatches(requested: string, configured: string): boolean {
  const slug = configured.includes("/") ? configured.slice(configured.indexOf("/") + 1) : configured;
  return requested.toLowerCase() === slug.toLowerCase();
}

/** Whether a review request went to someone whose review would have counted. */
function requestedEligible(request: ReviewRequestFact, context: JustificationContext, policy: Policy): boolean {
  if (request.reviewer !== null) {
    const login = request.reviewer.toLowerCase();
    return login !== context.author.toLowerCase() && eligibilityOf(login, context.people[login], policy).status === "eligible";
  }
  const { users, teams } = policy.config.approvals.reviewers;
  if (request.team === null) return false;
  const team = request.team;
  return users.length === 0 && teams.length === 0 ? true : teams.some((configured) => teamMatches(team, configured));
}

function withdrawnBetween(request: ReviewRequestFact, requests: readonly ReviewRequestFact[], from: number, to: number): boolean {
  return requests.some(
    (other) =>
      other.kind === "removed" &&
      (other.reviewer ?? "").toLowerCase() === (request.reviewer ?? "").toLowerCase() &&
      (other.team ?? "").toLowerCase() === (request.team ?? "").toLowerCase() &&
      time(other.at) >= from &&
      time(other.at) <= to,
  );
}

/** The check of the review wait, which only the timeline read after the merge can settle. */
export const REVIEW_WAIT_ASPECT = "No reviewer answered";

/**
 * For the "no reviewer available" reason: a review request to an eligible reviewer, standing at
 * least `review_wait_hours` before the merge, and no review since by anyone who could have
 * counted. A review by someone the app could not rule out counts as an answer.
 */
function reviewWaitCheck(context: JustificationContext, policy: Policy): JustificationCheck {
  const aspect = REVIEW_WAIT_ASPECT;
  const waitHours = policy.config.bypass.review_wait_hours;
  if (context.reviewRequests === null) return check(aspect, "unverified", "the pull request's timeline could not be read");
  const merged = time(context.mergedAt);
  const latestStart = merged - waitHours * HOUR_MS;
  const standing = context.reviewRequests
    .filter((request) => request.kind === "requested" && time(request.at) <= latestStart && requestedEligible(request, context, policy))
    .filter((request) => !withdrawnBetween(request, context.reviewRequests ?? [], time(request.at), merged));
  const request = standing.reduce<ReviewRequestFact | null>((latest, r) => (!latest || time(r.at) > time(latest.at) ? r : latest), null);
  if (!request) {
    return check(aspect, "invalid", `no review was requested from an eligible reviewer at least ${waitHours} hours before the merge (${isoMinute(latestStart)})`);
  }
  const author = context.author.toLowerCase();
  const answer = context.reviews.find((review) => {
    const login = review.reviewer.toLowerCase();
    const at = time(review.submittedAt);
    return (
      review.state !== "PENDING" &&
      login !== author &&
      at >= time(request.at) &&
      at <= merged &&
      eligibilityOf(login, context.people[login], policy).status !== "not-eligible"
    );
  });
  const who = request.reviewer ? `@${request.reviewer}` : `team ${request.team ?? ""}`;
  if (answer) {
    return check(aspect, "invalid", `@${answer.reviewer} reviewed at ${isoMinute(time(answer.submittedAt))}, after the request to ${who} at ${isoMinute(time(request.at))} and before the merge`);
  }
  const ladder = requestEvidence(context.reviewRequests, merged);
  return check(aspect, "valid", `review requested from ${who} at ${isoMinute(time(request.at))}; no eligible review until the merge; requests (the escalation ladder): ${ladder}`);
}

function timestampCheck(fields: JustificationFields, context: JustificationContext, policy: Policy): JustificationCheck {
  const moment = parseTimestamp(fields.timestamp);
  if (!moment) return check("Timestamp is a real time", "invalid", "no real time with a time zone, such as 2026-11-23 14:05 UTC");
  const deadline = justificationDeadline(context.mergedAt, policy);
  if (moment.getTime() > deadline) return check("Timestamp is a real time", "invalid", `${isoMinute(moment.getTime())} is after the merge plus the window (${isoMinute(deadline)})`);
  return check("Timestamp is a real time", "valid", isoMinute(moment.getTime()));
}

function hasConfiguredAuthorisers(policy: Policy): boolean {
  const { users, teams } = policy.config.bypass.authorizers;
  return users.length > 0 || teams.length > 0;
}

/**
 * Whether a user may authorise a bypass: with no authorisers configured, an administrator of the
 * repository (seed 001); otherwise a listed user or an active member of a listed team. A user
 * whose permission or membership could not be read is not verified.
 */
export function authority(login: string, fact: ReviewerFact | undefined, policy: Policy): JustificationCheck {
  const aspect = "Authoriser's authority";
  const { users, teams } = policy.config.bypass.authorizers;
  if (!hasConfiguredAuthorisers(policy)) {
    if (!fact?.permission) return check(aspect, "unverified", `could not read @${login}'s permission on the repository`);
    if (fact.permission.toLowerCase() === "admin") return check(aspect, "valid", `@${login} is a repository administrator`);
    return check(aspect, "invalid", `@${login} has ${fact.permission} permission; only repository administrators may authorise a bypass`);
  }
  if (users.some((user) => sameLogin(user, login))) return check(aspect, "valid", `@${login} is listed in bypass.authorizers.users`);
  const team = teams.find((configured) => fact?.teams.some((member) => member.toLowerCase() === configured.toLowerCase()));
  if (team) return check(aspect, "valid", `@${login} is a member of ${team}`);
  if (!fact || fact.notes.length > 0) {
    return check(aspect, "unverified", `could not verify @${login}'s membership of ${listInProse([...teams])}${fact?.notes.length ? ` (${fact.notes.join("; ")})` : ""}`);
  }
  return check(aspect, "invalid", `@${login} is not among the configured authorisers (bypass.authorizers)`);
}

/** The window in which the authoriser's own action counts, given where the justification was written. */
function confirmationWindow(candidate: JustificationCandidate, deadline: number): { from: number; to: number } {
  return { from: candidate.source.kind === "comment" ? time(candidate.source.createdAt) : Number.NEGATIVE_INFINITY, to: deadline };
}

function authorizeComments(login: string, comments: readonly CommentFact[]): CommentFact[] {
  return comments.filter(
    (comment) => sameLogin(comment.author, login) && !isBotAccount(comment.author, comment.authorType) && parseHotfixCommands(comment.body).includes("authorize"),
  );
}

/** A confirmation check and, when it holds, the action it stands on. */
interface ConfirmationResult {
  readonly check: JustificationCheck;
  readonly confirmation?: Confirmation;
}

/**
 * The authoriser's own action: a bypass they granted that stood at the merge for the merged head
 * commit, their latest decisive review before the deadline is an approval, or they wrote a
 * `/hotfix authorize` comment that was never edited. For a justification in a
 * comment, the action must come after that comment was written and the comment must not have
 * been edited since, so that the authoriser confirmed the text the audit shows. A bot's review
 * or comment never counts.
 */
function confirmationCheck(login: string, candidate: JustificationCandidate, context: JustificationContext, policy: Policy): ConfirmationResult {
  const aspect = "Authoriser confirmed";
  const key = loginKey(login) as string;
  const grant = context.grant;
  if (grant && sameLogin(grant.login, login)) {
    const detail = `@${login} granted the bypass (\`/hotfix grant-bypass\`) at ${isoMinute(time(grant.at))}, until ${isoMinute(time(grant.until))}, for commit ${grant.sha.slice(0, 7)}`;
    return { check: check(aspect, "valid", detail), confirmation: { kind: "grant", login, id: grant.commentId, at: grant.at } };
  }
  const window = confirmationWindow(candidate, justificationDeadline(context.mergedAt, policy));
  const editedAt = candidate.source.kind === "comment" ? time(candidate.source.updatedAt) : Number.NEGATIVE_INFINITY;
  const inWindow = (at: number) => at >= window.from && at <= window.to && at >= editedAt;
  const reviews = context.reviews.filter((review) => time(review.submittedAt) <= window.to);
  const approvals = context.reviews.filter((review) => sameLogin(review.reviewer, login) && !isBotAccount(review.reviewer, review.reviewerType) && review.state === "APPROVED");
  const approval = approvals.find((review) => inWindow(time(review.submittedAt)));
  if (approval && latestDecisiveReviews(reviews).get(key)?.state === "APPROVED") {
    return {
      check: check(aspect, "valid", `@${login} approved the pull request at ${isoMinute(time(approval.submittedAt))}`),
      confirmation: { kind: "review", login, id: null, at: approval.submittedAt ?? "" },
    };
  }
  const commands = authorizeComments(key, context.comments);
  const unedited = commands.find((comment) => comment.createdAt === comment.updatedAt && inWindow(time(comment.createdAt)));
  if (unedited) {
    return {
      check: check(aspect, "valid", `@${login} commented \`/hotfix authorize\` at ${isoMinute(time(unedited.createdAt))}`),
      confirmation: { kind: "comment", login, id: unedited.id, at: unedited.createdAt },
    };
  }
  if (commands.some((comment) => comment.createdAt !== comment.updatedAt)) {
    return { check: check(aspect, "invalid", `@${login}'s \`/hotfix authorize\` comment was edited after it was written, so it does not count`) };
  }
  if (approval) return { check: check(aspect, "invalid", `@${login}'s approval was dismissed or replaced before ${isoMinute(window.to)}`) };
  if (commands.length > 0 || approvals.length > 0) {
    return { check: check(aspect, "invalid", `@${login}'s confirmation came outside the window (after the justification was written or edited, and by ${isoMinute(window.to)})`) };
  }
  return { check: check(aspect, "invalid", `@${login} neither approved the pull request nor commented \`/hotfix authorize\`; the form naming them proves nothing`) };
}

function authoriserChecks(
  fields: JustificationFields,
  candidate: JustificationCandidate,
  context: JustificationContext,
  policy: Policy,
): { checks: JustificationCheck[]; login: string | null; confirmation?: Confirmation } {
  if (BOT_MENTION.test(fields.authorizedBy.slice(0, MAX_FIELD_LENGTH))) {
    return { checks: [check("Authoriser named", "invalid", "Authorized By names a bot account; a bot never authorises a bypass")], login: null };
  }
  const logins = mentionedLogins(fields.authorizedBy);
  if (logins.length !== 1) {
    const detail = logins.length === 0 ? "Authorized By names no GitHub user: write @login" : `Authorized By names ${logins.length} users; name exactly one`;
    return { checks: [check("Authoriser named", "invalid", detail)], login: null };
  }
  const login = logins[0] as string;
  const checks = [check("Authoriser named", "valid", `@${login}`)];
  if (sameLogin(login, context.author)) {
    checks.push(check("Authoriser is not the author", "invalid", `@${login} opened the pull request and cannot authorise its bypass`));
    return { checks, login };
  }
  checks.push(check("Authoriser is not the author", "valid", `@${login} did not open the pull request`));
  checks.push(authority(login, context.people[loginKey(login) as string], policy));
  const confirmed = confirmationCheck(login, candidate, context, policy);
  checks.push(confirmed.check);
  return { checks, login, ...(confirmed.confirmation ? { confirmation: confirmed.confirmation } : {}) };
}

/**
 * Judges one justification: when it was recorded, each field, the reason (and, for "no reviewer
 * available", the timeline), the timestamp, and the authoriser's identity, authority and own
 * confirmation. Valid only when every check is.
 */
export function validateJustification(candidate: JustificationCandidate, context: JustificationContext, policy: Policy, now: Date): JustificationVerdict {
  const { fields } = candidate;
  const reason = allowedReason(fields.bypassReason, policy);
  const authoriser = authoriserChecks(fields, candidate, context, policy);
  const checks = [
    postedCheck(candidate, context, policy, now),
    ...fieldChecks(fields),
    reasonCheck(fields, policy),
    ...(reason && isNoReviewerReason(reason) ? [reviewWaitCheck(context, policy)] : []),
    timestampCheck(fields, context, policy),
    ...authoriser.checks,
  ];
  const valid = checks.every((c) => c.status === "valid");
  return { valid, checks, authoriser: authoriser.login, ...(valid && authoriser.confirmation ? { confirmation: authoriser.confirmation } : {}) };
}

/** The logins whose permission or membership the validation will read: the authoriser each candidate names. */
export function authorisersToVerify(candidates: readonly JustificationCandidate[], author: string): string[] {
  const logins = new Map<string, string>();
  for (const candidate of candidates) {
    const named = mentionedLogins(candidate.fields.authorizedBy);
    const login = named[0];
    if (named.length === 1 && login && !sameLogin(login, author)) logins.set(loginKey(login) as string, login);
  }
  return [...logins.keys()];
}

// ── What later runs keep ───────────────────────────────────────────────────────────────────────

/**
 * The people facts to judge with: the facts read now, except for authorisers whose authority was
 * recorded by an earlier run, which are judged as they were then (a later demotion does not flip
 * a past verdict, a later promotion does not validate an unauthorised one).
 */
export function peopleAsFirstJudged(
  people: Readonly<Record<string, ReviewerFact>>,
  recorded: Readonly<Record<string, RecordedAuthority>> | undefined,
): Record<string, ReviewerFact> {
  const kept = Object.entries(recorded ?? {}).map(([login, authority]) => [login, { permission: authority.permission, teams: [...authority.teams], notes: [] }] as const);
  return { ...people, ...Object.fromEntries(kept) };
}

/**
 * The recorded authorities after a run: those recorded before, plus the authority of each login
 * named by the judged candidates that was read now and could be read in full.
 */
export function authoritiesAfter(
  recorded: Readonly<Record<string, RecordedAuthority>> | undefined,
  candidates: readonly JustificationCandidate[],
  author: string,
  people: Readonly<Record<string, ReviewerFact>>,
  now: Date,
): Record<string, RecordedAuthority> {
  const kept: Record<string, RecordedAuthority> = { ...(recorded ?? {}) };
  for (const login of authorisersToVerify(candidates, author)) {
    const fact = people[login];
    if (Object.hasOwn(kept, login) || !fact?.permission || fact.notes.length > 0 || Object.keys(kept).length >= MAX_RECORDED_AUTHORITIES) continue;
    kept[login] = { permission: fact.permission, teams: [...fact.teams], at: now.toISOString() };
  }
  return kept;
}

/**
 * Why a recorded valid verdict no longer stands, or null: the `/hotfix authorize` or
 * `/hotfix grant-bypass` comment it stood on was deleted, edited, or no longer gives the command.
 */
export function withdrawnConfirmation(verdict: JustificationVerdict, comments: readonly CommentFact[], now: Date): string | null {
  const confirmation = verdict.confirmation;
  if (!verdict.valid || !confirmation || confirmation.kind === "review" || confirmation.id === null) return null;
  const current = comments.find((comment) => comment.id === confirmation.id);
  const command = confirmation.kind === "grant" ? "grant-bypass" : "authorize";
  const what = `authorisation by @${confirmation.login} withdrawn: their \`/hotfix ${command}\` comment of ${isoMinute(time(confirmation.at))}`;
  if (!current) return `${what} was deleted (noticed ${isoMinute(now.getTime())})`;
  const gives = command === "authorize" ? parseHotfixCommands(current.body).includes("authorize") : parseHotfixCommandLines(current.body).some((c) => c.name === command);
  if (current.updatedAt !== current.createdAt || !gives) {
    return `${what} was edited after the audit (at ${isoMinute(time(current.updatedAt))})`;
  }
  return null;
}

/** True when a candidate claims the "no reviewer available" reason, so the timeline must be read. */
export function needsReviewTimeline(candidates: readonly JustificationCandidate[], policy: Policy): boolean {
  return candidates.some((candidate) => {
    const reason = allowedReason(candidate.fields.bypassReason, policy);
    return reason !== null && isNoReviewerReason(reason);
  });
}
