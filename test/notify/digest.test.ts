/**
 * The weekly digest end to end: repositories' routes are learned when the notifier routes their
 * moments, the week's job (fake clock, Monday 09:00 UTC) builds one digest per routed destination
 * from the hotfix log and the queue's worker sends it to local fake Slack and webhook servers.
 * Each destination gets one digest a week even when the job runs twice; a destination no
 * repository routes the digest to gets nothing; hostile titles arrive escaped.
 */
import { beforeEach, describe, expect, it } from "vitest";
import type { Policy } from "../../src/config/policy.js";
import type { Services } from "../../src/handlers/services.js";
import { HotfixRecorder } from "../../src/log/recorder.js";
import { HotfixLogStore } from "../../src/log/store.js";
import { parseDestinations } from "../../src/notify/destinations.js";
import { isoWeek, nextDigestRun, NOTIFY_WEEKLY_DIGEST } from "../../src/notify/digest.js";
import { summaryOf } from "../../src/notify/events.js";
import { createNotifier, registerNotifyJobs, scheduleWeeklyDigest } from "../../src/notify/jobs.js";
import type { Notifier } from "../../src/notify/service.js";
import { Metrics } from "../../src/server/metrics.js";
import { Worker } from "../../src/server/worker.js";
import type { Database } from "../../src/store/database.js";
import { JobQueue } from "../../src/store/jobs.js";
import { COMPLETE_BODY, policyFrom } from "../helpers/builders.js";
import { FakeClock } from "../helpers/databases.js";
import { chatTestBed, type FakeChat } from "../helpers/fake-chat.js";

const PAYMENTS = "acme/payments";
const BILLING = "acme/billing";
const START = new Date("2026-11-23T14:20:00Z");
const DIGEST_AT = new Date("2026-11-30T09:00:00Z");
const APPROVALS_UNMET = { source: "policy", title: "Approvals", required: "1 approval", present: "0", status: "unmet" } as const;
const HOSTILE = "<!channel> *urgent* @here <https://evil.example|click> `x`";

const PAYMENTS_POLICY = policyFrom({ notifications: { routes: [{ events: ["weekly-digest"], to: ["digest-slack", "digest-hook"] }] } });
const BILLING_POLICY = policyFrom({ notifications: { routes: [{ events: ["weekly-digest"], to: ["digest-hook"] }] } });

let db: Database;
let fake: FakeChat;
let clock: FakeClock;
let notifier: Notifier;
let worker: Worker;
let queue: JobQueue;
let recorder: HotfixRecorder;

const bed = chatTestBed();

beforeEach(async () => {
  ({ db, fake } = bed);
  await db.query("TRUNCATE jobs, notify_threads, notify_digest_routes, hotfix_records, hotfix_events, hotfix_settings RESTART IDENTITY");
  fake.received.length = 0;
  clock = new FakeClock(START);
  queue = new JobQueue(db);
  const metrics = new Metrics(queue, clock.now);
  const logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
  const store = new HotfixLogStore(db, clock.now);
  recorder = new HotfixRecorder(store, clock.now, logger);
  const scheduler = { schedule: (kind: string, key: string, payload: unknown, runAt: Date) => queue.schedule(kind, key, payload, runAt, clock.now()) };
  notifier = createNotifier({
    destinations: parseDestinations(
      JSON.stringify({
        "digest-slack": { type: "slack-webhook", url: `${fake.url}/slack/digest` },
        "digest-hook": { type: "webhook", url: `${fake.url}/hook`, secret: "webhook-signing-secret-0123456789" },
        quiet: { type: "slack-webhook", url: `${fake.url}/slack/quiet` },
      }),
    ),
    scheduler,
    db,
    now: clock.now,
    log: logger as never,
    registry: metrics.registry,
    hotfixLog: { recorder, store },
  });
  worker = new Worker({ queue, probot: {} as never, metrics, log: logger as never, now: clock.now });
  registerNotifyJobs(worker, notifier, {} as never, { scheduler } as unknown as Services);
});

