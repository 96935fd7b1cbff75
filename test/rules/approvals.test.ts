import { describe, expect, it } from "vitest";
import { approvalsRule, eligibilityOf, requiredApprovals, reviewersToVerify, reviewWaitDeadline } from "../../src/rules/approvals.js";
import type { PullRequestSnapshot, ReviewerFact, ReviewFact } from "../../src/rules/types.js";
import { COMPLETE_BODY, HEAD_SHA, NOW, policyFrom, snapshot } from "../helpers/builders.js";

const OLD_SHA = "0ld0000aaaabbbbccccddddeeeeffff000011112";
const BYPASS = "a bypass requires the emergency bypass justification form: see the bypass procedure in the README.";

/** A review; `at` is the minute past 14:00 it was submitted, so later minutes are later reviews. */
function review(reviewer: string, state: string, at: number, commitId: string | null = HEAD_SHA): ReviewFact {
  return { reviewer, state: state as ReviewFact["state"], commitId, submittedAt: `2026-11-23T14:${String(at).padStart(2, "0")}:00Z` };
}

function fact(permission: string | null, teams: readonly string[] = [], notes: readonly string[] = []): ReviewerFact {
  return { permission, teams, notes };
}

const WRITE = fact("write");

function withSeverity(severity: string): string {
  return COMPLETE_BODY.replace("**Severity:** CRITICAL", `**Severity:** ${severity}`);
}

function evaluate(overrides: Partial<PullRequestSnapshot>, config: unknown = null) {
  const findings = approvalsRule(snapshot(overrides), policyFrom(config), NOW);
  expect(findings).toHaveLength(1);
  const finding = findings[0]!;
  expect(finding).toMatchObject({ rule: "approvals", title: "Approvals" });
  if (finding.status === "fail") expect(finding.remedy).toContain(BYPASS);
  return finding;
}

interface Case {
  readonly name: string;
  readonly overrides: Partial<PullRequestSnapshot>;
  readonly config?: unknown;
  readonly status: "pass" | "fail";
  readonly actual: string;
}

