/**
 * The pure merge-back rules, table-driven: which branches are targets, how the fix is found in
 * each, what a re-check changes, when a reminder escalates, and what may happen to the branch.
 */
import { describe, expect, it } from "vitest";
import {
  backMergeHead,
  branchCleanup,
  candidateTargets,
  conflictCandidates,
  describeHotfix,
  escalationRecipients,
  findEvidence,
  isActiveRelease,
  isComplete,
  isEscalationDue,
  isTargetBranch,
  listingPrefixes,
  mentionsPullRequest,
  needsActivityCheck,
  needsBackMerge,
  needsMergeabilityCheck,
  releaseRowFor,
  rowFor,
  rowsToRecheck,
  shasToCompare,
  targetSpecs,
  withRows,
  type CompareStatus,
  type TargetFacts,
} from "../../src/rules/merge-back.js";
import { type Evidence, type Row } from "../../src/model/merge-back.js";
import { HEAD_SHA, policyFrom } from "../helpers/builders.js";
import { HOTFIX_BRANCH, MERGED_AT, MERGE_SHA, hotfixFacts, reminderState } from "../helpers/merge-back-fixtures.js";

const REPO = "acme/payments";
const OTHER = "1234567890abcdef1234567890abcdef12345678";
const squashed = hotfixFacts({ method: "squash-or-rebase", commits: [HEAD_SHA, OTHER] });

describe("targets", () => {
  it.each([
    { name: "defaults: develop (a name) and release/* (listed by prefix)", config: null, specs: [["develop", true], ["release/*", false]], prefixes: ["release/"] },
    { name: "configured names and globs", config: { merge_back: { targets: ["kars-dev", "release/v*", "release/*"] } }, specs: [["kars-dev", true], ["release/v*", false], ["release/*", false]], prefixes: ["release/"] },
    { name: "a regex lists every branch, once", config: { merge_back: { targets: ["develop", "/^rel-\\d+$/", "support/*"] } }, specs: [["develop", true], ["/^rel-\\d+$/", false], ["support/*", false]], prefixes: [""] },
  ])("$name", ({ config, specs, prefixes }) => {
    const compiled = targetSpecs(policyFrom(config));
    expect(compiled.map((spec) => [spec.pattern, spec.literal])).toStrictEqual(specs);
    expect(listingPrefixes(compiled)).toStrictEqual(prefixes);
  });

  it("orders candidates develop first, then naturally, never production nor the hotfix branch", () => {
    const policy = policyFrom({ merge_back: { targets: ["develop", "**"] } });
    const listed = ["release/1.10", "main", "release/1.3", HOTFIX_BRANCH, "develop", "feature/x"];
    expect(candidateTargets(targetSpecs(policy), listed, policy, hotfixFacts())).toStrictEqual(["develop", "feature/x", "release/1.3", "release/1.10"]);
  });

  it("keeps a target that shares its name with a fork's hotfix branch", () => {
    const policy = policyFrom();
    expect(candidateTargets(targetSpecs(policy), [], policy, hotfixFacts({ headRef: "develop", headInRepository: false }))).toStrictEqual(["develop"]);
  });

  it.each([
    { branch: "develop", expected: true },
    { branch: "release/1.3", expected: true },
    { branch: "main", expected: false },
    { branch: "feature/x", expected: false },
  ])("a push to $branch re-checks reminders: $expected", ({ branch, expected }) => {
    expect(isTargetBranch(branch, policyFrom())).toBe(expected);
  });

  it.each([
    { branch: "release/1.3", mode: "active", expected: true },
    { branch: "release/1.3", mode: "all", expected: false },
    { branch: "develop", mode: "active", expected: false },
  ])("$branch with release_branches $mode needs an activity check: $expected", ({ branch, mode, expected }) => {
    expect(needsActivityCheck(branch, policyFrom({ merge_back: { release_branches: mode } }))).toBe(expected);
  });

  it.each<[CompareStatus, boolean]>([
    ["behind", false],
    ["identical", false],
    ["ahead", true],
    ["diverged", true],
  ])("a release branch %s production is active: %s", (status, active) => {
    expect(isActiveRelease(status)).toBe(active);
  });
});

