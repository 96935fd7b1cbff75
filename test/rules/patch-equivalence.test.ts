/** Patch equivalence, pure: a squashed, rebased or combined copy of a hotfix's change is contained; a similar but different change, or a cut list, is not. */
import { describe, expect, it } from "vitest";
import { containsChange, normalisePatch } from "../../src/rules/patch-equivalence.js";
import type { ChangeSet, FileChange } from "../../src/model/merge-back.js";

const HOTFIX_PATCH = ["@@ -10,7 +10,7 @@ export function charge(amount: number, currency?: string) {", "   const total = round(amount);", "-  const code = currency;", '+  const code = currency ?? "EUR";', "   return submit(total, code);"].join("\n");
const hotfix: ChangeSet = { files: [{ filename: "src/payments/charge.ts", patch: HOTFIX_PATCH }], complete: true };

function target(...files: FileChange[]): ChangeSet {
  return { files, complete: true };
}

describe("normalisePatch", () => {
  it("drops hunk headers, context lines and whitespace, and counts repeated lines", () => {
    const patch = normalisePatch("@@ -1,3 +1,3 @@\n context\n-  a = 1\n+a=2\n+a=2\n+   \n\\ No newline at end of file");
    expect([...patch.removed]).toStrictEqual([["a=1", 1]]);
    expect([...patch.added]).toStrictEqual([["a=2", 2]]);
  });
});

describe("containsChange", () => {
  it("finds a squashed copy: the same lines in a commit of their own", () => {
    expect(containsChange(hotfix, target({ filename: "src/payments/charge.ts", patch: HOTFIX_PATCH }))).toStrictEqual({ kind: "contained", files: 1 });
  });

  it("finds a rebased copy whose line numbers, context and indentation moved", () => {
    const rebased = ["@@ -42,6 +42,6 @@ export function charge(", "   const total = roundHalfEven(amount);", "-    const code = currency;", '+    const code = currency ?? "EUR";', "     return submit(total, code);"].join("\n");
    expect(containsChange(hotfix, target({ filename: "src/payments/charge.ts", patch: rebased }))).toMatchObject({ kind: "contained" });
  });

  it("finds several hotfixes squashed into one back-merge commit, among other work in the same file", () => {
    const combined = ["@@ -1,4 +1,5 @@", "+import { audit } from './audit';", "@@ -10,7 +11,8 @@", "-  const code = currency;", '+  const code = currency ?? "EUR";', "+  audit(code);"].join("\n");
    const other = { filename: "src/ledger.ts", patch: "@@ -3 +3 @@\n-x\n+y" };
    expect(containsChange(hotfix, target(other, { filename: "src/payments/charge.ts", patch: combined }))).toMatchObject({ kind: "contained" });
  });

  it("finds the change in a file the target renamed", () => {
    expect(containsChange(hotfix, target({ filename: "src/billing/charge.ts", previousFilename: "src/payments/charge.ts", patch: HOTFIX_PATCH }))).toMatchObject({ kind: "contained" });
  });

  it.each([
    ["a similar but different fix", { filename: "src/payments/charge.ts", patch: HOTFIX_PATCH.replace('"EUR"', '"USD"') }],
    ["the removed line alone", { filename: "src/payments/charge.ts", patch: "@@ -10 +10 @@\n-  const code = currency;\n+  const code = currency || null;" }],
    ["another file", { filename: "src/payments/refund.ts", patch: HOTFIX_PATCH }],
  ])("is absent for %s", (_name, file) => {
    expect(containsChange(hotfix, target(file))).toStrictEqual({ kind: "absent" });
  });

  it("is absent when the target has no change at all", () => {
    expect(containsChange(hotfix, target())).toStrictEqual({ kind: "absent" });
  });

  it("is unverified, never contained, when a list may be cut or a diff is missing", () => {
    const copy = { filename: "src/payments/charge.ts", patch: HOTFIX_PATCH };
    expect(containsChange(hotfix, { files: [copy], complete: false }).kind).toBe("unverified");
    expect(containsChange({ ...hotfix, complete: false }, target(copy)).kind).toBe("unverified");
    expect(containsChange(hotfix, target({ ...copy, patch: null })).kind).toBe("unverified");
    expect(containsChange({ files: [{ filename: "logo.png", patch: null }], complete: true }, target(copy)).kind).toBe("unverified");
    expect(containsChange({ files: [{ filename: "b.ts", previousFilename: "a.ts", patch: "" }], complete: true }, target(copy)).kind).toBe("unverified");
  });
});
