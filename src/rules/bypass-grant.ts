/**
 * Emergency bypass requests, grants and denials (issue 14, seed 001 "Bypass option"), as a pure
 * state machine. Anyone can type `/hotfix grant-bypass`, so a command counts only when the app can
 * verify who gave it and that nobody changed it: a `/hotfix request-bypass <reason>` by the
 * pull request's author or a collaborator with write access, naming an allowed reason; a
 * `/hotfix grant-bypass [duration]` or `/hotfix deny-bypass <why>` by an authoriser (a repository
 * administrator or the configured authorisers) who is not the author. Commands by bots and
 * edited comments never count. A grant runs out (the policy's default, never beyond its cap) and
 * holds only for the commit the app recorded it for (its own reply says which: the one the head
 * branch pointed at when the grant was written), so a later push needs a new grant; a later
 * denial revokes it. Every command is listed with why it counted or not. Pure: comments, people facts, the head commit and `now` in, state out.
 */
import type { Policy } from "../config/policy.js";
import { BYPASS_COMMANDS, type BypassCommandJudgement, type BypassFacts, type BypassCommandName, type BypassGrant, type BypassState } from "../model/bypass.js";
import type { CommentFact } from "../model/merge.js";
import type { ReviewerFact } from "../model/pull-request.js";
import { readGrantBindings } from "../model/records.js";
import { excerpt, listInProse } from "./excerpt.js";
import { allowedReason, authority, isBotAccount, isoMinute, loginKey, parseHotfixCommandLines, sameLogin } from "./justification.js";
import type { Finding, PullRequestSnapshot } from "./types.js";

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
/** At most this many commands are judged (the earliest), bounding the record and the check run. */
const MAX_COMMANDS = 30;
/** A command's arguments are kept up to this length. */
const MAX_ARGS = 200;
const WRITE_PERMISSIONS = new Set(["admin", "maintain", "write"]);
/** `2h`, `90m`, `1h30m`, `1.5h`, `45 min`, `2 hours`. */
const DURATION = /^(?:(\d{1,3}(?:\.\d{1,2})?)\s*h(?:ours?|rs?)?)?\s*(?:(\d{1,4})\s*m(?:in(?:utes?)?)?)?$/i;

/** One bypass command line as written. */
export interface GivenBypassCommand {
  readonly command: BypassCommandName;
  readonly args: string;
  readonly comment: CommentFact;
}

function isBypassCommand(name: string): name is BypassCommandName {
  return (BYPASS_COMMANDS as readonly string[]).includes(name);
}

function isOwn(login: string, ownLogin: string): boolean {
  return login.toLowerCase() === ownLogin.toLowerCase();
}

/** The bypass command lines of the comments (not the app's own), oldest first, at most {@link MAX_COMMANDS}. */
export function bypassCommandsOf(comments: readonly CommentFact[], ownLogin: string): GivenBypassCommand[] {
  return [...comments]
    .filter((comment) => !isOwn(comment.author, ownLogin))
    .sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt) || a.id - b.id)
    .flatMap((comment) => parseHotfixCommandLines(comment.body).flatMap((line) => (isBypassCommand(line.name) ? [{ command: line.name, args: line.args, comment }] : [])))
    .slice(0, MAX_COMMANDS);
}

/** The logins (lower-cased) whose permission and authoriser teams decide whether their bypass commands count. */
export function bypassCommenters(comments: readonly CommentFact[], ownLogin: string, author: string): string[] {
  const logins = bypassCommandsOf(comments, ownLogin)
    .filter(({ comment }) => !isBotAccount(comment.author, comment.authorType) && !sameLogin(comment.author, author))
    .flatMap(({ comment }) => loginKey(comment.author) ?? []);
  return [...new Set(logins)];
}