describe("finding the fix in a target", () => {
  const pr = (number: number, fields: { base?: string; headRef?: string; title?: string; body?: string }) => ({ number, base: "develop", headRef: "some-branch", title: "", body: "", ...fields });
  const cases: { name: string; hotfix?: typeof squashed; facts: TargetFacts; expected: Evidence | null }[] = [
    { name: "merge commit: the head is in the target", facts: { ancestry: [{ sha: HEAD_SHA, status: "behind" }] }, expected: { via: "ancestry", sha: HEAD_SHA } },
    { name: "identical counts as contained", facts: { ancestry: [{ sha: HEAD_SHA, status: "identical" }] }, expected: { via: "ancestry", sha: HEAD_SHA } },
    { name: "ahead or diverged is not contained", facts: { ancestry: [{ sha: HEAD_SHA, status: "diverged" }], mergedPullRequests: [], commits: [] }, expected: null },
    { name: "squash: the squash commit is in the target", hotfix: squashed, facts: { ancestry: [{ sha: MERGE_SHA, status: "behind" }] }, expected: { via: "ancestry", sha: MERGE_SHA } },
    { name: "a merged PR from the hotfix branch", facts: { ancestry: [], mergedPullRequests: [pr(50, { headRef: HOTFIX_BRANCH })] }, expected: { via: "pull-request", number: 50 } },
    { name: "a merged PR that mentions #42", facts: { ancestry: [], mergedPullRequests: [pr(51, { body: "Back-merge of #42." })] }, expected: { via: "pull-request", number: 51 } },
    { name: "a merged PR that links the hotfix", facts: { ancestry: [], mergedPullRequests: [pr(52, { body: "see https://github.com/acme/payments/pull/42" })] }, expected: { via: "pull-request", number: 52 } },
    { name: "a merged PR into another branch does not count", facts: { ancestry: [], mergedPullRequests: [pr(53, { base: "release/1.3", headRef: HOTFIX_BRANCH })], commits: [] }, expected: null },
    { name: "#420 and other#42 are not #42", facts: { ancestry: [], mergedPullRequests: [pr(54, { title: "Fixes #420", body: "acme/other#42 and x#42" })], commits: [] }, expected: null },
    { name: "the hotfix PR itself does not count", facts: { ancestry: [], mergedPullRequests: [pr(42, { headRef: HOTFIX_BRANCH })], commits: [] }, expected: null },
    {
      name: "a cherry-pick of the squash commit",
      hotfix: squashed,
      facts: { ancestry: [], mergedPullRequests: [], commits: [{ sha: "c".repeat(40), message: `fix\n\n(cherry picked from commit ${MERGE_SHA})` }] },
      expected: { via: "cherry-pick", shas: [MERGE_SHA] },
    },
    {
      name: "cherry-picks of every hotfix commit",
      hotfix: squashed,
      facts: {
        ancestry: [],
        mergedPullRequests: [],
        commits: [
          { sha: "c".repeat(40), message: `a\n\n(cherry picked from commit ${HEAD_SHA})` },
          { sha: "d".repeat(40), message: `b\n\n(cherry picked from commit ${OTHER})` },
        ],
      },
      expected: { via: "cherry-pick", shas: [HEAD_SHA, OTHER] },
    },
    {
      name: "a cherry-pick of only the head of a two-commit hotfix is not enough",
      hotfix: squashed,
      facts: { ancestry: [], mergedPullRequests: [], commits: [{ sha: "d".repeat(40), message: `b\n\n(cherry picked from commit ${HEAD_SHA})` }] },
      expected: null,
    },
  ];
  it.each(cases)("$name", ({ hotfix, facts, expected }) => {
    expect(findEvidence(hotfix ?? hotfixFacts(), REPO, "develop", facts)).toStrictEqual(expected);
  });

  it.each([
    { text: "#42", expected: true },
    { text: "(#42)", expected: true },
    { text: "acme/payments#42", expected: true },
    { text: "ACME/Payments#42 fixed", expected: true },
    { text: "&#42;", expected: false },
    { text: "#4", expected: false },
    { text: "#421", expected: false },
    { text: "xacme/payments#42", expected: false },
    { text: "https://github.com/acme/payments/pull/421", expected: false },
    { text: "https://github.com/acme/payments/issues/42", expected: true },
  ])("mentionsPullRequest($text) is $expected", ({ text, expected }) => {
    expect(mentionsPullRequest(text, 42, REPO)).toBe(expected);
  });

  it("answers on a hostile body (a linear scan: a backtracking regex would not finish within the test timeout)", () => {
    const hostile = `${"a.".repeat(30_000)}#${"9".repeat(1000)}${"#".repeat(30_000)}xacme/payments#42`;
    expect(mentionsPullRequest(hostile, 42, REPO)).toBe(false);
    expect(mentionsPullRequest(`${hostile} #42`, 42, REPO)).toBe(true);
  });

  it.each([
    { name: "merge commit: the head suffices", hotfix: hotfixFacts(), expected: [HEAD_SHA] },
    { name: "squash or rebase: the merge commit, then the head", hotfix: squashed, expected: [MERGE_SHA, HEAD_SHA] },
  ])("compares $name", ({ hotfix, expected }) => {
    expect(shasToCompare(hotfix)).toStrictEqual(expected);
  });
});