describe("approvalsRule", () => {
  it.each<Case>([
    {
      name: "one eligible approval",
      overrides: {},
      status: "pass",
      actual: "1 of 1 required approval (approvals.required). Counted: @senior-bob (write permission).",
    },
    {
      name: "the author's own approval",
      overrides: { reviews: [review("dev-alice", "APPROVED", 40)], reviewers: { "dev-alice": WRITE } },
      status: "fail",
      actual: "0 of 1 required approval (approvals.required). Not counted: @dev-alice (the author, who never counts).",
    },
    {
      name: "the author's approval under another letter case",
      overrides: { reviews: [review("Dev-Alice", "APPROVED", 40)], reviewers: { "dev-alice": WRITE } },
      status: "fail",
      actual: "0 of 1 required approval (approvals.required). Not counted: @Dev-Alice (the author, who never counts).",
    },
    {
      name: "an approval followed by a comment",
      overrides: { reviews: [review("senior-bob", "APPROVED", 40), review("senior-bob", "COMMENTED", 45)] },
      status: "pass",
      actual: "1 of 1 required approval (approvals.required). Counted: @senior-bob (write permission).",
    },
    {
      name: "an approval followed by a pending review",
      overrides: { reviews: [review("senior-bob", "APPROVED", 40), { ...review("senior-bob", "PENDING", 45), submittedAt: null }] },
      status: "pass",
      actual: "1 of 1 required approval (approvals.required). Counted: @senior-bob (write permission).",
    },
    {
      name: "an approval later dismissed",
      overrides: { reviews: [review("senior-bob", "APPROVED", 40), review("senior-bob", "DISMISSED", 45)] },
      status: "fail",
      actual: "0 of 1 required approval (approvals.required). Not counted: @senior-bob (review dismissed).",
    },
    {
      name: "a dismissed approval, as GitHub lists it after dismissal",
      overrides: { reviews: [review("senior-bob", "DISMISSED", 40)] },
      status: "fail",
      actual: "0 of 1 required approval (approvals.required). Not counted: @senior-bob (review dismissed).",
    },
    {
      name: "changes requested after approving",
      overrides: { reviews: [review("senior-bob", "APPROVED", 40), review("senior-bob", "CHANGES_REQUESTED", 45)] },
      status: "fail",
      actual: "Changes requested by @senior-bob, an eligible reviewer. 0 of 1 required approval (approvals.required).",
    },
    {
      name: "an approval after requesting changes",
      overrides: { reviews: [review("senior-bob", "CHANGES_REQUESTED", 30), review("senior-bob", "APPROVED", 40)] },
      status: "pass",
      actual: "1 of 1 required approval (approvals.required). Counted: @senior-bob (write permission).",
    },
    {
      name: "reviews listed out of order, the later changes request wins",
      overrides: { reviews: [review("senior-bob", "CHANGES_REQUESTED", 50), review("senior-bob", "APPROVED", 40)] },
      status: "fail",
      actual: "Changes requested by @senior-bob, an eligible reviewer. 0 of 1 required approval (approvals.required).",
    },
    {
      name: "an approval given before the latest push",
      overrides: { reviews: [review("senior-bob", "APPROVED", 40, OLD_SHA)] },
      status: "fail",
      actual: "0 of 1 required approval (approvals.required). Not counted: @senior-bob (approval given on 0ld0000, before the latest push).",
    },
    {
      name: "an approval given before the latest push, staleness off",
      overrides: { reviews: [review("senior-bob", "APPROVED", 40, OLD_SHA)] },
      config: { approvals: { stale_after_push: false } },
      status: "pass",
      actual: "1 of 1 required approval (approvals.required). Counted: @senior-bob (write permission).",
    },
    {
      name: "an approval on an unknown commit",
      overrides: { reviews: [review("senior-bob", "APPROVED", 40, null)] },
      status: "fail",
      actual:
        "0 of 1 required approval (approvals.required). Not counted: @senior-bob (approval given on an unknown commit, so it may predate the latest push).",
    },
    {
      name: "an approver with read permission",
      overrides: { reviewers: { "senior-bob": fact("read") } },
      status: "fail",
      actual:
        "0 of 1 required approval (approvals.required). Not counted: @senior-bob (approved but is not an eligible reviewer: read permission, needs write, maintain or admin).",
    },
    {
      name: "an approver with triage permission",
      overrides: { reviewers: { "senior-bob": fact("triage") } },
      status: "fail",
      actual:
        "0 of 1 required approval (approvals.required). Not counted: @senior-bob (approved but is not an eligible reviewer: triage permission, needs write, maintain or admin).",
    },
    {
      name: "an approver with admin permission",
      overrides: { reviewers: { "senior-bob": fact("admin") } },
      status: "pass",
      actual: "1 of 1 required approval (approvals.required). Counted: @senior-bob (admin permission).",
    },
    {
      name: "an approver whose permission is unknown",
      overrides: { reviewers: { "senior-bob": fact(null) } },
      status: "fail",
      actual:
        "0 of 1 required approval (approvals.required). Not counted: @senior-bob (approved but is not an eligible reviewer: could not verify their repository permission).",
    },
    {
      name: "an approver with no fact",
      overrides: { reviewers: {} },
      status: "fail",
      actual:
        "0 of 1 required approval (approvals.required). Not counted: @senior-bob (approved but is not an eligible reviewer: could not verify their repository permission).",
    },
    {
      name: "an approver whose login is an object property name",
      overrides: { reviews: [review("constructor", "APPROVED", 40)], reviewers: {} },
      status: "fail",
      actual:
        "0 of 1 required approval (approvals.required). Not counted: @constructor (approved but is not an eligible reviewer: could not verify their repository permission).",
    },
    {
      name: "lower-case states from a webhook",
      overrides: { reviews: [review("senior-bob", "approved", 40), review("carol", "approved", 41)], reviewers: { "senior-bob": WRITE, carol: WRITE } },
      config: { approvals: { required: 2 } },
      status: "pass",
      actual: "2 of 2 required approvals (approvals.required). Counted: @senior-bob (write permission); @carol (write permission).",
    },
    {
      name: "a lower-case changes_requested from a webhook",
      overrides: { reviews: [review("senior-bob", "approved", 40), review("senior-bob", "changes_requested", 45)] },
      status: "fail",
      actual: "Changes requested by @senior-bob, an eligible reviewer. 0 of 1 required approval (approvals.required).",
    },
    {
      name: "a reviewer login in another case than its fact",
      overrides: { reviews: [review("Senior-Bob", "APPROVED", 40)] },
      status: "pass",
      actual: "1 of 1 required approval (approvals.required). Counted: @Senior-Bob (write permission).",
    },
    {
      name: "one person approving twice under two letter cases",
      overrides: { reviews: [review("senior-bob", "APPROVED", 40), review("SENIOR-BOB", "APPROVED", 41)] },
      config: { approvals: { required: 2 } },
      status: "fail",
      actual: "1 of 2 required approvals (approvals.required). Counted: @SENIOR-BOB (write permission).",
    },
    {
      name: "a case-different login whose later changes request cancels the approval",
      overrides: { reviews: [review("senior-bob", "APPROVED", 40), review("SENIOR-BOB", "CHANGES_REQUESTED", 41)] },
      status: "fail",
      actual: "Changes requested by @SENIOR-BOB, an eligible reviewer. 0 of 1 required approval (approvals.required).",
    },
    {
      name: "changes requested by an eligible reviewer despite two approvals",
      overrides: {
        reviews: [review("senior-bob", "APPROVED", 40), review("carol", "APPROVED", 41), review("dave", "CHANGES_REQUESTED", 42, OLD_SHA)],
        reviewers: { "senior-bob": WRITE, carol: WRITE, dave: fact("maintain") },
      },
      status: "fail",
      actual:
        "Changes requested by @dave, an eligible reviewer. 2 of 1 required approval (approvals.required). Counted: @senior-bob (write permission); @carol (write permission).",
    },
    {
      name: "changes requested by someone who is not eligible",
      overrides: {
        reviews: [review("senior-bob", "APPROVED", 40), review("mallory", "CHANGES_REQUESTED", 42)],
        reviewers: { "senior-bob": WRITE, mallory: fact("read") },
      },
      status: "pass",
      actual:
        "1 of 1 required approval (approvals.required). Counted: @senior-bob (write permission). Not counted: @mallory (requested changes but is not an eligible reviewer: read permission, needs write, maintain or admin).",
    },
    {
      name: "no reviews at all",
      overrides: { reviews: [], reviewers: {} },
      status: "fail",
      actual: "0 of 1 required approval (approvals.required). No approving or changes-requested reviews yet.",
    },
    {
      name: "only comments",
      overrides: { reviews: [review("senior-bob", "COMMENTED", 40)], reviewers: {} },
      status: "fail",
      actual: "0 of 1 required approval (approvals.required). No approving or changes-requested reviews yet.",
    },
    {
      name: "no approval required",
      overrides: { reviews: [], reviewers: {} },
      config: { approvals: { required: 0 } },
      status: "pass",
      actual: "No approval required (approvals.required). No approving or changes-requested reviews yet.",
    },
    {
      name: "no approval required but an eligible reviewer requested changes",
      overrides: { reviews: [review("senior-bob", "CHANGES_REQUESTED", 40)] },
      config: { approvals: { required: 0 } },
      status: "fail",
      actual: "Changes requested by @senior-bob, an eligible reviewer. No approval required (approvals.required).",
    },
  ])("$status: $name", ({ overrides, config, status, actual }) => {
    const finding = evaluate(overrides, config);
    expect(finding.status).toBe(status);
    expect(finding.actual).toBe(actual);
  });

  describe("configured reviewers", () => {
    const USERS = { approvals: { reviewers: { users: ["Lead-1", "lead-2"] } } };
    const TEAMS = { approvals: { reviewers: { teams: ["acme/SRE"] } } };

    it.each<Case>([
      {
        name: "a listed user, in another case, with no fact",
        overrides: { reviews: [review("lead-1", "APPROVED", 40)], reviewers: {} },
        config: USERS,
        status: "pass",
        actual: "1 of 1 required approval (approvals.required). Counted: @lead-1 (listed in approvals.reviewers.users).",
      },
      {
        name: "an unlisted user with write permission",
        overrides: {},
        config: USERS,
        status: "fail",
        actual:
          "0 of 1 required approval (approvals.required). Not counted: @senior-bob (approved but is not an eligible reviewer: not listed in approvals.reviewers.users).",
      },
      {
        name: "a member of a listed team, team in another case",
        overrides: { reviewers: { "senior-bob": fact("read", ["acme/sre"]) } },
        config: TEAMS,
        status: "pass",
        actual: "1 of 1 required approval (approvals.required). Counted: @senior-bob (member of acme/SRE).",
      },
      {
        name: "a writer outside the listed team",
        overrides: { reviewers: { "senior-bob": fact("admin", ["acme/frontend"]) } },
        config: TEAMS,
        status: "fail",
        actual: "0 of 1 required approval (approvals.required). Not counted: @senior-bob (approved but is not an eligible reviewer: not a member of acme/SRE).",
      },
      {
        name: "a reviewer whose team membership could not be read",
        overrides: { reviewers: { "senior-bob": fact("write", [], ["the app may not read team acme/SRE"]) } },
        config: TEAMS,
        status: "fail",
        actual:
          "0 of 1 required approval (approvals.required). Not counted: @senior-bob (approved but is not an eligible reviewer: not a member of acme/SRE (the app may not read team acme/SRE)).",
      },
      {
        name: "a reviewer with no fact",
        overrides: { reviewers: {} },
        config: TEAMS,
        status: "fail",
        actual:
          "0 of 1 required approval (approvals.required). Not counted: @senior-bob (approved but is not an eligible reviewer: could not verify membership of acme/SRE).",
      },
      {
        name: "users and teams together",
        overrides: {
          reviews: [review("lead-2", "APPROVED", 40), review("senior-bob", "APPROVED", 41), review("eve", "APPROVED", 42)],
          reviewers: { "senior-bob": fact("write", ["acme/SRE"]), eve: fact("write", ["acme/qa"]) },
        },
        config: { approvals: { required: 3, reviewers: { users: ["lead-2"], teams: ["acme/SRE"] } } },
        status: "fail",
        actual:
          "2 of 3 required approvals (approvals.required). Counted: @lead-2 (listed in approvals.reviewers.users); @senior-bob (member of acme/SRE). Not counted: @eve (approved but is not an eligible reviewer: not a listed user nor a member of acme/SRE).",
      },
    ])("$status: $name", ({ overrides, config, status, actual }) => {
      const finding = evaluate(overrides, config);
      expect(finding.status).toBe(status);
      expect(finding.actual).toBe(actual);
    });

    it("names the configured reviewers in what is expected and in the remedy", () => {
      const finding = evaluate({ reviews: [], reviewers: {} }, { approvals: { reviewers: { users: ["lead-1", "lead-2"], teams: ["acme/sre"] } } });
      expect(finding.expected).toBe(
        "1 approval (approvals.required) on the latest commit from one of @lead-1 and @lead-2 or a member of acme/sre, not the author, and no changes requested by an eligible reviewer",
      );
      expect(finding.remedy).toMatch(/^Request a review from one of @lead-1 and @lead-2 or a member of acme\/sre\./);
    });
  });

  describe("required count by severity", () => {
    it.each([
      { name: "HIGH needs two, one given", severity: "HIGH", bySeverity: { HIGH: 2 }, required: 1, count: 2, source: "severity HIGH, approvals.by_severity", status: "fail" },
      { name: "lower-case key", severity: "HIGH", bySeverity: { high: 2 }, required: 1, count: 2, source: "severity HIGH, approvals.by_severity", status: "fail" },
      { name: "severity without an entry", severity: "CRITICAL", bySeverity: { HIGH: 2 }, required: 1, count: 1, source: "approvals.required", status: "pass" },
      { name: "an entry below the default", severity: "CRITICAL", bySeverity: { CRITICAL: 0 }, required: 3, count: 0, source: "severity CRITICAL, approvals.by_severity", status: "pass" },
      { name: "two severities named, the strictest entry wins", severity: "P0 - Critical", bySeverity: { P0: 1, CRITICAL: 2 }, required: 1, count: 2, source: "severity CRITICAL, approvals.by_severity", status: "fail" },
      { name: "two severities named, the default is stricter than the entry", severity: "P0 - Critical", bySeverity: { CRITICAL: 1 }, required: 2, count: 2, source: "approvals.required", status: "fail" },
      { name: "no severity section filled in", severity: "[CRITICAL/HIGH]", bySeverity: { CRITICAL: 0 }, required: 2, count: 2, source: "approvals.required", status: "fail" },
    ])("$name", ({ severity, bySeverity, required, count, source, status }) => {
      const config = { approvals: { required, by_severity: bySeverity } };
      expect(requiredApprovals(withSeverity(severity), policyFrom(config))).toStrictEqual({ count, source });
      const finding = evaluate({ body: withSeverity(severity) }, config);
      expect(finding.status).toBe(status);
      expect(finding.actual).toContain(`(${source})`);
    });

    it("passes HIGH with two eligible approvals", () => {
      const finding = evaluate(
        { body: withSeverity("HIGH"), reviews: [review("senior-bob", "APPROVED", 40), review("carol", "APPROVED", 41)], reviewers: { "senior-bob": WRITE, carol: WRITE } },
        { approvals: { by_severity: { HIGH: 2 } } },
      );
      expect(finding.status).toBe("pass");
      expect(finding.actual).toMatch(/^2 of 2 required approvals \(severity HIGH, approvals\.by_severity\)\./);
    });
  });

  describe("remedies", () => {
    it("asks for someone with write access and points to the bypass procedure", () => {
      const finding = evaluate({ reviews: [], reviewers: {} });
      expect(finding.remedy).toBe(`Request a review from someone with write access to the repository. If no eligible reviewer can respond in an emergency, ${BYPASS}`);
      expect(finding.expected).toBe(
        "1 approval (approvals.required) on the latest commit from someone with write access to the repository, not the author, and no changes requested by an eligible reviewer",
      );
    });

    it("asks stale approvers to approve the latest commit again", () => {
      const finding = evaluate({ reviews: [review("senior-bob", "APPROVED", 40, OLD_SHA)] });
      expect(finding.remedy).toContain("Ask @senior-bob to approve the latest commit again: approvals given before the latest push no longer count.");
    });

    it("says which reviewers could not be verified", () => {
      const finding = evaluate({ reviewers: {} }, { approvals: { reviewers: { teams: ["acme/sre"] } } });
      expect(finding.remedy).toContain(
        "The app could not verify @senior-bob, so their reviews do not count: re-run the check, and make sure the app may read team membership (Members read permission).",
      );
    });

    it("asks to address the requested changes", () => {
      const finding = evaluate({ reviews: [review("senior-bob", "CHANGES_REQUESTED", 40)] });
      expect(finding.remedy).toMatch(/^Address the changes @senior-bob requested, push, and ask for a new review/);
    });

    it("has no remedy on a pass", () => {
      expect(evaluate({}).remedy).toBeUndefined();
    });
  });
});

