/**
 * The hotfix log's store on PGlite and, when DATABASE_URL is set, on PostgreSQL: one record per
 * hotfix with a readable id per repository, a timeline that redelivered, reordered or backfilled
 * events neither duplicate nor reorder, facts merged by their own time, and the reader's list,
 * filters, detail and exports.
 */
import client from "prom-client";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { HotfixLogGauges } from "../../src/log/gauges.js";
import { HotfixRecorder } from "../../src/log/recorder.js";
import { HotfixLogStore } from "../../src/log/store.js";
import type { Database } from "../../src/store/database.js";
import { BACKENDS, FakeClock } from "../helpers/databases.js";
import { COMPLIANT, hotfixPr, lifeOf, POLICY, REPO, shuffled, type Step } from "./timeline.js";

const T0 = new Date("2026-11-23T15:00:00Z");
const WINDOW = { since: "2026-09-01T00:00:00Z", until: "2026-12-01T00:00:00Z" };

const failures: unknown[] = [];
const sink = { warn: (details: object) => failures.push(details) };

describe.each(BACKENDS)("the hotfix log on $name", (backend) => {
  let db: Database;
  let clock: FakeClock;
  let store: HotfixLogStore;
  let live: HotfixRecorder;
  let backfill: HotfixRecorder;

  beforeAll(async () => {
    db = await backend.open();
  }, 60_000);
  afterAll(() => backend.dispose(db));
  beforeEach(async () => {
    await db.query("TRUNCATE hotfix_records, hotfix_events, hotfix_settings, hotfix_deployments");
    clock = new FakeClock(T0);
    store = new HotfixLogStore(db, clock.now);
    live = new HotfixRecorder(store, clock.now, sink);
    backfill = new HotfixRecorder(store, clock.now, sink, "backfill");
    failures.length = 0;
  });

  async function replay(steps: readonly Step[], recorder = live): Promise<void> {
    for (const step of steps) await step(recorder);
  }

  /** The record and timeline without what depends on arrival (update time, source). */
  async function snapshotOf(id: string) {
    const detail = await store.get(REPO, id);
    if (!detail) throw new Error(`${id} not found`);
    const { updatedAt: _updated, source: _source, ...record } = detail.record;
    return { record, timeline: detail.timeline, metrics: detail.metrics };
  }

  it("records a hotfix's whole life as one record with a timeline in the order it happened", async () => {
    await replay(lifeOf(42));
    const detail = await store.get(REPO, "HOTFIX-001");
    expect(failures).toStrictEqual([]);
    expect(detail?.timeline.map((event) => event.kind)).toStrictEqual([
      "pr-opened",
      "review-requested",
      "review",
      "merged",
      "post-incident-opened",
      "check-verdict",
      "deployed",
      "merge-back-done",
      "post-incident-closed",
    ]);
    expect(detail?.record).toMatchObject({
      id: "HOTFIX-001",
      pullRequest: 42,
      state: "merged",
      severity: "CRITICAL",
      incidentReference: "INC-4521",
      incidentAt: "2026-11-23T14:05:00.000Z",
      dateTime: "2026-11-23T14:05:00.000Z",
      author: "dev-alice",
      merger: "senior-bob",
      reviewers: ["senior-bob"],
      problem: "The payment gateway client sends an empty currency code, so every charge is rejected.",
      rollbackPlan: "Revert the merge commit and redeploy.",
      riskAccepted: "Shortened review.",
      monitoring: "Watch the checkout error rate for 30 minutes.",
      filesAffected: ["src/pay.ts", "test/pay.test.ts"],
      deployedAt: "2026-11-23T15:02:00Z",
      audit: { verdict: "compliant" },
      tag: { name: "v1.4.3", at: null },
      mergeBack: [{ target: "develop", doneAt: "2026-11-23T16:00:00Z", evidence: "pull request #61" }],
      postIncident: { number: 542, closedAt: "2026-11-24T10:00:00Z", dueAt: "2026-11-25T14:50:00Z" },
      links: { pullRequest: `https://github.com/${REPO}/pull/42`, reminderIssue: `https://github.com/${REPO}/issues/600`, postIncidentIssue: `https://github.com/${REPO}/issues/542` },
    });
    expect(detail?.metrics.resolution).toStrictEqual({ from: "incident", startedAt: "2026-11-23T14:05:00.000Z", toMergedMs: 45 * 60_000, toDeployedMs: 57 * 60_000 });
    expect(detail?.metrics.postMortem).toStrictEqual({ status: "on-time", closedAt: "2026-11-24T10:00:00Z" });
  });

  it.each([
    ["reversed", (steps: Step[]) => [...steps].reverse()],
    ["shuffled", (steps: Step[]) => shuffled(steps, 7)],
    ["shuffled otherwise", (steps: Step[]) => shuffled(steps, 12_345)],
    ["each delivered twice", (steps: Step[]) => steps.flatMap((step) => [step, step])],
    ["redelivered after the end", (steps: Step[]) => [...steps, ...shuffled(steps, 3)]],
  ])("ends with the same record and timeline when the events arrive %s", async (_order, reorder) => {
    const steps = lifeOf(42);
    await replay(steps);
    const expected = await snapshotOf("HOTFIX-001");
    await db.query("TRUNCATE hotfix_records, hotfix_events, hotfix_deployments");
    // The post-incident issue is found by its number only once the log knows it; a close that
    // arrives before the app opened the issue cannot happen, so it stays after the opening.
    const closing = steps[8] as Step;
    const reordered = reorder(steps.slice(0, 8));
    await replay([...reordered, closing]);
    expect(await snapshotOf("HOTFIX-001")).toStrictEqual(expected);
    const { total } = await store.list({ repos: [REPO] }, { page: 1, perPage: 10 });
    expect(total).toBe(1);
  });

  it("merges a backfill that overlaps the live events without duplicating a step", async () => {
    const steps = lifeOf(42);
    await replay(steps.slice(0, 4));
    await replay(steps, backfill);
    await replay(steps.slice(4));
    const detail = await store.get(REPO, "HOTFIX-001");
    expect(detail?.record.source).toBe("both");
    expect(detail?.timeline).toHaveLength(9);
    expect(new Set(detail?.timeline.map((event) => `${event.kind}:${event.subject}`)).size).toBe(9);
  });

  it("keeps the newest fact of a field by its own time, and lets later facts fill blanks", async () => {
    const edited = hotfixPr(42, "2026-11-23T14:40:00Z", { body: "**Severity:** HIGH\n**Rollback Plan:** Feature flag off." });
    await live.pullRequest(REPO, edited, POLICY);
    await live.pullRequest(REPO, hotfixPr(42, "2026-11-23T14:20:00Z"), POLICY);
    const record = (await store.get(REPO, "HOTFIX-001"))?.record;
    expect(record).toMatchObject({ severity: "HIGH", rollbackPlan: "Feature flag off.", incidentReference: "INC-4521", monitoring: "Watch the checkout error rate for 30 minutes." });
  });

  it("numbers hotfixes per repository, once each, even when recorded concurrently", async () => {
    await Promise.all([40, 41, 42, 43, 44].map((number) => live.pullRequest(REPO, hotfixPr(number, "2026-11-23T14:20:00Z"), POLICY)));
    await live.pullRequest("acme/web", hotfixPr(7, "2026-11-23T14:20:00Z"), POLICY);
    await live.pullRequest(REPO, hotfixPr(41, "2026-11-23T14:30:00Z"), POLICY);
    const page = await store.list({ repos: [REPO, "acme/web"] }, { page: 1, perPage: 10 });
    expect(failures).toStrictEqual([]);
    expect(page.records.filter((record) => record.repo === REPO).map((record) => record.id).sort()).toStrictEqual(["HOTFIX-001", "HOTFIX-002", "HOTFIX-003", "HOTFIX-004", "HOTFIX-005"]);
    expect(page.records.find((record) => record.repo === "acme/web")?.id).toBe("HOTFIX-001");
  });

  it("lists newest first, filtered by severity, verdict and open follow-ups, only for the repositories given", async () => {
    await replay(lifeOf(42));
    await live.pullRequest(REPO, hotfixPr(43, "2026-11-25T09:00:00Z", { created_at: "2026-11-25T09:00:00Z", body: "**Severity:** HIGH" }), POLICY);
    await live.merged(REPO, { number: 43, mergedAt: "2026-11-25T10:00:00Z", mergedBy: "dev-alice", mergeCommitSha: "c".repeat(40), headRef: "hotfix/v1.4.4-x" }, { ...COMPLIANT, verdict: "bypass", justified: false }, POLICY);
    await live.mergeBack(REPO, 43, [{ target: "develop", doneAt: null, evidence: null }], null);
    await live.pullRequest("acme/secret", hotfixPr(1, "2026-11-26T09:00:00Z"), POLICY);
    const all = await store.list({ repos: [REPO] }, { page: 1, perPage: 10 });
    expect(all.records.map((record) => record.pullRequest)).toStrictEqual([43, 42]);
    expect((await store.list({ repos: [REPO], severity: "high" }, { page: 1, perPage: 10 })).records.map((r) => r.pullRequest)).toStrictEqual([43]);
    expect((await store.list({ repos: [REPO], verdict: "unjustified-bypass" }, { page: 1, perPage: 10 })).records.map((r) => r.pullRequest)).toStrictEqual([43]);
    expect((await store.list({ repos: [REPO], openFollowUps: false }, { page: 1, perPage: 10 })).records.map((r) => r.pullRequest)).toStrictEqual([42]);
    expect((await store.list({ repos: [REPO], openFollowUps: true }, { page: 1, perPage: 10 })).records.map((r) => r.pullRequest)).toStrictEqual([43]);
    expect(await store.list({ repos: [REPO] }, { page: 2, perPage: 1 })).toMatchObject({ total: 2, records: [{ pullRequest: 42 }] });
    expect(await store.list({ repos: [REPO] }, { page: 5, perPage: 1 })).toStrictEqual({ records: [], total: 2 });
    expect(await store.list({ repos: [] }, { page: 1, perPage: 10 })).toStrictEqual({ records: [], total: 0 });
    expect(await store.get("acme/other", "HOTFIX-001")).toBeNull();
    expect(await store.get(REPO, "not-an-id")).toBeNull();
  });

  it("applies a deployment that arrived before the merge was recorded, and only to hotfixes it carries", async () => {
    const steps = lifeOf(42);
    await replay(steps.slice(0, 4));
    await live.deployed(REPO, { id: 78, sha: "d".repeat(40), ref: "main", environment: "production", at: "2026-11-23T14:55:00Z", actor: null, url: null });
    await live.deployed(REPO, { id: 76, sha: "e".repeat(40), ref: "main", environment: "production", at: "2026-11-23T14:00:00Z", actor: null, url: null });
    await replay(steps.slice(4, 5));
    const detail = await store.get(REPO, "HOTFIX-001");
    expect(detail?.record.deployedAt).toBe("2026-11-23T14:55:00Z");
    expect(detail?.timeline.filter((event) => event.kind === "deployed").map((event) => event.subject)).toStrictEqual(["78"]);
  });

  it("records a revert of a hotfix as a quality escape, and a revert of anything else nowhere", async () => {
    await replay(lifeOf(42));
    await live.revertMerged(REPO, { number: 44, title: 'Revert "hotfix"', body: `Reverts ${REPO}#42`, mergedAt: "2026-11-26T09:00:00Z", url: null, actor: "dev-carol" }, [42, 99]);
    const metrics = await store.metrics(REPO, WINDOW);
    expect(metrics.qualityEscapes).toStrictEqual([{ repo: REPO, earlier: "HOTFIX-001", later: "#44", kind: "reverted", at: "2026-11-26T09:00:00Z" }]);
    expect((await store.list({ repos: [REPO] }, { page: 1, perPage: 10 })).total).toBe(1);
  });

  it("exports the log in seed 002's layout, as CSV and as JSON, with audit details only where allowed", async () => {
    await replay(lifeOf(42));
    await live.pullRequest(REPO, hotfixPr(43, "2026-11-25T09:00:00Z", { created_at: "2026-11-25T09:00:00Z", title: "=HYPERLINK(\"x\") @everyone <img>" }), POLICY);
    const markdown = await store.exportMarkdown([REPO], WINDOW);
    expect(markdown).toContain("## Active Hotfixes");
    expect(markdown).toContain("### 🚨 [HOTFIX-002] =HYPERLINK(\"x\") @\u200beveryone &lt;img>");
    expect(markdown).toContain("## Completed Hotfixes");
    expect(markdown).toContain("### 🚨 [HOTFIX-001] hotfix(payments): default the currency code - 2026-11-23");
    const csv = await store.exportCsv([REPO], WINDOW);
    const lines = csv.trimEnd().split("\r\n");
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain(`"'=HYPERLINK(""x"") @everyone <img>"`);
    const json = await store.exportJson([REPO], WINDOW);
    expect(json.hotfixes.map((hotfix) => hotfix.id)).toStrictEqual(["HOTFIX-002", "HOTFIX-001"]);
    expect(json.metrics.hotfixes).toBe(2);
  });

  it("keeps the first known time a target got the fix, over later re-checks and over a backfill that could not tell", async () => {
    await replay(lifeOf(42).slice(0, 5));
    const target = (doneAt: string | null, timeKnown?: boolean) => [{ target: "develop", doneAt, evidence: null, ...(timeKnown === false ? { timeKnown } : {}) }];
    await live.mergeBack(REPO, 42, target(null), null);
    await backfill.mergeBack(REPO, 42, target("2026-11-23T14:50:00Z", false), null);
    await live.mergeBack(REPO, 42, target("2026-11-23T17:00:00Z"), null);
    await live.mergeBack(REPO, 42, target("2026-11-23T16:00:00Z"), null);
    await live.mergeBack(REPO, 42, target("2026-11-23T18:00:00Z"), null);
    clock.advance(60_000);
    await live.mergeBack(REPO, 42, target(null), null);
    const detail = await store.get(REPO, "HOTFIX-001");
    expect(detail?.record.mergeBack).toStrictEqual([{ target: "develop", doneAt: "2026-11-23T16:00:00Z", evidence: null }]);
    expect(detail?.metrics.mergeBack).toStrictEqual([{ target: "develop", lagMs: 70 * 60_000, overdue: false }]);
  });

  it("publishes the figures as gauges per repository, refreshed on demand", async () => {
    await replay(lifeOf(42));
    await live.pullRequest("acme/web", hotfixPr(7, "2026-11-20T09:00:00Z", { created_at: "2026-11-20T09:00:00Z" }), POLICY);
    const registry = new client.Registry();
    const gauges = new HotfixLogGauges(registry, store);
    expect(await gauges.refresh(clock.now())).toBe(2);
    const text = await registry.metrics();
    expect(text).toContain(`hotfix_guard_log_hotfixes{repository="${REPO}"} 1`);
    expect(text).toContain('hotfix_guard_log_hotfixes{repository="acme/web"} 1');
    expect(text).toContain(`hotfix_guard_log_resolution_median_seconds{repository="${REPO}"} 2700`);
    await db.query("TRUNCATE hotfix_records");
    await gauges.refresh(clock.now());
    expect(await registry.metrics()).not.toContain('repository="acme/web"');
  });
});