describe("describing the merged hotfix", () => {
  const merged = { number: 42, title: "t", author: "dev-alice", headRef: HOTFIX_BRANCH, headSha: HEAD_SHA, headInRepository: true, mergeSha: MERGE_SHA, mergedAt: MERGED_AT };
  it.each([
    { name: "a merge commit with the head as parent", parents: ["0".repeat(40), HEAD_SHA], method: "merge" },
    { name: "one parent: squashed or rebased", parents: ["0".repeat(40)], method: "squash-or-rebase" },
  ])("$name", ({ parents, method }) => {
    expect(describeHotfix(merged, parents, []).method).toBe(method);
  });

  it("keeps the hotfix's own commits and starts searching at the earliest commit date", () => {
    const facts = describeHotfix(merged, [MERGE_SHA], [
      { sha: "a".repeat(40), merge: false, date: "2026-11-23T12:00:00Z" },
      { sha: "b".repeat(40), merge: true, date: "2026-11-23T11:00:00Z" },
      { sha: HEAD_SHA, merge: false, date: null },
    ]);
    expect(facts.commits).toStrictEqual(["a".repeat(40), HEAD_SHA]);
    expect(facts.since).toBe("2026-11-23T11:00:00.000Z");
  });
});

describe("re-checking a reminder", () => {
  const backMerge = { number: 51, head: HOTFIX_BRANCH, state: "open" as const, mergeable: null };
  const rows: Row[] = [
    { target: "develop", status: "done", evidence: { via: "pull-request", number: 50 } },
    { target: "release/1.3", status: "missing", backMerge },
    { target: "release/1.4", status: "missing", backMergeError: "HTTP 403: Resource not accessible by integration" },
    { target: "release/2.0", status: "absent" },
  ];
  const state = reminderState(rows);

  it("checks only missing rows, of one branch when the event concerns one", () => {
    expect(rowsToRecheck(state).map((row) => row.target)).toStrictEqual(["release/1.3", "release/1.4"]);
    expect(rowsToRecheck(state, "release/1.3").map((row) => row.target)).toStrictEqual(["release/1.3"]);
    expect(rowsToRecheck(state, "develop")).toStrictEqual([]);
  });

  it.each([
    { name: "found: done, keeping its back-merge", previous: rows[1], outcome: { exists: true as const, evidence: { via: "ancestry" as const, sha: HEAD_SHA } }, expected: { target: "release/1.3", status: "done", evidence: { via: "ancestry", sha: HEAD_SHA }, backMerge } },
    { name: "still missing: keeps its back-merge", previous: rows[1], outcome: { exists: true as const, evidence: null }, expected: { target: "release/1.3", status: "missing", backMerge } },
    { name: "still missing: keeps the failed attempt", previous: rows[2], outcome: { exists: true as const, evidence: null }, expected: rows[2] },
    { name: "branch deleted: absent", previous: rows[1], outcome: { exists: false as const }, expected: { target: "release/1.3", status: "absent" } },
  ])("$name", ({ previous, outcome, expected }) => {
    expect(rowFor((previous as Row).target, outcome, previous)).toStrictEqual(expected);
  });

  it("is complete when no row is missing; absent and released rows block nothing", () => {
    expect(isComplete(state)).toBe(false);
    const done = withRows(state, [
      { target: "release/1.3", status: "released" },
      { target: "release/1.4", status: "done", evidence: { via: "cherry-pick", shas: [MERGE_SHA] } },
    ]);
    expect(done.rows.map((row) => row.status)).toStrictEqual(["done", "released", "done", "absent"]);
    expect(isComplete(done)).toBe(true);
  });

  it.each<[CompareStatus | null, Row["status"]]>([
    ["behind", "released"],
    ["identical", "released"],
    ["diverged", "missing"],
    [null, "absent"],
  ])("a missing release branch %s production becomes %s", (status, expected) => {
    expect(releaseRowFor(rows[1] as Row, status).status).toBe(expected);
  });

  it.each([
    { name: "no back-merge yet", row: { target: "develop", status: "missing" } as Row, open: true, refresh: false },
    { name: "a failed attempt", row: rows[2] as Row, open: true, refresh: false },
    { name: "an open one of unknown mergeability", row: rows[1] as Row, open: false, refresh: true },
    { name: "a clean one", row: { ...rows[1], backMerge: { ...backMerge, mergeable: true } } as Row, open: false, refresh: false },
    { name: "a conflicting one", row: { ...rows[1], backMerge: { ...backMerge, mergeable: false } } as Row, open: false, refresh: true },
    { name: "one someone closed", row: { ...rows[1], backMerge: { ...backMerge, state: "closed" } } as Row, open: false, refresh: false },
    { name: "a done row", row: rows[0] as Row, open: false, refresh: false },
  ])("back-merge of $name: open $open, refresh $refresh", ({ row, open, refresh }) => {
    expect(needsBackMerge(row)).toBe(open);
    expect(needsMergeabilityCheck(row)).toBe(refresh);
  });

  it.each([
    { name: "the hotfix branch at the merged head", hotfix: hotfixFacts(), head: HEAD_SHA, expected: HOTFIX_BRANCH },
    { name: "the hotfix branch gone", hotfix: hotfixFacts(), head: null, expected: "backport/42-to-release/1.3" },
    { name: "the hotfix branch moved on", hotfix: hotfixFacts(), head: OTHER, expected: "backport/42-to-release/1.3" },
    { name: "a fork's branch", hotfix: hotfixFacts({ headInRepository: false }), head: HEAD_SHA, expected: "backport/42-to-release/1.3" },
  ])("a back-merge comes from $expected with $name", ({ hotfix, head, expected }) => {
    expect(backMergeHead(hotfix, "release/1.3", head)).toStrictEqual({ branch: expected, create: expected !== HOTFIX_BRANCH });
  });

  it.each([
    { name: "files both sides changed", hotfixSide: ["a.ts", "b.ts"], targetSide: ["b.ts", "c.ts"], expected: { files: ["b.ts"], total: 1 } },
    { name: "an incomplete list", hotfixSide: null, targetSide: ["b.ts"], expected: null },
  ])("conflicts: $name", ({ hotfixSide, targetSide, expected }) => {
    expect(conflictCandidates(hotfixSide, targetSide)).toStrictEqual(expected);
  });

  it("names at most 20 conflicting files but counts them all", () => {
    const files = Array.from({ length: 30 }, (_, i) => `f${i}.ts`);
    expect(conflictCandidates(files, files)).toMatchObject({ total: 30, files: files.slice(0, 20) });
  });
});

