/**
 * The release guard's rules: which release candidates are checked and how hard, where each open
 * hotfix stands in a candidate (from its reminder's rows when they already say, else from the
 * same evidence merge-back tracking uses), and the verdict. Pure: the handler brings the facts.
 *
 * A wrong "all present" is the worst outcome, so a hotfix whose presence could not be read is
 * never counted as present: it makes the verdict fail like a missing one.
 */
import type { Policy } from "../config/policy.js";
import type { Evidence, ReminderState, Skip } from "../model/merge-back.js";

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

/** Where the hotfix stands from a check's evidence; a candidate commit GitHub does not know is unknown, never present. */
export function presenceFromCheck(outcome: { readonly exists: false } | { readonly exists: true; readonly evidence: Evidence | null }): Presence {
  if (!outcome.exists) return { kind: "unknown", detail: "GitHub does not know the release commit or the hotfix's commits" };
  return outcome.evidence ? { kind: "present", evidence: outcome.evidence } : { kind: "missing" };
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
