/**
 * The release guard's rules: which release candidates are checked and how hard, where each open
 * hotfix stands in a candidate (from its reminder's rows when they already say, else from the
 * same evidence merge-back tracking uses), and the verdict. Pure: the handler brings the facts.
 *
 * A wrong "all present" is the worst outcome, so a hotfix whose presence could not be read is
 * never counted as present: it makes the verdict fail like a missing one.
 */
import type { Policy } from "../config/policy.js";
import type { Evidence, ReminderState, Row, Skip } from "../model/merge-back.js";
import { isTargetBranch, withRows, type TargetOutcome } from "./merge-back.js";

/** How hard a candidate is guarded. */
export type ReleaseLevel = "block" | "warn" | "off";

/** Where one hotfix stands in a release candidate. */
export type Presence =
  | { readonly kind: "present"; readonly evidence: Evidence }
  | { readonly kind: "skipped"; readonly skip: Skip }
  | { readonly kind: "missing" }
  | { readonly kind: "unknown"; readonly detail: string };

/** One open hotfix (its reminder's state and number) and where it stands in the candidate. */
export interface HotfixPresence {
  readonly state: ReminderState;
  /** The reminder issue; null when the hotfix is known only from the hotfix log. */
  readonly reminder: number | null;
  readonly presence: Presence;
}

/** The verdict on a release candidate. */
export interface ReleaseVerdict {
  readonly conclusion: "success" | "failure" | "neutral";
  readonly missing: readonly HotfixPresence[];
  readonly unknown: readonly HotfixPresence[];
  readonly skipped: readonly HotfixPresence[];
  readonly present: readonly HotfixPresence[];
}

const VERSION_TAG = /^v\d{1,9}\.\d{1,9}\.\d{1,9}$/;

/** Whether a tag name is a release version `vX.Y.Z`. */
export function isVersionTag(tag: string): boolean {
  return VERSION_TAG.test(tag);
}

/** How hard a non-hotfix pull request into production from `headRef` is guarded. */
export function releaseLevel(headRef: string, policy: Policy): ReleaseLevel {
  const { release_guard: guard, branches } = policy.config;
  if (headRef === branches.develop) return guard.develop;
  return policy.releaseBranches.test(headRef) ? guard.release_branches : guard.other;
}

/**
 * Where the hotfix stands in the candidate when its reminder's row for the candidate's branch
 * already says: done (present), or skipped by an authoriser. Null when it has to be checked.
 * A tag or release whose branch is unknown (`branch` null) is always checked.
 */
export function presenceFromRows(state: ReminderState, branch: string | null): Presence | null {
  const row = branch === null ? undefined : state.rows.find((candidate) => candidate.target === branch);
  if (row?.status === "done") return { kind: "present", evidence: row.evidence };
  if (row?.status === "skipped") return { kind: "skipped", skip: row.skip };
  return null;
}

/**
 * Where the hotfix stands from a check's evidence; a candidate commit GitHub does not know, or a
 * copy GitHub's data could not settle (a comparison too large to list), is unknown, never present.
 */
export function presenceFromCheck(outcome: TargetOutcome): Presence {
  if (!outcome.exists) return { kind: "unknown", detail: "GitHub does not know the release commit or the hotfix's commits" };
  if (outcome.evidence) return { kind: "present", evidence: outcome.evidence };
  return outcome.unverified ? { kind: "unknown", detail: outcome.unverified } : { kind: "missing" };
}

/**
 * The verdict: success when every hotfix is present or skipped; otherwise failure when the level
 * blocks, neutral when it warns. A hotfix whose presence is unknown counts as missing.
 */
export function judgeRelease(items: readonly HotfixPresence[], level: Exclude<ReleaseLevel, "off">): ReleaseVerdict {
  const of = (kind: Presence["kind"]) => items.filter((item) => item.presence.kind === kind);
  const missing = of("missing");
  const unknown = of("unknown");
  const clean = missing.length === 0 && unknown.length === 0;
  return { conclusion: clean ? "success" : level === "block" ? "failure" : "neutral", missing, unknown, skipped: of("skipped"), present: of("present") };
}

/** A command's target branch and the rest of its line. */
export interface TargetArgs {
  readonly target: string;
  readonly rest: string;
}

/** Splits `/hotfix skip-merge-back <target> <reason>` or `/hotfix backport <branch>` arguments; null when no target is given. */
export function targetArgs(args: string): TargetArgs | null {
  const match = /^(\S+)\s*([\s\S]*)$/.exec(args.trim());
  return match ? { target: match[1] as string, rest: (match[2] ?? "").trim() } : null;
}

/** Whether a branch may be a merge-back target of the hotfix: one of its rows, or a branch the policy targets. */
function knownTarget(state: ReminderState, target: string, policy: Policy): boolean {
  return state.rows.some((row) => row.target === target) || isTargetBranch(target, policy);
}

/**
 * The reminder's state with the target skipped by an authoriser, or why it cannot be: a target
 * that already has the fix stays done (a skip never hides evidence), and a skip needs a reason.
 */
export function skipTarget(state: ReminderState, target: string, skip: Skip, policy: Policy): { readonly state: ReminderState } | { readonly refused: string } {
  if (!skip.reason) return { refused: "give the reason: `/hotfix skip-merge-back <branch> <reason>`." };
  if (!knownTarget(state, target, policy)) return { refused: `\`${target}\` is not a merge-back target of hotfix #${state.hotfix.number}.` };
  const row = state.rows.find((candidate) => candidate.target === target);
  if (row?.status === "done") return { refused: `\`${target}\` already has hotfix #${state.hotfix.number}; nothing to skip.` };
  const skipped: Row = { target, status: "skipped", skip };
  return { state: row ? withRows(state, [skipped]) : { ...state, rows: [...state.rows, skipped] } };
}

/**
 * The row `/hotfix backport <branch>` opens a back-merge pull request for: a missing row (its
 * earlier pull request, closed or failed, forgotten so a new one is opened), or a new missing row
 * for a target the policy names; else why not.
 */
export function backportRow(state: ReminderState, target: string, policy: Policy): { readonly row: Row } | { readonly refused: string } {
  if (!knownTarget(state, target, policy)) return { refused: `\`${target}\` is not a merge-back target of hotfix #${state.hotfix.number}.` };
  const row = state.rows.find((candidate) => candidate.target === target);
  if (row && row.status !== "missing") return { refused: `\`${target}\` needs no back-merge (${row.status === "done" ? "it already has the fix" : row.status}).` };
  if (row?.backMerge?.state === "open") return { refused: `back-merge pull request #${row.backMerge.number} into \`${target}\` is already open.` };
  return { row: { target, status: "missing" } };
}