describe("escalation", () => {
  const missing = reminderState([{ target: "develop", status: "missing" }]);
  const at = (iso: string) => new Date(iso);
  it.each([
    { name: "before the time", state: missing, config: null, now: "2026-11-24T14:49:00Z", due: false },
    { name: "at 24 hours after the merge", state: missing, config: null, now: "2026-11-24T14:50:00Z", due: true },
    { name: "at seed 003's 2 hours", state: missing, config: { merge_back: { escalate_after_hours: 2 } }, now: "2026-11-23T16:50:00Z", due: true },
    { name: "once only", state: { ...missing, escalatedAt: "2026-11-24T15:00:00Z" }, config: null, now: "2026-11-26T00:00:00Z", due: false },
    { name: "never when complete", state: reminderState([{ target: "develop", status: "absent" }]), config: null, now: "2026-11-26T00:00:00Z", due: false },
  ])("$name: $due", ({ state, config, now, due }) => {
    expect(isEscalationDue(state, policyFrom(config), at(now))).toBe(due);
  });

  it("mentions the author and the configured admins, teams with their organisation", () => {
    const policy = policyFrom({ audit: { notify: { users: ["ops-lead", "dev-alice"], teams: ["sre", "other-org/oncall"] } } });
    expect(escalationRecipients(missing, policy, "acme")).toStrictEqual(["dev-alice", "ops-lead", "acme/sre", "other-org/oncall"]);
  });
});

describe("the hotfix branch once every target has the fix", () => {
  const done = reminderState([{ target: "develop", status: "done", evidence: { via: "ancestry", sha: HEAD_SHA } }]);
  it.each([
    { name: "configured to delete", config: { merge_back: { delete_hotfix_branch: true } }, state: done, head: HEAD_SHA, expected: { kind: "delete" } },
    { name: "by default, suggested", config: null, state: done, head: HEAD_SHA, expected: { kind: "suggest" } },
    { name: "already deleted", config: null, state: done, head: null, expected: { kind: "gone" } },
    { name: "commits added since the merge", config: { merge_back: { delete_hotfix_branch: true } }, state: done, head: OTHER, expected: { kind: "keep", reason: "new-commits" } },
    { name: "a fork's branch", config: { merge_back: { delete_hotfix_branch: true } }, state: reminderState(done.rows as Row[], {}, { headInRepository: false }), head: HEAD_SHA, expected: { kind: "keep", reason: "fork" } },
    { name: "a labelled hotfix from develop", config: { merge_back: { delete_hotfix_branch: true } }, state: reminderState(done.rows as Row[], {}, { headRef: "develop" }), head: HEAD_SHA, expected: { kind: "keep", reason: "protected-name" } },
    { name: "a labelled hotfix from a release branch", config: { merge_back: { delete_hotfix_branch: true } }, state: reminderState(done.rows as Row[], {}, { headRef: "release/1.3" }), head: HEAD_SHA, expected: { kind: "keep", reason: "protected-name" } },
  ])("$name", ({ config, state, head, expected }) => {
    expect(branchCleanup(state, policyFrom(config), head)).toStrictEqual(expected);
  });
});