describe("eligibilityOf", () => {
  it.each([
    { permission: "write", status: "eligible" },
    { permission: "maintain", status: "eligible" },
    { permission: "ADMIN", status: "eligible" },
    { permission: "triage", status: "not-eligible" },
    { permission: "read", status: "not-eligible" },
    { permission: "none", status: "not-eligible" },
    { permission: null, status: "unverified" },
  ])("with no reviewers configured, $permission permission is $status", ({ permission, status }) => {
    expect(eligibilityOf("carol", fact(permission), policyFrom()).status).toBe(status);
  });

  it("passes on what the gateway could not verify", () => {
    expect(eligibilityOf("carol", fact(null, [], ["permission lookup failed: 502"]), policyFrom())).toStrictEqual({
      status: "unverified",
      reason: "could not verify their repository permission (permission lookup failed: 502)",
    });
  });

  it("never trusts a reviewer without facts", () => {
    expect(eligibilityOf("carol", undefined, policyFrom())).toStrictEqual({ status: "unverified", reason: "could not verify their repository permission" });
  });
});

describe("reviewersToVerify", () => {
  const reviews = [
    review("Senior-Bob", "APPROVED", 40),
    review("carol", "CHANGES_REQUESTED", 41),
    review("dev-alice", "APPROVED", 42),
    review("dave", "COMMENTED", 43),
    review("erin", "APPROVED", 44),
    review("erin", "DISMISSED", 45),
    review("frank", "approved", 46),
    review("SENIOR-BOB", "COMMENTED", 47),
    review("grace", "PENDING", 48),
  ];

  it.each([
    { name: "no reviewers configured: everyone who approved or requested changes", config: null, author: "dev-alice", expected: ["senior-bob", "carol", "frank"] },
    { name: "the author in another case is still excluded", config: null, author: "DEV-ALICE", expected: ["senior-bob", "carol", "frank"] },
    { name: "only users configured: nobody needs a lookup", config: { approvals: { reviewers: { users: ["carol"] } } }, author: "dev-alice", expected: [] },
    {
      name: "teams configured: everyone but listed users",
      config: { approvals: { reviewers: { users: ["senior-bob"], teams: ["acme/sre"] } } },
      author: "dev-alice",
      expected: ["carol", "frank"],
    },
  ])("$name", ({ config, author, expected }) => {
    expect(reviewersToVerify(reviews, author, policyFrom(config))).toStrictEqual(expected);
  });

  it("is empty without reviews", () => {
    expect(reviewersToVerify([], "dev-alice", policyFrom())).toStrictEqual([]);
  });
});

