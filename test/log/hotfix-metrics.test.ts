/**
 * The hotfix log's metrics as pure functions, table-driven over records: time to resolution,
 * review wait, merge-back lag, post-mortem timeliness, and per window frequency, percentiles,
 * bypass shares, repeats, quality escapes and the warning signs against their thresholds.
 */
import { describe, expect, it } from "vitest";
import type { HotfixRecord } from "../../src/log/model.js";
import { DEFAULT_METRICS_SETTINGS, hotfixMetrics, logMetrics, median, metricsSettings, percentile, postMortemStatus } from "../../src/rules/hotfix-metrics.js";
import { policyFrom } from "../helpers/builders.js";

const REPO = "acme/payments";
const NOW = new Date("2026-11-30T12:00:00Z");
const WINDOW = { since: "2026-09-01T00:00:00Z", until: "2026-12-01T00:00:00Z" };
const MIN = 60_000;
const HOUR = 60 * MIN;

let sequence = 0;

/** A merged, compliant hotfix opened at `openedAt` and merged an hour later, with overrides. */
function record(openedAt: string, overrides: Partial<HotfixRecord> = {}): HotfixRecord {
  sequence += 1;
  const mergedAt = new Date(Date.parse(openedAt) + HOUR).toISOString();
  return {
    repo: REPO,
    id: `HOTFIX-${String(sequence).padStart(3, "0")}`,
    sequence,
    pullRequest: 100 + sequence,
    title: "hotfix",
    headRef: "hotfix/v1.0.1-x",
    baseRef: "main",
    state: "merged",
    dateTime: openedAt,
    incidentAt: null,
    openedAt,
    mergedAt,
    deployedAt: null,
    severity: "CRITICAL",
    author: "dev-alice",
    merger: "senior-bob",
    reviewers: ["senior-bob"],
    authoriser: null,
    incidentReference: null,
    problem: null,
    impact: null,
    whyEmergency: null,
    changeMade: null,
    filesAffected: [],
    additions: 10,
    deletions: 2,
    rollbackPlan: null,
    rootCause: null,
    riskAccepted: null,
    monitoring: null,
    audit: { verdict: "compliant", unmet: [], justification: null, auditedAt: mergedAt },
    tag: null,
    mergeBack: [],
    postIncident: { repo: REPO, number: 900 + sequence, openedAt: mergedAt, dueAt: new Date(Date.parse(mergedAt) + 48 * HOUR).toISOString(), closedAt: new Date(Date.parse(mergedAt) + 24 * HOUR).toISOString() },
    links: { pullRequest: "", auditComment: null, reminderIssue: null, postIncidentIssue: null },
    reverts: [],
    mentions: [],
    source: "live",
    updatedAt: mergedAt,
    ...overrides,
  };
}