/** The grant duration a `/hotfix grant-bypass` asks for, capped by the policy, or why it cannot be read. */
export function grantDuration(args: string, policy: Policy): { readonly ms: number; readonly capped: boolean } | { readonly problem: string } {
  const { default_hours: defaultHours, max_hours: maxHours } = policy.config.bypass.grants;
  const maxMs = maxHours * HOUR_MS;
  if (args.trim() === "") return { ms: Math.min(defaultHours * HOUR_MS, maxMs), capped: defaultHours > maxHours };
  const match = DURATION.exec(args.trim());
  const ms = match && (match[1] || match[2]) ? Number(match[1] ?? 0) * HOUR_MS + Number(match[2] ?? 0) * MINUTE_MS : 0;
  if (ms <= 0) return { problem: `"${excerpt(args, 40)}" is not a duration: write, for example, 2h, 90m or 1h30m` };
  return { ms: Math.min(ms, maxMs), capped: ms > maxMs };
}

/** Why a bypass command is not one at all (a bot's, an edited comment's), or null. */
function notACommand(comment: CommentFact): string | null {
  if (isBotAccount(comment.author, comment.authorType)) return "written by a bot; a bot's command never counts";
  if (comment.createdAt !== comment.updatedAt) {
    return `the comment was edited at ${isoMinute(Date.parse(comment.updatedAt))}, after it was written; an edited command counts for nothing`;
  }
  return null;
}

function requestRefusal(given: GivenBypassCommand, author: string, people: BypassFacts["people"], policy: Policy): string | null {
  const login = given.comment.author;
  if (!sameLogin(login, author)) {
    const permission = people[loginKey(login) ?? ""]?.permission;
    if (!permission) return `could not read @${login}'s permission on the repository`;
    if (!WRITE_PERMISSIONS.has(permission.toLowerCase())) return `@${login} has ${permission} permission; only the pull request's author or a collaborator with write access may request a bypass`;
  }
  if (allowedReason(given.args, policy)) return null;
  const allowed = listInProse(policy.config.bypass.reasons.map((reason) => `"${reason}"`));
  return given.args === "" ? `no reason given: write \`/hotfix request-bypass <reason>\` with one of ${allowed}` : `"${excerpt(given.args, 80)}" is not an allowed reason: ${allowed}`;
}

/** Why the commenter may not grant or deny a bypass of this pull request, or null when they may. */
export function authoriserRefusal(login: string, author: string, fact: ReviewerFact | undefined, policy: Policy): string | null {
  if (sameLogin(login, author)) return "the pull request's author cannot grant or deny a bypass of their own hotfix";
  const verdict = authority(login, fact, policy);
  return verdict.status === "valid" ? null : verdict.detail;
}

interface Judged {
  readonly judgement: BypassCommandJudgement;
  readonly grant?: BypassGrant;
}

function judge(given: GivenBypassCommand, facts: BypassFacts & { author: string }, bindings: ReadonlyMap<number, string>, policy: Policy): Judged {
  const { comment, command } = given;
  const base = { command, commentId: comment.id, login: comment.author, at: comment.createdAt, args: given.args.slice(0, MAX_ARGS) };
  const refuse = (why: string): Judged => ({ judgement: { ...base, counted: false, why } });
  const notCommand = notACommand(comment);
  if (notCommand) return refuse(notCommand);
  if (command === "request-bypass") {
    const refusal = requestRefusal(given, facts.author, facts.people, policy);
    return refusal ? refuse(refusal) : { judgement: { ...base, counted: true, why: `requested: "${allowedReason(given.args, policy) ?? ""}"` } };
  }
  const authoriser = authoriserRefusal(comment.author, facts.author, facts.people[loginKey(comment.author) ?? ""], policy);
  if (authoriser) return refuse(authoriser);
  if (command === "deny-bypass") {
    return given.args === "" ? refuse("no reason given: write `/hotfix deny-bypass <why>`") : { judgement: { ...base, counted: true, why: `denied: ${excerpt(given.args, 120)}` } };
  }
  const duration = grantDuration(given.args, policy);
  if ("problem" in duration) return refuse(duration.problem);
  const sha = bindings.get(comment.id);
  if (!sha) return refuse("the app has not recorded which commit it is for (it does when it reads the command); ask again with a new comment");
  const until = new Date(Date.parse(comment.createdAt) + duration.ms).toISOString();
  const capped = duration.capped ? ` (capped at bypass.grants.max_hours, ${policy.config.bypass.grants.max_hours} h)` : "";
  return {
    judgement: { ...base, counted: true, why: `granted until ${isoMinute(Date.parse(until))}${capped} for commit ${sha.slice(0, 7)}` },
    grant: { login: comment.author, commentId: comment.id, at: comment.createdAt, until, sha },
  };
}

