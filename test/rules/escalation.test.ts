/**
 * The ladder's pure rules and the review wait it feeds: which requests are the app's own steps,
 * what a re-run still asks, what the check run says, that the wait runs from the first request to
 * an eligible reviewer and no push moves it, and the audit's evidence for a "no reviewer" bypass.
 */
import { describe, expect, it } from "vitest";
import { NOW, policyFrom, snapshot } from "../helpers/builders.js";
import { ADMIN, bodyCandidate, comment, justificationContext } from "../helpers/audit-builders.js";
import { approvalsRule, firstEligibleRequest, reviewWaitDeadline } from "../../src/rules/approvals.js";
import { describeLadder, ladderStart, requestEvidence, stepDueAt, targetsToRequest } from "../../src/rules/escalation.js";
import { validateJustification } from "../../src/rules/justification.js";
import type { ReviewRequestFact } from "../../src/model/merge.js";

const BOT = "hotfix-guard[bot]";
const policy = policyFrom({
  escalation: {
    ladder: [
      { after_minutes: 0, request_review: ["acme/seniors"] },
      { after_minutes: 30, request_review: ["acme/oncall", "carol"] },
      { after_minutes: 60, notify: true },
    ],
  },
});
const ladder = policy.config.escalation.ladder;
const seniors: ReviewRequestFact = { kind: "requested", at: "2026-11-23T14:02:00Z", reviewer: null, team: "seniors", requester: BOT };
const oncall: ReviewRequestFact = { kind: "requested", at: "2026-11-23T14:32:00Z", reviewer: null, team: "oncall", requester: BOT };
const unreviewed = { reviews: [], reviewers: {} };

describe("the ladder's steps", () => {
  it("asks only whom the app's own bot has not asked: a human's request of the same team does not count as the step", () => {
    const human = { ...seniors, requester: "dev-alice" };
    expect(targetsToRequest(ladder[0]!, "dev-alice", [human], BOT).map((t) => t.name)).toStrictEqual(["acme/seniors"]);
    expect(targetsToRequest(ladder[0]!, "dev-alice", [seniors], BOT)).toStrictEqual([]);
    expect(targetsToRequest(ladder[1]!, "dev-alice", [seniors, oncall], BOT).map((t) => t.name)).toStrictEqual(["carol"]);
  });

  it("never asks the author", () => {
    expect(targetsToRequest(ladder[1]!, "Carol", [seniors, oncall], BOT)).toStrictEqual([]);
  });

  it("times steps from the first review request, by anyone, else from when the ladder started", () => {
    const fallback = new Date("2026-11-23T13:00:00Z");
    expect(stepDueAt(ladder[1]!, ladderStart([seniors], fallback)).toISOString()).toBe("2026-11-23T14:32:00.000Z");
    expect(stepDueAt(ladder[1]!, ladderStart([], fallback)).toISOString()).toBe("2026-11-23T13:30:00.000Z");
  });

  it("describes who was asked when and what comes next", () => {
    expect(describeLadder(ladder, "dev-alice", [seniors], BOT)).toStrictEqual(["asked @acme/seniors at 14:02 UTC", "next: @acme/oncall, @carol at 14:32 UTC"]);
  });
});

describe("the approvals row under a ladder", () => {
  it('says "asked @acme/seniors at 14:02, @acme/oncall at 14:32; bypass permitted at 16:02"', () => {
    const requests = [seniors, oncall];
    const pr = snapshot({ ...unreviewed, reviewRequests: requests, reviewRequestedAt: seniors.at, appLogin: BOT });
    const [row] = approvalsRule(pr, policyFrom({ escalation: { ladder: ladder.slice(0, 2).map((s) => ({ after_minutes: s.after_minutes, request_review: s.request_review.slice(0, 1) })) } }), NOW);
    expect(row?.actual).toContain("Escalation: asked @acme/seniors at 14:02 UTC, @acme/oncall at 14:32 UTC; bypass permitted at 16:02 UTC.");
  });

  it("says nothing of a ladder when none is configured", () => {
    const [row] = approvalsRule(snapshot({ ...unreviewed, reviewRequests: [seniors], reviewRequestedAt: seniors.at, appLogin: BOT }), policyFrom(), NOW);
    expect(row?.actual).not.toContain("Escalation");
  });
});

describe("the review wait", () => {
  const teams = policyFrom({ approvals: { reviewers: { teams: ["acme/seniors"] } } });

  it("runs from the first request to an eligible reviewer: a request to another team does not start it", () => {
    const other: ReviewRequestFact = { kind: "requested", at: "2026-11-23T13:00:00Z", reviewer: null, team: "design", requester: "dev-alice" };
    expect(firstEligibleRequest([other, seniors], snapshot(unreviewed), teams)).toBe(seniors.at);
    expect(firstEligibleRequest([other], snapshot(unreviewed), teams)).toBeNull();
  });

  it("is not reset by a bot's push, a base merge or a later request: only the first request counts", () => {
    const first = snapshot({ ...unreviewed, reviewRequestedAt: seniors.at });
    const pushedByBot = snapshot({ ...unreviewed, headSha: "b".repeat(40), reviewRequestedAt: firstEligibleRequest([seniors, oncall], snapshot(unreviewed), teams) });
    expect(reviewWaitDeadline(first, teams)?.toISOString()).toBe("2026-11-23T16:02:00.000Z");
    expect(reviewWaitDeadline(pushedByBot, teams)?.toISOString()).toBe("2026-11-23T16:02:00.000Z");
  });

  it("ignores a request to the author", () => {
    const self: ReviewRequestFact = { kind: "requested", at: "2026-11-23T13:00:00Z", reviewer: "dev-alice", team: null, requester: "dev-alice" };
    expect(firstEligibleRequest([self], snapshot(unreviewed), policyFrom())).toBeNull();
  });
});

describe("the audit's evidence for a 'no reviewer available' bypass", () => {
  it("lists the ladder's requests, by the app's bot, up to the merge", () => {
    const early = { ...seniors, at: "2026-11-23T12:00:00Z" };
    const late = { ...oncall, at: "2026-11-23T12:30:00Z" };
    const after = { ...oncall, at: "2026-11-23T16:00:00Z", team: "managers" };
    const candidate = bodyCandidate({ bypassReason: "No reviewer available within 2 hours" });
    const context = justificationContext({ reviews: [], comments: [comment(9, ADMIN, "/hotfix authorize", "2026-11-23T14:48:00Z")], reviewRequests: [early, late, after] });
    const check = validateJustification(candidate, context, policyFrom(), NOW).checks.find((c) => c.aspect === "No reviewer answered");
    expect(check?.status).toBe("valid");
    expect(check?.detail).toContain("requests (the escalation ladder): team seniors at 2026-11-23 12:00 UTC by @hotfix-guard[bot], team oncall at 2026-11-23 12:30 UTC by @hotfix-guard[bot]");
    expect(check?.detail).not.toContain("managers");
    expect(requestEvidence([early], Date.parse("2026-11-23T11:00:00Z"))).toBe("");
  });
});
