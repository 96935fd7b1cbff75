/**
 * The merge audit's verdicts, pure: what was required and present at `merged_at`, GitHub's own
 * record, the justification the verdict stands on and its later edits, labels, and the
 * follow-up's due time and tag. Every scenario of the issue's test list appears here at the rule
 * level; the integration tests replay them through webhooks.
 */
import { describe, expect, it } from "vitest";
import { HEAD_SHA, NOW, policyFrom, snapshot } from "../helpers/builders.js";
import { ADMIN, ADMIN_APPROVAL, AUTHOR, MERGED_AT, auditInputs, bodyCandidate, comment, mergedPr, requirementFacts } from "../helpers/audit-builders.js";
import { expectedTag, hotfixTimeline, postIncidentDue } from "../../src/rules/post-incident.js";
import {
  auditMerge,
  commitsOutsidePullRequests,
  labelChanges,
  latestTagBefore,
  protectionRuleCovers,
  requirementsAtMerge,
  ruleSuiteNeedsLookup,
  rulesetCovers,
} from "../../src/rules/merge-audit.js";
import { type Requirement } from "../../src/model/merge.js";

const policy = policyFrom();
const unmetCheck: Requirement = { source: "github", title: "GitHub: required check `ci`", required: "passing", present: "failure", status: "unmet" };

function titles(requirements: readonly Requirement[], status: Requirement["status"]): string[] {
  return requirements.filter((r) => r.status === status).map((r) => r.title);
}

