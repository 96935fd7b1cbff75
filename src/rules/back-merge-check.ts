/**
 * The check of a back-merge pull request (a hotfix brought into develop or a release branch):
 * it fails while the pull request has merge conflicts, and whenever its diff adds conflict-marker
 * lines, whoever opened it. Only added lines count: a marker-like line in the context of a patch
 * is already in the target. Pure.
 */
import type { Policy } from "../config/policy.js";
import { looksLikeHotfixBranch } from "./branch-name.js";
import { isTargetBranch } from "./merge-back.js";

/** The hidden marker of a back-merge pull request the app opened (see `renderBackMergePullRequest`). */
const BACK_MERGE_MARKER = /<!-- hotfix-guard:back-merge pr=(\d+) -->/;
/** The branch the app creates for a back-merge when the hotfix branch is gone (see `backMergeHead`). */
const BACKPORT_BRANCH = /^backport\/(\d+)-to-/;

/** What the check reads of the pull request. */
export interface BackMergeCandidate {
  readonly baseRef: string;
  readonly headRef: string;
  readonly body: string;
}

/** The hotfix a back-merge pull request brings, when its body or branch names it. */
export function backMergedHotfix(pr: BackMergeCandidate): number | null {
  const match = BACK_MERGE_MARKER.exec(pr.body) ?? BACKPORT_BRANCH.exec(pr.headRef);
  return match ? Number(match[1]) : null;
}

/** Whether the pull request is a back-merge: into a merge-back target, from a hotfix branch, a `backport/` branch or opened by the app as one. */
export function isBackMerge(pr: BackMergeCandidate, policy: Policy): boolean {
  if (!isTargetBranch(pr.baseRef, policy)) return false;
  return backMergedHotfix(pr) !== null || looksLikeHotfixBranch(pr.headRef, policy);
}

/** A conflict-marker line the pull request adds. */
export interface AddedMarker {
  readonly file: string;
  /** The line's number in the new file. */
  readonly line: number;
  readonly marker: string;
}

const MARKER = /^(<{7}|>{7})(?:\s|$)|^={7}\s*$/;
const HUNK = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@/;

/** The conflict-marker lines the patches add (`<<<<<<<`, `=======`, `>>>>>>>` at the start of an added line), at most `limit`. */
export function addedConflictMarkers(patches: readonly { readonly filename: string; readonly patch: string | null }[], limit = 20): AddedMarker[] {
  const found: AddedMarker[] = [];
  for (const { filename, patch } of patches) {
    let line = 0;
    for (const text of (patch ?? "").split("\n")) {
      const hunk = HUNK.exec(text);
      if (hunk) {
        line = Number(hunk[1]);
        continue;
      }
      if (text.startsWith("-") || text.startsWith("\\")) continue;
      const added = text.startsWith("+");
      if (added && MARKER.test(text.slice(1))) {
        found.push({ file: filename, line, marker: text.slice(1, 8) });
        if (found.length >= limit) return found;
      }
      line += 1;
    }
  }
  return found;
}

/** The verdict on a back-merge pull request: conflicts GitHub reports (null: not known yet) and markers added. */
export function judgeBackMerge(mergeable: boolean | null, markers: readonly AddedMarker[]): { readonly conclusion: "success" | "failure"; readonly conflicting: boolean } {
  const conflicting = mergeable === false;
  return { conclusion: conflicting || markers.length > 0 ? "failure" : "success", conflicting };
}