/** Records a hotfix merged at `mergedAt` and tells the notifier (which learns the repository's routes). */
async function mergedHotfix(repo: string, policy: Policy, number: number, title: string, mergedAt: string, verdict: "compliant" | "unjustified-bypass" = "compliant"): Promise<void> {
  const opened = new Date(Date.parse(mergedAt) - 3_600_000).toISOString();
  const head = `hotfix/v1.4.${number}-x`;
  await recorder.pullRequest(repo, { number, title, body: COMPLETE_BODY, user: { login: "dev-alice" }, head: { ref: head, sha: "a".repeat(40) }, base: { ref: "main" }, state: "closed", merged_at: mergedAt, created_at: opened, updated_at: mergedAt, html_url: `https://github.com/${repo}/pull/${number}` }, policy);
  await recorder.merged(repo, { number, mergedAt, mergedBy: "senior-bob", mergeCommitSha: String(number).padStart(40, "b"), headRef: head }, { verdict: verdict === "compliant" ? "compliant" : "bypass", justified: false, unmet: verdict === "compliant" ? [] : [APPROVALS_UNMET], justification: null }, policy);
  const hotfix = summaryOf(repo, { number, title, body: COMPLETE_BODY, author: "dev-alice", headRef: head }, policy);
  await notifier.notify({ policy, hotfix, details: { kind: "merged", mergedBy: "senior-bob", verdict, unmet: [], authoriser: null, bypassReason: null, assessment: null, mergeBackTargets: ["develop"] } });
}

function slackTexts(path: string): string[] {
  return fake.to(path).map((request) => String((JSON.parse(request.body) as { text: string }).text));
}

function setClock(to: Date): void {
  clock.advance(to.getTime() - clock.now().getTime());
}

async function runDigestWeek(): Promise<void> {
  await scheduleWeeklyDigest({ schedule: (kind, key, payload, runAt) => queue.schedule(kind, key, payload, runAt, clock.now()) }, clock.now());
  await worker.drain();
  setClock(DIGEST_AT);
  await worker.drain();
  await worker.drain();
}