describe("requirements at the merge", () => {
  it("a compliant merge meets every policy rule and GitHub requirement", () => {
    const requirements = requirementsAtMerge(requirementFacts(), policy);
    expect(titles(requirements, "unmet")).toStrictEqual([]);
    expect(titles(requirements, "met")).toEqual(expect.arrayContaining(["Approvals", "Branch name", "GitHub: required approving reviews", "GitHub: required check `ci`"]));
  });

  it("a required check failing at the merge is unmet", () => {
    const checkRuns = [{ name: "ci", status: "completed", conclusion: "failure", startedAt: "2026-11-23T14:30:00Z", completedAt: "2026-11-23T14:35:00Z" }];
    const failing = requirementsAtMerge(requirementFacts({ checkRuns }), policy).find((r) => r.title === "GitHub: required check `ci`");
    expect(failing).toMatchObject({ status: "unmet", present: expect.stringContaining("failure") });
  });

  it("a check that passed only after the merge (a re-run) was not present at the merge", () => {
    const checkRuns = [
      { name: "ci", status: "completed", conclusion: "failure", startedAt: "2026-11-23T14:30:00Z", completedAt: "2026-11-23T14:35:00Z" },
      { name: "ci", status: "completed", conclusion: "success", startedAt: "2026-11-23T14:55:00Z", completedAt: "2026-11-23T14:58:00Z" },
    ];
    expect(titles(requirementsAtMerge(requirementFacts({ checkRuns }), policy), "unmet")).toStrictEqual(["GitHub: required check `ci`"]);
  });

  it("a required check with no result, or only a commit status, is judged from the statuses", () => {
    const statuses = [{ context: "ci", state: "success", createdAt: "2026-11-23T14:20:00Z" }];
    expect(titles(requirementsAtMerge(requirementFacts({ checkRuns: [], statuses }), policy), "unmet")).toStrictEqual([]);
    expect(titles(requirementsAtMerge(requirementFacts({ checkRuns: [], statuses: [] }), policy), "unmet")).toStrictEqual(["GitHub: required check `ci`"]);
  });

  it("approvals submitted after the merge do not count, whatever reviewDecision says now", () => {
    const late = [{ reviewer: "senior-bob", state: "APPROVED" as const, commitId: HEAD_SHA, submittedAt: "2026-11-23T14:55:00Z" }];
    const facts = requirementFacts({ reviews: late, atMerge: snapshot({ body: mergedPr().body, reviews: [] }) });
    expect(titles(requirementsAtMerge(facts, policy), "unmet")).toStrictEqual(["Approvals", "GitHub: required approving reviews"]);
  });

  it("GitHub's approval count ignores the author and reviewers without write access", () => {
    const reviews = [
      { reviewer: AUTHOR, state: "APPROVED" as const, commitId: HEAD_SHA, submittedAt: "2026-11-23T14:40:00Z" },
      { reviewer: "intern-ivy", state: "APPROVED" as const, commitId: HEAD_SHA, submittedAt: "2026-11-23T14:41:00Z" },
    ];
    const facts = requirementFacts({ reviews, reviewers: { "intern-ivy": { permission: "read", teams: [], notes: [] } } });
    expect(requirementsAtMerge(facts, policy).find((r) => r.title === "GitHub: required approving reviews")).toMatchObject({ status: "unmet", present: "none before the merge" });
  });

  it("with classic protection unreadable, a check that had not passed may have been required: not verified", () => {
    const checkRuns = [
      { name: "ci", status: "completed", conclusion: "success", startedAt: null, completedAt: "2026-11-23T14:35:00Z" },
      { name: "lint", status: "completed", conclusion: "failure", startedAt: null, completedAt: "2026-11-23T14:36:00Z" },
    ];
    const facts = requirementFacts({ checkRuns, classic: { status: "unknown", reason: "HTTP 403: the app needs the Administration read permission" } });
    expect(titles(requirementsAtMerge(facts, policy), "unknown")).toStrictEqual(["Check `lint` (maybe required)"]);
  });

  it("protection weakened while the pull request was open is a requirement not met", () => {
    const protectionChanges = [
      { at: "2026-11-23T14:45:00Z", actor: ADMIN, kind: "branch protection rule" as const, action: "deleted", name: "main" },
      { at: "2026-11-23T14:52:00Z", actor: ADMIN, kind: "branch protection rule" as const, action: "created", name: "main" },
      { at: "2026-11-22T10:00:00Z", actor: ADMIN, kind: "ruleset" as const, action: "edited", name: "prod" },
    ];
    const unmet = requirementsAtMerge(requirementFacts({ protectionChanges }), policy).filter((r) => r.status === "unmet");
    expect(unmet).toHaveLength(1);
    expect(unmet[0]?.present).toBe("branch protection rule `main` deleted by @sre-admin at 2026-11-23T14:45:00Z");
  });

  it("the policy's own rules are judged on the description at the merge", () => {
    const pr = mergedPr({ body: "" });
    const unmet = titles(requirementsAtMerge(requirementFacts({ pr, atMerge: snapshot({ body: "" }) }), policy), "unmet");
    expect(unmet).toContain("PR template");
  });
});