describe("per-hotfix metrics", () => {
  it.each([
    ["from the PR's opening without an incident time", {}, { from: "pr-opened", toMergedMs: HOUR, toDeployedMs: null }],
    ["from the incident's own time when the template gives one", { incidentAt: "2026-11-10T09:30:00Z" }, { from: "incident", toMergedMs: 1.5 * HOUR, toDeployedMs: null }],
    ["to deployed when known", { deployedAt: "2026-11-10T11:15:00Z" }, { from: "pr-opened", toMergedMs: HOUR, toDeployedMs: 1.25 * HOUR }],
    ["unknown for a hotfix not merged", { mergedAt: null, state: "open" as const }, { from: "pr-opened", toMergedMs: null, toDeployedMs: null }],
    ["unknown for an incident time after the merge (a typo in the template)", { incidentAt: "2026-11-11T09:30:00Z" }, { from: "incident", toMergedMs: null, toDeployedMs: null }],
  ])("time to resolution: %s", (_case, overrides, expected) => {
    expect(hotfixMetrics(record("2026-11-10T10:00:00Z", overrides), DEFAULT_METRICS_SETTINGS, NOW).resolution).toMatchObject(expected);
  });

  it.each([
    ["from the review request to the first review", { firstReviewRequestedAt: "2026-11-10T10:05:00Z", firstReviewAt: "2026-11-10T10:35:00Z" }, 30 * MIN],
    ["from the opening without a request", { firstReviewAt: "2026-11-10T10:20:00Z" }, 20 * MIN],
    ["unknown without a review", {}, null],
  ])("review wait: %s", (_case, overrides, expected) => {
    expect(hotfixMetrics(record("2026-11-10T10:00:00Z", overrides), DEFAULT_METRICS_SETTINGS, NOW).reviewWaitMs).toBe(expected);
  });

  it("merge-back lag per target, overdue past the escalation time", () => {
    const metrics = hotfixMetrics(
      record("2026-11-29T08:00:00Z", { mergeBack: [{ target: "develop", doneAt: "2026-11-29T11:00:00Z", evidence: null }, { target: "release/2.0", doneAt: null, evidence: null }] }),
      DEFAULT_METRICS_SETTINGS,
      NOW,
    );
    expect(metrics.mergeBack).toStrictEqual([
      { target: "develop", lagMs: 2 * HOUR, overdue: false },
      { target: "release/2.0", lagMs: null, overdue: true },
    ]);
    expect(hotfixMetrics(record("2026-11-30T08:00:00Z", { mergeBack: [{ target: "develop", doneAt: null, evidence: null }] }), DEFAULT_METRICS_SETTINGS, NOW).mergeBack[0]?.overdue).toBe(false);
  });

  it.each([
    ["on time", { closedAt: "2026-11-11T09:00:00Z" }, "on-time"],
    ["late", { closedAt: "2026-11-20T09:00:00Z" }, "late"],
    ["overdue while open past its due time", { closedAt: null }, "overdue"],
  ])("post-mortem %s", (_case, post, expected) => {
    const base = record("2026-11-10T10:00:00Z");
    expect(postMortemStatus({ ...base, postIncident: base.postIncident && { ...base.postIncident, ...post } }, DEFAULT_METRICS_SETTINGS, NOW).status).toBe(expected);
  });

  it("post-mortem skipped when no issue exists past the due time, not due before it", () => {
    expect(postMortemStatus(record("2026-11-10T10:00:00Z", { postIncident: null }), DEFAULT_METRICS_SETTINGS, NOW)).toStrictEqual({ status: "skipped", dueAt: "2026-11-12T11:00:00.000Z" });
    expect(postMortemStatus(record("2026-11-30T10:00:00Z", { postIncident: null }), DEFAULT_METRICS_SETTINGS, NOW).status).toBe("not-due");
  });

  it("post-mortem issue without its own due time: due by the configured hours, shown as a time when open or overdue, late by them when closed after", () => {
    const base = record("2026-11-10T10:00:00Z");
    const issue = (closedAt: string | null) => ({ ...base, postIncident: base.postIncident && { ...base.postIncident, dueAt: null, closedAt } });
    expect(postMortemStatus(issue(null), DEFAULT_METRICS_SETTINGS, NOW)).toStrictEqual({ status: "overdue", dueAt: "2026-11-12T11:00:00.000Z" });
    expect(postMortemStatus(issue(null), { ...DEFAULT_METRICS_SETTINGS, postIncidentDueHours: 24 * 90 }, NOW)).toStrictEqual({ status: "open", dueAt: "2027-02-08T11:00:00.000Z" });
    expect(postMortemStatus(issue("2026-11-12T12:00:00Z"), DEFAULT_METRICS_SETTINGS, NOW)).toStrictEqual({ status: "late", closedAt: "2026-11-12T12:00:00Z", lateByMs: HOUR });
  });
});