describe("the weekly digest", () => {
  it("is due on Monday 09:00 UTC, keyed by its ISO week", () => {
    expect(nextDigestRun(START).toISOString()).toBe("2026-11-30T09:00:00.000Z");
    expect(nextDigestRun(new Date("2026-11-30T08:59:59Z")).toISOString()).toBe("2026-11-30T09:00:00.000Z");
    expect(nextDigestRun(DIGEST_AT).toISOString()).toBe("2026-12-07T09:00:00.000Z");
    expect([isoWeek(DIGEST_AT), isoWeek(new Date("2026-01-01T00:00:00Z")), isoWeek(new Date("2027-01-03T12:00:00Z"))]).toEqual(["2026-W49", "2026-W01", "2026-W53"]);
  });

  it("sends each routed destination one digest of the week's completed hotfixes and warning signs, even when the job runs twice", async () => {
    await mergedHotfix(PAYMENTS, PAYMENTS_POLICY, 40, "hotfix: an old one", "2026-11-20T10:00:00Z");
    await mergedHotfix(PAYMENTS, PAYMENTS_POLICY, 41, "hotfix(payments): retry the gateway", "2026-11-24T10:00:00Z");
    await mergedHotfix(PAYMENTS, PAYMENTS_POLICY, 42, "hotfix(payments): default the currency code", "2026-11-26T10:00:00Z", "unjustified-bypass");
    await mergedHotfix(PAYMENTS, PAYMENTS_POLICY, 43, "hotfix(payments): still open on Monday", "2026-11-30T09:30:00Z");
    await mergedHotfix(BILLING, BILLING_POLICY, 7, "hotfix(billing): round half up", "2026-11-25T12:00:00Z");
    setClock(new Date("2026-11-28T00:00:00Z"));

    await runDigestWeek();
    await notifier.weeklyDigest({ until: DIGEST_AT.toISOString() });
    await worker.drain();

    const slack = slackTexts("/slack/digest");
    expect(slack).toHaveLength(1);
    const text = slack[0] ?? "";
    expect(text.split("\n").slice(0, 4)).toEqual(["*📊 WEEKLY HOTFIX DIGEST*", "*Week:* 2026-W48, 2026-11-23 09:00 UTC to 2026-11-30 09:00 UTC", "*Repositories:* acme/payments", "*Completed:* 2 hotfix(es) merged this week"]);
    expect(text).toContain("*HOTFIX-003:* acme/payments#42 hotfix(payments): default the currency code · merged 2026-11-26 10:00 UTC · audit: UNJUSTIFIED bypass · merge-back: not assessed yet · post-mortem:");
    expect(text).toContain("*HOTFIX-002:* acme/payments#41 hotfix(payments): retry the gateway · merged 2026-11-24 10:00 UTC · audit: compliant");
    expect(text).not.toContain("#40");
    expect(text).not.toContain("#43");
    expect(text).not.toContain("billing");
    expect(text).toContain("*⚠️ Warning sign:* acme/payments: 1.3 hotfixes a month, above the threshold of 1: frequent hotfixes may indicate process issues.");
    expect(text).toContain("<https://github.com/acme/payments/pull/42|HOTFIX-003 acme/payments#42>");

    const hooks = fake.to("/hook").map((request) => JSON.parse(request.body) as { event: string; digest: { repos: string[]; hotfixes: { id: string; repo: string }[] } });
    expect(hooks).toHaveLength(1);
    expect(hooks[0]?.event).toBe("weekly-digest");
    expect(hooks[0]?.digest.repos).toEqual([BILLING, PAYMENTS]);
    expect(hooks[0]?.digest.hotfixes.map((hotfix) => `${hotfix.repo} ${hotfix.id}`)).toEqual(["acme/payments HOTFIX-003", "acme/billing HOTFIX-001", "acme/payments HOTFIX-002"]);

    expect(fake.to("/slack/quiet")).toHaveLength(0);
    const next = await db.query<{ key: string; run_at: Date }>("SELECT key, run_at FROM jobs WHERE kind = $1 AND status = 'pending'", [NOTIFY_WEEKLY_DIGEST]);
    expect(next.map((job) => [job.key, new Date(job.run_at).toISOString()])).toEqual([["notify-weekly-digest@2026-W50", "2026-12-07T09:00:00.000Z"]]);
  });

  it("sends nothing to a destination once no repository routes the digest to it", async () => {
    await mergedHotfix(PAYMENTS, PAYMENTS_POLICY, 41, "hotfix(payments): retry the gateway", "2026-11-24T10:00:00Z");
    const unrouted = policyFrom({ notifications: { routes: [{ events: ["merged"], to: ["quiet"] }] } });
    await mergedHotfix(PAYMENTS, unrouted, 42, "hotfix(payments): default the currency code", "2026-11-25T10:00:00Z");

    await runDigestWeek();

    expect(fake.to("/slack/quiet").length).toBeGreaterThan(0);
    expect(fake.received.filter((request) => request.body.includes("WEEKLY HOTFIX DIGEST") || request.path !== "/slack/quiet")).toHaveLength(0);
  });

  it("escapes hostile titles in the digest", async () => {
    await mergedHotfix(PAYMENTS, PAYMENTS_POLICY, 41, HOSTILE, "2026-11-24T10:00:00Z");

    await runDigestWeek();

    const [text = ""] = slackTexts("/slack/digest");
    expect(text).toContain("acme/payments#41 &lt;!channel&gt; ∗urgent∗ @\u2060here &lt;https://evil.example|click&gt; ˋxˋ");
    expect(text).not.toContain("<!channel>");
    expect(text).not.toContain("<https://evil");
    expect(text).not.toMatch(/@here/);
  });
});