describe("the verdict", () => {
  it("compliant: nothing unmet, no bypass recorded; no labels beyond hotfix, no audit issue", () => {
    const audit = auditMerge(auditInputs({ requirements: requirementsAtMerge(requirementFacts(), policy), ruleSuiteCheckedAt: NOW.toISOString() }), policy, new Date("2026-11-23T15:10:00Z"));
    expect(audit).toMatchObject({ verdict: "compliant", justified: false, needsAuditIssue: false, ruleSuitePending: false });
    expect(labelChanges(audit, [], policy, false)).toStrictEqual({ add: ["hotfix"], remove: [] });
  });

  it("bypass with a valid justification: justified, labelled bypass, no audit issue", () => {
    const audit = auditMerge(auditInputs({ requirements: [unmetCheck] }), policy, NOW);
    expect(audit).toMatchObject({ verdict: "bypass", justified: true, needsAuditIssue: false });
    expect(audit.justification?.verdict.authoriser).toBe(ADMIN);
    expect(labelChanges(audit, ["hotfix"], policy, false)).toStrictEqual({ add: ["hotfix:bypass"], remove: [] });
  });

  it("bypass with no justification: unjustified, an audit issue, both bypass labels", () => {
    const audit = auditMerge(auditInputs({ requirements: [unmetCheck], candidates: [] }), policy, NOW);
    expect(audit).toMatchObject({ verdict: "bypass", justified: false, needsAuditIssue: true, justification: null });
    expect(labelChanges(audit, [], policy, false).add).toStrictEqual(["hotfix", "hotfix:bypass", "hotfix:bypass-unjustified"]);
  });

  it.each([
    { name: "an authoriser without admin permission", candidate: bodyCandidate({ authorizedBy: "@senior-bob" }), problem: /only repository administrators/ },
    { name: "the author as authoriser", candidate: bodyCandidate({ authorizedBy: `@${AUTHOR}` }), problem: /cannot authorise its bypass/ },
  ])("bypass authorised by $name is unjustified", ({ candidate, problem }) => {
    const audit = auditMerge(auditInputs({ requirements: [unmetCheck], candidates: [candidate] }), policy, NOW);
    expect(audit).toMatchObject({ verdict: "bypass", justified: false, needsAuditIssue: true });
    expect(audit.justification?.verdict.checks.map((c) => c.detail).join("\n")).toMatch(problem);
  });

  it("bypass authorised by an admin who never acted is unjustified", () => {
    const inputs = auditInputs({ requirements: [unmetCheck] });
    const audit = auditMerge({ ...inputs, context: { ...inputs.context, reviews: [] } }, policy, NOW);
    expect(audit.needsAuditIssue).toBe(true);
    expect(audit.justification?.verdict.checks.find((c) => c.aspect === "Authoriser confirmed")?.status).toBe("invalid");
  });

  it('"no reviewer within 2 hours" while a reviewer did answer in time is unjustified', () => {
    const candidate = bodyCandidate({ bypassReason: "No reviewer available within 2 hours" });
    const inputs = auditInputs({ requirements: [unmetCheck], candidates: [candidate] });
    const context = {
      ...inputs.context,
      reviews: [{ reviewer: "senior-bob", state: "CHANGES_REQUESTED" as const, commitId: HEAD_SHA, submittedAt: "2026-11-23T13:00:00Z" }],
      comments: [comment(9, ADMIN, "/hotfix authorize", "2026-11-23T14:48:00Z")],
      reviewRequests: [{ kind: "requested" as const, at: "2026-11-23T12:00:00Z", reviewer: "senior-bob", team: null }],
    };
    const audit = auditMerge({ ...inputs, context }, policy, NOW);
    expect(audit.justified).toBe(false);
    expect(audit.justification?.verdict.checks.find((c) => c.aspect === "No reviewer answered")?.detail).toMatch(/@senior-bob reviewed at 2026-11-23 13:00 UTC/);
  });

  it("prefers a valid justification over an invalid one, and otherwise shows the latest", () => {
    const invalid = bodyCandidate({ authorizedBy: "@senior-bob" });
    const later = { ...bodyCandidate(), source: { kind: "comment" as const, id: 4, author: AUTHOR, createdAt: "2026-11-23T14:30:00Z", updatedAt: "2026-11-23T14:30:00Z" } };
    expect(auditMerge(auditInputs({ requirements: [unmetCheck], candidates: [invalid, later] }), policy, NOW).justified).toBe(true);
    const both = auditMerge(auditInputs({ requirements: [unmetCheck], candidates: [invalid, bodyCandidate({ incident: "" })] }), policy, NOW);
    expect(both.justification?.fields.incident).toBe("");
  });

  it("GitHub's record of a bypass makes an otherwise compliant merge a bypass, naming GitHub's actor", () => {
    const audit = auditMerge(auditInputs({ ruleSuite: { status: "bypass", id: 77, actor: ADMIN, pushedAt: MERGED_AT }, candidates: [] }), policy, NOW);
    expect(audit.verdict).toBe("bypass");
    expect(audit.unmet[0]?.present).toContain("actor @sre-admin");
  });

  it("no record yet shortly after the merge is pending and does not decide the verdict", () => {
    const audit = auditMerge(auditInputs(), policy, NOW);
    expect(audit).toMatchObject({ verdict: "compliant", ruleSuitePending: true });
    expect(labelChanges(audit, ["hotfix"], policy, audit.ruleSuitePending).add).toStrictEqual(["hotfix:audit-pending"]);
    expect(auditMerge(auditInputs(), policy, new Date("2026-11-23T15:30:00Z")).ruleSuitePending).toBe(false);
  });

  it("asks the rule-suites API again only while a 'none' could still change", () => {
    const first = auditMerge(auditInputs({ ruleSuiteCheckedAt: "2026-11-23T14:51:00Z" }), policy, NOW).record;
    expect(ruleSuiteNeedsLookup(null, true, MERGED_AT)).toBe(true);
    expect(ruleSuiteNeedsLookup(first, true, MERGED_AT)).toBe(true);
    expect(ruleSuiteNeedsLookup({ ...first, ruleSuiteCheckedAt: "2026-11-23T15:10:00Z" }, true, MERGED_AT)).toBe(false);
    expect(ruleSuiteNeedsLookup(null, false, MERGED_AT)).toBe(false);
  });

  it("the same audit run twice on its own record yields the same verdict and record", () => {
    const first = auditMerge(auditInputs({ requirements: [unmetCheck] }), policy, NOW);
    const second = auditMerge(auditInputs({ requirements: [unmetCheck], recorded: first.record }), policy, new Date("2026-11-23T15:01:00Z"));
    expect(second.record).toStrictEqual(first.record);
    expect(second.laterEdits).toStrictEqual([]);
  });

  it("a valid justification edited after the verdict is flagged; the verdict stands on the recorded text", () => {
    const first = auditMerge(auditInputs({ requirements: [unmetCheck] }), policy, NOW);
    const edited = bodyCandidate({ authorizedBy: "@someone-else" });
    const second = auditMerge(auditInputs({ requirements: [unmetCheck], recorded: first.record, candidates: [edited] }), policy, new Date("2026-11-23T16:00:00Z"));
    expect(second).toMatchObject({ justified: true, laterEdits: [{ sourceKey: "body", removed: false }] });
    expect(second.justification?.fields.authorizedBy).toBe(`@${ADMIN}`);
  });

  it("an invalid justification edited after the window is flagged and not accepted", () => {
    const first = auditMerge(auditInputs({ requirements: [unmetCheck], candidates: [bodyCandidate({ authorizedBy: "" })] }), policy, NOW);
    expect(first.justified).toBe(false);
    const second = auditMerge(auditInputs({ requirements: [unmetCheck], recorded: first.record }), policy, new Date("2026-11-23T16:00:00Z"));
    expect(second).toMatchObject({ justified: false, needsAuditIssue: true, laterEdits: [{ sourceKey: "body", removed: false }] });
    expect(second.justification?.verdict.checks[0]?.detail).toMatch(/first read after the merge plus 60 minutes/);
  });

  it("a valid justification arriving later in a comment, within the window, justifies the bypass", () => {
    const first = auditMerge(auditInputs({ requirements: [unmetCheck], candidates: [] }), policy, NOW);
    const form = { ...bodyCandidate(), source: { kind: "comment" as const, id: 4, author: AUTHOR, createdAt: "2026-11-23T15:05:00Z", updatedAt: "2026-11-23T15:05:00Z" } };
    const inputs = auditInputs({ requirements: [unmetCheck], recorded: first.record, candidates: [form] });
    const context = { ...inputs.context, reviews: [], comments: [comment(8, ADMIN, "/hotfix authorize", "2026-11-23T15:06:00Z")] };
    const second = auditMerge({ ...inputs, context }, policy, new Date("2026-11-23T15:07:00Z"));
    expect(second).toMatchObject({ justified: true, needsAuditIssue: false, laterEdits: [] });
    expect(labelChanges(second, ["hotfix", "hotfix:bypass", "hotfix:bypass-unjustified"], policy, false)).toStrictEqual({ add: [], remove: ["hotfix:bypass-unjustified"] });
  });

  it("an unknown requirement alone makes the verdict 'not fully verified', with no bypass labels", () => {
    const unknown: Requirement = { ...unmetCheck, status: "unknown" };
    const audit = auditMerge(auditInputs({ requirements: [unknown], rulesetsApply: false, ruleSuite: { status: "not-applicable" } }), policy, NOW);
    expect(audit.verdict).toBe("unverified");
    expect(labelChanges(audit, [], policy, false).add).toStrictEqual(["hotfix"]);
  });
});

