/**
 * Patch equivalence: whether a target already carries a hotfix's change as a copy made of new
 * commits (a squash or rebase back-merge, a cherry-pick without its trailer, several hotfixes
 * squashed into one back-merge commit). GitHub has no patch-id API, so the change is read from the
 * unified diffs its REST API returns and normalised like `git patch-id --stable`: hunk headers
 * (the line numbers) dropped, whitespace removed, file by file, file order ignored. Unlike git,
 * context lines are left out: a copy applied where the surrounding code moved or changed still
 * matches, since only the lines the change removes and adds count.
 *
 * The target side is one diff, the target's change since it diverged from the hotfix (one
 * comparison), which may hold other work too. The hotfix is contained when, in every file it
 * changes, every line it removes is removed there and every line it adds is added there (counted
 * as multisets). A list GitHub may have cut, or a file without a diff, makes the answer
 * "unverified", never "contained". Pure.
 */
import type { ChangeSet, FileChange } from "../model/merge-back.js";

/** Whether the target carries the hotfix's change. */
export type Equivalence = { readonly kind: "contained"; readonly files: number } | { readonly kind: "absent" } | { readonly kind: "unverified"; readonly detail: string };

/** The lines a file's patch removes and adds, whitespace removed, each with how often it occurs. */
interface NormalisedPatch {
  readonly removed: ReadonlyMap<string, number>;
  readonly added: ReadonlyMap<string, number>;
}

function count(lines: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of lines) counts.set(line, (counts.get(line) ?? 0) + 1);
  return counts;
}

/**
 * Normalises a unified-diff patch: hunk headers and "\ No newline" notes dropped, context lines
 * ignored, whitespace removed from each changed line; lines left empty (whitespace-only changes)
 * do not count.
 */
export function normalisePatch(patch: string): NormalisedPatch {
  const removed: string[] = [];
  const added: string[] = [];
  for (const line of patch.split("\n")) {
    const sign = line[0];
    if (sign !== "+" && sign !== "-") continue;
    const content = line.slice(1).replace(/\s+/g, "");
    if (content) (sign === "+" ? added : removed).push(content);
  }
  return { removed: count(removed), added: count(added) };
}

function contains(outer: ReadonlyMap<string, number>, inner: ReadonlyMap<string, number>): boolean {
  for (const [line, times] of inner) if ((outer.get(line) ?? 0) < times) return false;
  return true;
}

function isEmpty(patch: NormalisedPatch): boolean {
  return patch.removed.size === 0 && patch.added.size === 0;
}

/**
 * Whether the target's change contains the hotfix's, file by file (a file renamed on the target
 * side is found by its earlier name). Unverified when either list may be cut, when a file has no
 * diff to compare, or when the hotfix changes no line at all (a pure rename or mode change).
 */
export function containsChange(hotfix: ChangeSet, target: ChangeSet): Equivalence {
  if (!hotfix.complete) return { kind: "unverified", detail: "GitHub listed only part of the hotfix's changed files" };
  if (!target.complete) return { kind: "unverified", detail: "the comparison with the target is too large for GitHub to list every changed file" };
  const targetByName = new Map<string, FileChange>();
  for (const file of target.files) {
    targetByName.set(file.filename, file);
    if (file.previousFilename) targetByName.set(file.previousFilename, file);
  }
  let compared = 0;
  for (const file of hotfix.files) {
    if (file.patch === null) return { kind: "unverified", detail: `GitHub gives no diff of the hotfix's ${file.filename} (binary or too large)` };
    const own = normalisePatch(file.patch);
    if (isEmpty(own)) continue;
    const there = targetByName.get(file.filename);
    if (!there) return { kind: "absent" };
    if (there.patch === null) return { kind: "unverified", detail: `GitHub gives no diff of ${file.filename} on the target (binary or too large)` };
    const theirs = normalisePatch(there.patch);
    if (!contains(theirs.removed, own.removed) || !contains(theirs.added, own.added)) return { kind: "absent" };
    compared += 1;
  }
  return compared > 0 ? { kind: "contained", files: compared } : { kind: "unverified", detail: "the hotfix changes no line to compare (a rename or mode change only)" };
}
