/**
 * Emergency bypass requests, grants and denials as data: each `/hotfix request-bypass`,
 * `/hotfix grant-bypass` and `/hotfix deny-bypass` command with why it counted or not, and the
 * state they add up to. The bypass rule (`src/rules/bypass-grant.ts`) judges them; the check run
 * and the audit show them; the codec (`src/model/records.ts`) keeps them in the audit record.
 * Shared model, so the codec and the renderers need no rules.
 */
import type { CommentFact } from "./merge.js";
import type { ReviewerFact } from "./pull-request.js";

/** The bypass commands, as `/hotfix <name>` spells them. */
export const BYPASS_COMMANDS = ["request-bypass", "grant-bypass", "deny-bypass"] as const;
/** A bypass command's name. */
export type BypassCommandName = (typeof BYPASS_COMMANDS)[number];

/** One bypass command as written in a comment, and whether it counted. */
export interface BypassCommandJudgement {
  readonly command: BypassCommandName;
  readonly commentId: number;
  readonly login: string;
  /** When the comment was written. */
  readonly at: string;
  /** The command's arguments as written (cut short). */
  readonly args: string;
  readonly counted: boolean;
  /** Why it counted or not, for the check run and the audit. */
  readonly why: string;
}

/** A grant that counted when it was given. */
export interface BypassGrant {
  readonly login: string;
  readonly commentId: number;
  readonly at: string;
  /** When it runs out. */
  readonly until: string;
  /** The head commit it was given for. */
  readonly sha: string;
}

/**
 * Where the bypass stands: none asked; requested (waiting for an authoriser); granted (valid now,
 * for the head commit); denied; expired; or granted for another commit than the head.
 */
export type BypassStatus = "none" | "requested" | "granted" | "denied" | "expired" | "other-commit";

/** The state the bypass commands of a pull request add up to at one moment. */
export interface BypassState {
  readonly status: BypassStatus;
  /** One sentence saying where the bypass stands and why. */
  readonly summary: string;
  /** The latest grant that counted (valid or not any more), or null. */
  readonly grant: BypassGrant | null;
  /** Every bypass command, oldest first, with why it counted or not. */
  readonly commands: readonly BypassCommandJudgement[];
}

/** What the bypass commands are judged on, besides the pull request's author and head commit. */
export interface BypassFacts {
  /** The pull request's comments, read afresh (never from a webhook payload alone). */
  readonly comments: readonly CommentFact[];
  /** The app's own login: only its replies record which commit a grant is for. */
  readonly ownLogin: string;
  /** Permission and authoriser-team memberships of the commenters who gave bypass commands, by lower-cased login. */
  readonly people: Readonly<Record<string, ReviewerFact>>;
}