describe("direct pushes", () => {
  it("keeps only the commits that belong to no merged pull request into production", () => {
    const commits = [
      { sha: "a".repeat(40), message: "hotfix: x", author: "dev-alice", mergedPullRequests: [42] },
      { sha: "b".repeat(40), message: "quick fix", author: "dev-alice", mergedPullRequests: [] },
    ];
    expect(commitsOutsidePullRequests(commits).map((c) => c.sha)).toStrictEqual(["b".repeat(40)]);
  });
});

describe("protection changes", () => {
  it.each([
    { pattern: "main", covers: true },
    { pattern: "ma*", covers: true },
    { pattern: "release/*", covers: false },
    { pattern: "[unclosed", covers: true },
  ])("branch protection rule $pattern covers main: $covers", ({ pattern, covers }) => {
    expect(protectionRuleCovers(pattern, "main")).toBe(covers);
  });

  it.each([
    { name: "~DEFAULT_BRANCH on the default branch", scope: { target: "branch", include: ["~DEFAULT_BRANCH"], exclude: [] }, covers: true },
    { name: "~ALL excluding main", scope: { target: "branch", include: ["~ALL"], exclude: ["refs/heads/main"] }, covers: false },
    { name: "a tag ruleset", scope: { target: "tag", include: ["~ALL"], exclude: [] }, covers: false },
    { name: "no conditions", scope: { target: null, include: null, exclude: [] }, covers: true },
    { name: "refs/heads/release/*", scope: { target: "branch", include: ["refs/heads/release/*"], exclude: [] }, covers: false },
  ])("a ruleset with $name covers main: $covers", ({ scope, covers }) => {
    expect(rulesetCovers(scope, "main", true)).toBe(covers);
  });
});

