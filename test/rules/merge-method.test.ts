/**
 * Issue 15, seed 004 "Squash & Merge": `merge_method` is checked by the merge audit. GitHub keeps
 * no merge-method field, so the method is inferred from the merge commit's parents, the pull
 * request's commit count and whether the merge commit's parent belongs to the pull request.
 */
import { describe, expect, it } from "vitest";
import { mergeMethodRequirements, observedMerge, type MergeShape } from "../../src/rules/merge-method.js";
import { policyFrom } from "../helpers/builders.js";

const shape = (parents: number | null, commits: number | null, parentInPullRequest: boolean | null = null): MergeShape => ({ parents, commits, parentInPullRequest });

describe("observedMerge", () => {
  it.each([
    [shape(2, 3), "merge"],
    [shape(3, 1), "merge"],
    [shape(1, 1), "squash-or-rebase"],
    [shape(1, 4, false), "squash"],
    [shape(1, 4, true), "rebase"],
    [shape(1, 4, null), "unknown"],
    [shape(1, null), "unknown"],
    [shape(null, 2), "unknown"],
  ] as const)("%j is %s", (facts, method) => {
    expect(observedMerge(facts)).toBe(method);
  });
});

describe("the merge-method requirement", () => {
  it.each([
    ["squash", shape(1, 4, false), "met"],
    ["squash", shape(1, 1), "met"],
    ["squash", shape(2, 4), "unmet"],
    ["squash", shape(1, 4, true), "unmet"],
    ["squash", shape(1, 4, null), "unknown"],
    ["merge", shape(2, 4), "met"],
    ["merge", shape(1, 1), "unmet"],
    ["rebase", shape(1, 4, true), "met"],
    ["rebase", shape(1, 4, false), "unmet"],
  ] as const)("merge_method %s with %j is %s", (method, facts, status) => {
    const [row] = mergeMethodRequirements(facts, policyFrom({ merge_method: method }));
    expect(row?.status).toBe(status);
    expect(row?.title).toBe("Merge method");
  });

  it("says what was required and what GitHub's facts show", () => {
    expect(mergeMethodRequirements(shape(2, 4), policyFrom({ merge_method: "squash" }))).toStrictEqual([
      { source: "policy", title: "Merge method", required: '"Squash and merge" (`merge_method: squash`)', present: "a merge commit (2 parents)", status: "unmet" },
    ]);
  });

  it("adds no row when merge_method is not configured", () => {
    expect(mergeMethodRequirements(shape(2, 4), policyFrom())).toStrictEqual([]);
  });
});