describe("window metrics", () => {
  it("percentiles by nearest rank, median of the middle two", () => {
    expect(percentile([5, 1, 3, 2, 4, 6, 7, 8, 9, 10], 90)).toBe(9);
    expect(percentile([], 90)).toBeNull();
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it("counts frequency, resolution, bypass shares and follow-ups over the window only", () => {
    const history = [
      record("2026-08-15T10:00:00Z"),
      record("2026-09-10T10:00:00Z", { audit: { verdict: "justified-bypass", unmet: ["approvals"], justification: null, auditedAt: "2026-09-10T11:00:00Z" } }),
      record("2026-10-05T10:00:00Z", { incidentAt: "2026-10-05T07:00:00Z", audit: { verdict: "unjustified-bypass", unmet: ["approvals"], justification: null, auditedAt: "2026-10-05T11:00:00Z" } }),
      record("2026-10-20T10:00:00Z", { audit: { verdict: "not-fully-verified", unmet: [], justification: null, auditedAt: "2026-10-20T11:00:00Z" }, postIncident: null }),
      record("2026-11-28T10:00:00Z", { mergeBack: [{ target: "develop", doneAt: null, evidence: null }] }),
      record("2026-11-29T10:00:00Z", { state: "open", mergedAt: null, audit: null, postIncident: null }),
      record("2026-11-29T11:00:00Z", { repo: "acme/other" }),
    ];
    const metrics = logMetrics(history, [REPO], WINDOW, () => DEFAULT_METRICS_SETTINGS, NOW);
    expect(metrics).toMatchObject({
      hotfixes: 5,
      merged: 4,
      perMonth: [
        { month: "2026-09", count: 1 },
        { month: "2026-10", count: 2 },
        { month: "2026-11", count: 2 },
      ],
      resolution: { count: 4, medianMs: HOUR, p90Ms: 4 * HOUR },
      bypassed: { count: 2, of: 4, share: 0.5 },
      justified: { count: 1, of: 2, share: 0.5 },
      notFullyVerified: 1,
      mergeBacksOverdue: 1,
      postMortemsSkipped: 1,
    });
    expect(metrics.frequencyPerMonth).toBeCloseTo(5 / (91 / 30), 5);
    expect(metrics.warnings.map((sign) => sign.kind)).toStrictEqual(["frequent-hotfixes", "post-mortems-skipped"]);
  });

  it("finds repeats by incident reference and by the same files within the configured days", () => {
    const history = [
      record("2026-09-01T10:00:00Z", { incidentReference: "INC-1", filesAffected: ["src/a.ts"] }),
      record("2026-09-20T10:00:00Z", { incidentReference: "inc-1 ", filesAffected: ["src/b.ts"] }),
      record("2026-10-15T10:00:00Z", { filesAffected: ["src/b.ts", "src/c.ts"] }),
      record("2026-11-30T10:00:00Z", { filesAffected: ["src/a.ts"] }),
    ];
    const metrics = logMetrics(history, [REPO], WINDOW, () => DEFAULT_METRICS_SETTINGS, NOW);
    expect(metrics.repeatIncidents).toStrictEqual([
      { repo: REPO, reason: "incident-reference", key: "inc-1", ids: [history[0]?.id, history[1]?.id] },
      { repo: REPO, reason: "same-files", key: "src/b.ts", ids: [history[1]?.id, history[2]?.id] },
    ]);
    expect(metrics.repeatShare).toStrictEqual({ count: 2, of: 4, share: 0.5 });
    expect(metrics.warnings.find((sign) => sign.kind === "repeat-incidents")?.value).toBe(0.5);
  });

  it("finds quality escapes: a revert, and a later hotfix naming an earlier one by id or number", () => {
    const first = record("2026-10-01T10:00:00Z");
    const second = record("2026-10-02T10:00:00Z", { revertedBy: { pullRequest: 300, at: "2026-10-03T10:00:00Z" } });
    const third = record("2026-10-04T10:00:00Z", { mentions: [first.id, "#999"], reverts: [] });
    const fourth = record("2026-10-05T10:00:00Z", { reverts: [third.pullRequest], mentions: [`#${third.pullRequest}`] });
    const metrics = logMetrics([first, second, third, fourth], [REPO], WINDOW, () => DEFAULT_METRICS_SETTINGS, NOW);
    expect(metrics.qualityEscapes.map((escape) => [escape.earlier, escape.later, escape.kind])).toStrictEqual([
      [second.id, "#300", "reverted"],
      [first.id, third.id, "named-by-later-hotfix"],
      [third.id, fourth.id, "reverted"],
    ]);
  });

  it("flags long resolution and scope creep against the configured thresholds", () => {
    const settings = metricsSettings(policyFrom({ metrics: { warnings: { max_resolution_hours: 2, max_hotfixes_per_month: 10 } } }).config);
    const slow = [record("2026-11-01T10:00:00Z", { incidentAt: "2026-11-01T06:00:00Z", overScope: true }), record("2026-11-02T10:00:00Z", { incidentAt: "2026-11-02T09:30:00Z" })];
    const metrics = logMetrics(slow, [REPO], WINDOW, () => settings, NOW);
    expect(metrics.warnings.map((sign) => [sign.kind, sign.threshold])).toStrictEqual([
      ["long-resolution", 2],
      ["scope-creep", 0],
    ]);
    expect(logMetrics(slow.slice(1), [REPO], WINDOW, () => settings, NOW).warnings).toStrictEqual([]);
  });
});