describe("the follow-up", () => {
  it("expects the tag the branch names, and reads the tag before it", () => {
    expect(expectedTag("hotfix/v1.4.3-default-currency", policy)).toBe("v1.4.3");
    expect(expectedTag("hotfix/emergency-20261123-1405", policy)).toBeNull();
    expect(latestTagBefore(["v1.4.1", "v1.4.3", "v1.4.2", "v2.0.0", "nightly"], "v1.4.3")).toBe("v1.4.2");
    expect(latestTagBefore(["v1.4.1"], null)).toBe("v1.4.1");
  });

  it("is due 48 hours after the merge, or by severity when configured (the strictest)", () => {
    expect(postIncidentDue(mergedPr(), policy)).toMatchObject({ hours: 48, source: "post_incident.due_hours" });
    const bySeverity = policyFrom({ post_incident: { due_hours_by_severity: { critical: 24, P0: 12 } } });
    expect(postIncidentDue(mergedPr(), bySeverity).at.toISOString()).toBe("2026-11-24T14:50:00.000Z");
  });

  it("starts the timeline from the pull request's own timestamps: opened, first approval before the merge, merged", () => {
    const late = { ...ADMIN_APPROVAL, reviewer: "senior-bob", submittedAt: "2026-11-23T14:55:00Z" };
    expect(hotfixTimeline(mergedPr(), [late, ADMIN_APPROVAL]).map((entry) => entry.at)).toStrictEqual(["2026-11-23T13:00:00Z", "2026-11-23T14:40:00Z", MERGED_AT]);
  });
});