describe("reviewWaitDeadline", () => {
  const requested = "2026-11-23T12:00:00Z";
  const unapproved: Partial<PullRequestSnapshot> = { reviews: [], reviewers: {}, reviewRequestedAt: requested };

  it.each<{ name: string; overrides: Partial<PullRequestSnapshot>; deadline: string | null }>([
    { name: "no review was requested", overrides: { ...unapproved, reviewRequestedAt: null }, deadline: null },
    { name: "the request was not read", overrides: { reviews: [], reviewers: {} }, deadline: null },
    { name: "approvals are short since the request", overrides: unapproved, deadline: "2026-11-23T14:00:00.000Z" },
    {
      name: "an eligible reviewer answered after the request (even with a stale approval)",
      overrides: { ...unapproved, reviews: [{ reviewer: "senior-bob", state: "APPROVED" as const, commitId: "old", submittedAt: "2026-11-23T12:30:00Z" }], reviewers: { "senior-bob": { permission: "write", teams: [], notes: [] } } },
      deadline: null,
    },
    {
      name: "only the author or an ineligible reviewer answered",
      overrides: { ...unapproved, reviews: [{ reviewer: "dev-alice", state: "APPROVED" as const, commitId: HEAD_SHA, submittedAt: "2026-11-23T12:30:00Z" }, { reviewer: "intern", state: "APPROVED" as const, commitId: HEAD_SHA, submittedAt: "2026-11-23T12:31:00Z" }], reviewers: { intern: { permission: "read", teams: [], notes: [] } } },
      deadline: "2026-11-23T14:00:00.000Z",
    },
    { name: "the hotfix is approved", overrides: { reviewRequestedAt: requested }, deadline: null },
  ])("is $deadline when $name", ({ overrides, deadline }) => {
    expect(reviewWaitDeadline(snapshot(overrides), policyFrom())?.toISOString() ?? null).toBe(deadline);
  });

  it("follows bypass.review_wait_hours", () => {
    expect(reviewWaitDeadline(snapshot(unapproved), policyFrom({ bypass: { review_wait_hours: 0.5 } }))?.toISOString()).toBe("2026-11-23T12:30:00.000Z");
  });
});