/** The head commit each grant was recorded for, from the app's own replies only. */
function grantBindings(comments: readonly CommentFact[], ownLogin: string): Map<number, string> {
  const bindings = new Map<number, string>();
  for (const comment of comments) {
    if (!isOwn(comment.author, ownLogin)) continue;
    for (const [id, sha] of readGrantBindings(comment.body)) if (!bindings.has(id)) bindings.set(id, sha);
  }
  return bindings;
}

type Decisive = { readonly kind: "request"; readonly judgement: BypassCommandJudgement } | { readonly kind: "grant"; readonly grant: BypassGrant } | { readonly kind: "deny"; readonly judgement: BypassCommandJudgement };

function summaryOf(decisive: Decisive | null, headSha: string, now: Date): Pick<BypassState, "status" | "summary"> {
  if (!decisive) return { status: "none", summary: "no bypass requested" };
  if (decisive.kind === "request") {
    const { login, at, why } = decisive.judgement;
    return { status: "requested", summary: `bypass requested by @${login} at ${isoMinute(Date.parse(at))} (${why.replace(/^requested: /, "")}); waiting for an authoriser` };
  }
  if (decisive.kind === "deny") {
    const { login, at, args } = decisive.judgement;
    return { status: "denied", summary: `bypass denied by @${login} at ${isoMinute(Date.parse(at))}: ${excerpt(args, 120)}` };
  }
  const { grant } = decisive;
  const given = `bypass granted by @${grant.login} at ${isoMinute(Date.parse(grant.at))}`;
  if (grant.sha.toLowerCase() !== headSha.toLowerCase()) {
    return { status: "other-commit", summary: `${given} for commit ${grant.sha.slice(0, 7)}, but the head is now ${headSha.slice(0, 7)}: a push needs a new grant` };
  }
  if (now.getTime() > Date.parse(grant.until)) return { status: "expired", summary: `${given} expired at ${isoMinute(Date.parse(grant.until))}` };
  return { status: "granted", summary: `${given}, until ${isoMinute(Date.parse(grant.until))}, for commit ${grant.sha.slice(0, 7)}` };
}

/**
 * The state the bypass commands add up to at `now` for the head commit: commands written after
 * `now` are left out (the audit judges at the merge). Counted commands apply in the order they
 * were written: a grant or denial replaces what stood before; a request replaces a denial or a
 * grant that had run out. Pure.
 */
export function judgeBypass(facts: BypassFacts & { readonly author: string; readonly headSha: string }, policy: Policy, now: Date): BypassState {
  const bindings = grantBindings(facts.comments, facts.ownLogin);
  const given = bypassCommandsOf(facts.comments, facts.ownLogin).filter(({ comment }) => Date.parse(comment.createdAt) <= now.getTime());
  const judged = given.map((command) => judge(command, facts, bindings, policy));
  let decisive: Decisive | null = null;
  for (const { judgement, grant } of judged) {
    if (!judgement.counted) continue;
    if (grant) decisive = { kind: "grant", grant };
    else if (judgement.command === "deny-bypass") decisive = { kind: "deny", judgement };
    else if (decisive?.kind !== "grant" || Date.parse(decisive.grant.until) < Date.parse(judgement.at)) decisive = { kind: "request", judgement };
  }
  const lastGrant = judged.flatMap((entry) => (entry.grant ? [entry.grant] : [])).at(-1) ?? null;
  return { ...summaryOf(decisive, facts.headSha, now), grant: lastGrant, commands: judged.map((entry) => entry.judgement) };
}

/**
 * The grant that stood at the merge, as long as its comment is still there, unedited, giving the
 * command: a grant edited or deleted later is no authority for a later judgement. Null otherwise.
 */
export function standingGrant(state: BypassState | null, comments: readonly CommentFact[]): BypassGrant | null {
  const grant = state?.status === "granted" ? state.grant : null;
  const current = grant ? comments.find((comment) => comment.id === grant.commentId) : undefined;
  if (!grant || !current || current.createdAt !== current.updatedAt) return null;
  return parseHotfixCommandLines(current.body).some((command) => command.name === "grant-bypass") ? grant : null;
}

/** When the standing grant for the head commit runs out, for a re-check then; null when none stands. */
export function grantExpiry(snapshot: PullRequestSnapshot, policy: Policy, now: Date): Date | null {
  if (!snapshot.bypass) return null;
  const state = judgeBypass({ ...snapshot.bypass, author: snapshot.author, headSha: snapshot.headSha }, policy, now);
  return state.status === "granted" && state.grant ? new Date(Date.parse(state.grant.until) + 1_000) : null;
}

/** The row's title for each state, which the check run's title repeats. */
const TITLES: Record<BypassState["status"], string> = {
  none: "Bypass commands",
  requested: "Bypass requested",
  granted: "Bypass granted",
  denied: "Bypass denied",
  expired: "Bypass grant expired",
  "other-commit": "Bypass grant for an older commit",
};

const REMEDIES: Record<BypassState["status"], string> = {
  none: "Request a bypass with `/hotfix request-bypass <reason>` in a new comment, using one of the policy's allowed reasons.",
  requested: "An authoriser (not the author) grants it with `/hotfix grant-bypass [duration]` or denies it with `/hotfix deny-bypass <why>`.",
  granted: "",
  denied: "Meet the policy (for example, get the required approvals), or request again with `/hotfix request-bypass <reason>` once the situation changes.",
  expired: "Ask an authoriser for a new `/hotfix grant-bypass [duration]`.",
  "other-commit": "A push after the grant needs a new one: ask an authoriser for `/hotfix grant-bypass [duration]` on the current head commit.",
};

/** The ignored commands, for the row: at most three, with why. */
function ignoredText(commands: readonly BypassCommandJudgement[]): string {
  const ignored = commands.filter((command) => !command.counted);
  if (ignored.length === 0) return "";
  const shown = ignored.slice(-3).map((command) => `\`/hotfix ${command.command}\` by @${command.login} at ${isoMinute(Date.parse(command.at))} did not count: ${command.why}`);
  return ` Ignored: ${shown.join("; ")}${ignored.length > 3 ? ` (and ${ignored.length - 3} more)` : ""}.`;
}

/**
 * The check run's bypass row: where the bypass stands and each ignored command with why. No row
 * when nobody gave a bypass command (or the snapshot carries no comments). A standing grant is a
 * pass; every other state a warning: a grant does not meet the policy, it authorises the merge
 * without it, which the audit then records.
 */
export function bypassRule(snapshot: PullRequestSnapshot, policy: Policy, now: Date): Finding[] {
  if (!snapshot.bypass) return [];
  const state = judgeBypass({ ...snapshot.bypass, author: snapshot.author, headSha: snapshot.headSha }, policy, now);
  if (state.commands.length === 0) return [];
  const remedy = REMEDIES[state.status];
  return [
    {
      rule: "bypass-grant",
      title: TITLES[state.status],
      status: state.status === "granted" ? "pass" : "warn",
      actual: `${state.summary}.${ignoredText(state.commands)}`,
      expected: "a `/hotfix grant-bypass` by an authoriser for the head commit, not expired, not denied since; the justification form is still required",
      ...(remedy ? { remedy } : {}),
    },
  ];
}
