/**
 * Notifications end to end from the notifier's call to the wire: routed, queued, sent by the
 * queue's worker to local fake Slack (incoming webhook and Web API), Teams and webhook servers,
 * with a fake clock. Each moment sends one message per destination; duplicates send nothing more;
 * 429 waits for Retry-After, 5xx is retried; a destination that stays down is recorded as failed
 * and leaves the others working; the webhook's signature verifies; Slack follow-ups thread.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HotfixRecorder } from "../../src/log/recorder.js";
import { HotfixLogStore } from "../../src/log/store.js";
import { parseDestinations } from "../../src/notify/destinations.js";
import { summaryOf, type NotifyDetails, type NotifyRequest } from "../../src/notify/events.js";
import { notifyAudited, notifyDeployed, notifyMergeBack } from "../../src/notify/hooks.js";
import type { MergedPullRequestData } from "../../src/github/audit-gateway.js";
import type { Services } from "../../src/handlers/services.js";
import type { MergeAudit } from "../../src/rules/merge-audit.js";
import type { ReminderState } from "../../src/model/merge-back.js";
import { createNotifier } from "../../src/notify/jobs.js";
import { DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER } from "../../src/notify/senders.js";
import { NOTIFY_SEND, type Notifier } from "../../src/notify/service.js";
import { Metrics } from "../../src/server/metrics.js";
import { Worker } from "../../src/server/worker.js";
import type { Database } from "../../src/store/database.js";
import { JobQueue } from "../../src/store/jobs.js";
import { COMPLETE_BODY, policyFrom } from "../helpers/builders.js";
import { FakeClock } from "../helpers/databases.js";
import { chatTestBed, type FakeChat } from "../helpers/fake-chat.js";

const REPO = "acme/payments";
const SECRET = "webhook-signing-secret-0123456789";
const START = new Date("2026-11-23T14:20:00Z");

let db: Database;
let fake: FakeChat;

const bed = chatTestBed();

interface Harness {
  readonly notifier: Notifier;
  readonly worker: Worker;
  readonly clock: FakeClock;
  readonly metrics: Metrics;
  readonly logs: { level: string; fields: Record<string, unknown>; msg: string }[];
  readonly log: HotfixLogStore;
  readonly recorder: HotfixRecorder;
}

let h: Harness;

const POLICY = policyFrom({
  notifications: {
    routes: [
      { events: ["opened", "merged", "deployed"], to: ["incidents", "incidents-bot"] },
      { events: ["opened"], severities: ["critical", "P0"], to: ["oncall"] },
      { events: ["bypass-unjustified", "bypass-justified"], to: ["security-audit"] },
    ],
  },
});

function destinations(url: string) {
  return parseDestinations(
    JSON.stringify({
      incidents: { type: "slack-webhook", url: `${url}/slack/incidents` },
      "incidents-bot": { type: "slack-bot", token: "xoxb-test-token", channel: "#incidents", api_url: `${url}/api/` },
      oncall: { type: "webhook", url: `${url}/hook`, secret: SECRET },
      "security-audit": { type: "teams", url: `${url}/teams/audit` },
    }),
  );
}

beforeEach(async () => {
  ({ db, fake } = bed);
  await db.query("TRUNCATE jobs, notify_threads, hotfix_records, hotfix_events RESTART IDENTITY");
  fake.received.length = 0;
  const clock = new FakeClock(START);
  const queue = new JobQueue(db);
  const metrics = new Metrics(queue, clock.now);
  const logs: Harness["logs"] = [];
  const record = (level: string) => (fields: Record<string, unknown>, msg: string) => void logs.push({ level, fields, msg });
  const logger = { info: record("info"), warn: record("warn"), error: record("error") };
  const log = new HotfixLogStore(db, clock.now);
  const recorder = new HotfixRecorder(log, clock.now, logger);
  const notifier = createNotifier({
    destinations: destinations(fake.url),
    scheduler: { schedule: (kind, key, payload, runAt) => queue.schedule(kind, key, payload, runAt, clock.now()) },
    db,
    now: clock.now,
    log: logger as never,
    registry: metrics.registry,
    hotfixLog: { recorder, store: log },
  });
  const worker = new Worker({ queue, probot: {} as never, metrics, log: logger as never, now: clock.now });
  worker.handle(NOTIFY_SEND, (payload, job) => notifier.deliver(payload, job));
  h = { notifier, worker, clock, metrics, logs, log, recorder };
});

afterEach(() => {
  fake.received.length = 0;
});

function hotfix(title = "hotfix(payments): default the currency code", body = COMPLETE_BODY) {
  return summaryOf(REPO, { number: 42, title, body, author: "dev-alice", headRef: "hotfix/v1.4.3-default-currency" }, POLICY);
}

const MERGED_UNJUSTIFIED: NotifyDetails = { kind: "merged", mergedBy: "dev-carol", verdict: "unjustified-bypass", unmet: ["Approvals", "Required status checks"], authoriser: null, bypassReason: null, assessment: null, mergeBackTargets: ["develop"] };

async function notify(details: NotifyDetails, summary = hotfix()): Promise<void> {
  await h.notifier.notify({ policy: POLICY, hotfix: summary, details });
}

/** Runs due jobs, moving the clock past each backoff, `rounds` times. */
async function run(rounds = 1): Promise<void> {
  for (let i = 0; i < rounds; i += 1) {
    await h.worker.drain();
    h.clock.advance(11 * 60_000);
  }
}

function slackTexts(path: string): string[] {
  return fake.to(path).map((request) => {
    const body = request.headers["content-type"]?.includes("json") ? (JSON.parse(request.body) as Record<string, string>) : Object.fromEntries(new URLSearchParams(request.body));
    return String(body.text);
  });
}

describe("notifications from the durable queue", () => {
  it("sends the opening message once to each routed destination, even when the moment is reported again", async () => {
    await notify({ kind: "opened" });
    await notify({ kind: "opened" });
    await run();
    await notify({ kind: "opened" });
    await run();

    const [text] = slackTexts("/slack/incidents");
    expect(slackTexts("/slack/incidents")).toHaveLength(1);
    expect(text).toBe(
      [
        "*🚨 HOTFIX IN PROGRESS 🚨*",
        "*Issue:* The payment gateway client sends an empty currency code, so every charge is rejected.",
        "*Severity:* CRITICAL",
        "*Owner:* @\u2060dev-alice",
        "*Impact:* not stated in the pull request",
        "*Branch:* hotfix/v1.4.3-default-currency",
        "*Tracking:* INC-4521",
        "*Status:* FIXING",
        `<https://github.com/${REPO}/pull/42|Pull request ${REPO}#42>`,
      ].join("\n"),
    );
    expect(slackTexts("/api/chat.postMessage")).toEqual([text]);
    expect(fake.to("/hook")).toHaveLength(1);
    expect(fake.to("/teams/audit")).toHaveLength(0);
    expect(await h.metrics.registry.getSingleMetricAsString("hotfix_guard_notifications_total")).toContain('destination="oncall",event="opened",outcome="sent"} 1');
  });

  it("routes by severity: a hotfix without the severity reaches only the routes without a filter", async () => {
    await notify({ kind: "opened" }, { ...hotfix(), severity: "HIGH" });
    await run();
    expect(fake.to("/hook")).toHaveLength(0);
    expect(fake.to("/slack/incidents")).toHaveLength(1);
  });

  it("sends an unjustified bypass to the audit destination with who merged and what was skipped, and the merge to the channel", async () => {
    await notify(MERGED_UNJUSTIFIED);
    await run();
    const [card] = fake.to("/teams/audit").map((request) => JSON.parse(request.body) as { attachments: { content: { body: { text?: string; facts?: { title: string; value: string }[] }[] } }[] });
    const content = card?.attachments[0]?.content;
    expect(content?.body[0]?.text).toBe("🚫 HOTFIX MERGED WITH AN UNJUSTIFIED BYPASS");
    expect(content?.body[1]?.facts).toContainEqual({ title: "Merged by", value: "@\u2060dev-carol" });
    expect(content?.body[1]?.facts).toContainEqual({ title: "Skipped", value: "Approvals, Required status checks" });
    expect(slackTexts("/slack/incidents")[0]).toContain("*Audit:* UNJUSTIFIED bypass");
    expect(fake.to("/teams/audit")).toHaveLength(1);
  });

  it("threads a hotfix's later messages under its first Slack bot message", async () => {
    await notify({ kind: "opened" });
    await run();
    await notify({ kind: "deployed", environment: "production", at: "2026-11-23T15:02:00Z", url: null, postIncidentDue: "2026-11-25T14:50:00Z" });
    await run();
    const posts = fake.to("/api/chat.postMessage").map((request) => Object.fromEntries(new URLSearchParams(request.body)));
    expect(posts).toHaveLength(2);
    expect(posts[0]?.thread_ts).toBeUndefined();
    expect(posts[1]?.thread_ts).toBe("1700000000.000001");
    expect(posts[1]?.text).toContain("*✅ HOTFIX DEPLOYED ✅*");
  });

  it("waits for Slack's Retry-After on a 429 without spending an attempt, and retries a 5xx", async () => {
    fake.script("/slack/incidents", { status: 429, headers: { "retry-after": "30" }, body: "rate_limited" });
    fake.script("/api/chat.postMessage", { status: 503, body: "" });
    await notify({ kind: "opened" });
    await h.worker.drain();
    expect(fake.to("/slack/incidents")).toHaveLength(1);
    h.clock.advance(29_000);
    await h.worker.drain();
    expect(fake.to("/slack/incidents")).toHaveLength(1);
    h.clock.advance(2_000);
    await h.worker.drain();
    expect(fake.to("/slack/incidents")).toHaveLength(2);
    await run();
    expect(fake.to("/api/chat.postMessage")).toHaveLength(2);
    const [job] = await db.query<{ attempts: number; status: string }>("SELECT attempts, status FROM jobs WHERE key LIKE '%:incidents'");
    expect(job).toEqual({ attempts: 1, status: "done" });
    expect(h.logs.some((line) => line.level === "error")).toBe(false);
  });

  it("records a message that finally fails (counter, log line, hotfix timeline) and still sends to the others", async () => {
    await h.recorder.pullRequest(REPO, { number: 42, title: "hotfix", body: COMPLETE_BODY, user: { login: "dev-alice" }, head: { ref: "hotfix/v1.4.3-x", sha: "a".repeat(40) }, base: { ref: "main" }, state: "open", created_at: START.toISOString(), updated_at: START.toISOString(), html_url: `https://github.com/${REPO}/pull/42` }, POLICY);
    fake.script("/hook", ...Array.from({ length: 5 }, () => ({ status: 500, body: "down" })));
    await notify({ kind: "opened" });
    await run(6);
    expect(fake.to("/hook")).toHaveLength(5);
    expect(fake.to("/slack/incidents")).toHaveLength(1);
    expect(fake.to("/api/chat.postMessage")).toHaveLength(1);
    const failure = h.logs.find((line) => line.msg === "notification not sent: giving up");
    expect(failure?.fields).toMatchObject({ destination: "oncall", event: "opened", reason: "webhook answered HTTP 500: down" });
    expect(JSON.stringify(h.logs)).not.toContain(SECRET);
    expect(await h.metrics.registry.getSingleMetricAsString("hotfix_guard_notifications_total")).toContain('destination="oncall",event="opened",outcome="failed"} 1');
    const detail = await h.log.get(REPO, "HOTFIX-001");
    expect(detail?.timeline.find((event) => event.kind === "notification-failed")?.detail).toBe("opened message to oncall not sent: webhook answered HTTP 500: down");
  });

  it("gives up at once on a permanent refusal (Slack channel_not_found), without retrying", async () => {
    fake.script("/api/chat.postMessage", { status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ ok: false, error: "channel_not_found" }) });
    await notify({ kind: "opened" });
    await run(3);
    expect(fake.to("/api/chat.postMessage")).toHaveLength(1);
    expect(h.logs.find((line) => line.msg === "notification not sent: giving up")?.fields.reason).toBe("Slack Web API refused chat.postMessage: channel_not_found");
  });

  it("signs the webhook so a receiver can verify the raw body, with a delivery id stable across retries", async () => {
    fake.script("/hook", { status: 502, body: "" });
    await notify({ kind: "opened" });
    await run(2);
    const [first, second] = fake.to("/hook");
    expect(second).toBeDefined();
    const timestamp = String(second?.headers[TIMESTAMP_HEADER.toLowerCase()]);
    const expected = `sha256=${createHmac("sha256", SECRET).update(`${timestamp}.${second?.body}`).digest("hex")}`;
    const signature = String(second?.headers[SIGNATURE_HEADER.toLowerCase()]);
    expect(timingSafeEqual(Buffer.from(signature), Buffer.from(expected))).toBe(true);
    expect(second?.headers[DELIVERY_HEADER.toLowerCase()]).toBe(first?.headers[DELIVERY_HEADER.toLowerCase()]);
    const body = JSON.parse(second?.body ?? "{}") as { event: string; hotfix: { title: string }; message: { text: string } };
    expect(body.event).toBe("opened");
    expect(body.message.text.split("\n")[0]).toBe("🚨 HOTFIX IN PROGRESS 🚨");
  });

  it("never lets a hostile PR title ping a channel, link elsewhere or format the message", async () => {
    const hostile = "<!channel> @here @channel <https://evil.example|click me> *bold* _it_ `code` [x](https://evil.example) <at>boss</at>";
    await notify(MERGED_UNJUSTIFIED, { ...hotfix(hostile, "no sections"), problem: null });
    await run();
    const slack = slackTexts("/slack/incidents")[0] ?? "";
    const issueLine = slack.split("\n").find((line) => line.startsWith("*Issue:*")) ?? "";
    expect(issueLine).not.toMatch(/<!|<https|@here|@channel|\*bold\*|_it_|`code`/);
    expect(issueLine).toContain("&lt;!channel&gt;");
    const teams = fake.to("/teams/audit")[0]?.body ?? "";
    const facts = (JSON.parse(teams) as { attachments: { content: { body: { facts?: { title: string; value: string }[] }[] } }[] }).attachments[0]?.content.body[1]?.facts ?? [];
    const issue = facts.find((fact) => fact.title === "Issue")?.value ?? "";
    expect(issue).not.toMatch(/<at>|\[x\]\(|@here|@channel|\*bold\*|_it_/);
  });

  it("sends the post-incident review's overdue message at its due time only while the review is still open", async () => {
    const due = new Date(START.getTime() + 48 * 3_600_000).toISOString();
    const policy = policyFrom({ notifications: { routes: [{ events: ["post-incident-due", "post-incident-overdue"], to: ["incidents"] }] } });
    for (const number of [42, 43]) {
      await h.recorder.pullRequest(REPO, { number, title: "hotfix", body: COMPLETE_BODY, user: { login: "dev-alice" }, head: { ref: `hotfix/v1.4.${number}-x`, sha: "a".repeat(40) }, base: { ref: "main" }, state: "open", created_at: START.toISOString(), updated_at: START.toISOString(), html_url: `https://github.com/${REPO}/pull/${number}` }, policy);
      await h.recorder.postIncidentOpened(REPO, number, { repo: REPO, number: 500 + number, openedAt: START.toISOString(), url: null }, due);
      await h.notifier.notify({ policy, hotfix: { ...hotfix(), number }, details: { kind: "post-incident-due", dueAt: due, issueUrl: `https://github.com/${REPO}/issues/${500 + number}` } });
    }
    await run();
    expect(slackTexts("/slack/incidents").map((text) => text.split("\n")[0])).toEqual(["*📝 POST-INCIDENT REVIEW SCHEDULED*", "*📝 POST-INCIDENT REVIEW SCHEDULED*"]);
    await h.recorder.postIncidentClosed(REPO, { number: 542, closedAt: START.toISOString(), at: START.toISOString(), actor: "dev-alice", url: null });
    h.clock.advance(48 * 3_600_000);
    await run();
    const overdue = slackTexts("/slack/incidents").slice(2);
    expect(overdue).toHaveLength(1);
    expect(overdue[0]).toContain("*📝 POST-INCIDENT REVIEW OVERDUE*");
    expect(overdue[0]).toContain(`<https://github.com/${REPO}/issues/543|Post-incident review>`);
    expect(await h.metrics.registry.getSingleMetricAsString("hotfix_guard_notifications_total")).toContain('destination="incidents",event="post-incident-overdue",outcome="skipped"} 1');
  });
});

describe("merge-back moments", () => {
  it("reports an escalated reminder and each back-merge that failed or conflicts, once per target", async () => {
    const requests: NotifyRequest[] = [];
    const state = {
      version: 1,
      repository: REPO,
      production: "main",
      hotfix: { number: 42, title: "hotfix(payments): default the currency code", author: "dev-alice", headRef: "hotfix/v1.4.3-x", headSha: "a".repeat(40), headInRepository: true, mergeSha: "b".repeat(40), mergedAt: START.toISOString(), method: "merge", commits: [] },
      rows: [
        { target: "develop", status: "missing", backMergeError: "HTTP 422: no commits between" },
        { target: "release/v1.5", status: "missing", backMerge: { number: 61, head: "hotfix-guard/back-merge-42-release", state: "open", mergeable: false, conflicts: { files: ["src/pay.ts"], total: 1 } } },
        { target: "release/v1.4", status: "done", evidence: { via: "merge-commit" } },
      ],
      escalatedAt: START.toISOString(),
    } as unknown as ReminderState;
    await notifyMergeBack(async (request) => void requests.push(request), POLICY, state, 60, true);
    expect(requests.map((request) => request.details)).toEqual([
      { kind: "merge-back-overdue", missing: ["develop", "release/v1.5"], hours: 24, reminderUrl: `https://github.com/${REPO}/issues/60` },
      { kind: "merge-back-failed", target: "develop", reason: "the back-merge pull request could not be opened: HTTP 422: no commits between", pullRequestUrl: null },
      { kind: "merge-back-failed", target: "release/v1.5", reason: "the back-merge pull request has conflicts: src/pay.ts", pullRequestUrl: `https://github.com/${REPO}/pull/61` },
    ]);
  });

  it("a merge with an unjustified bypass reports who merged and what was skipped; the review issue its due time", async () => {
    const requests: NotifyRequest[] = [];
    const services = { notify: async (request: NotifyRequest) => void requests.push(request), now: h.clock.now } as unknown as Services;
    const pr = { number: 42, title: "hotfix(payments): default the currency code", body: COMPLETE_BODY, author: "dev-alice", headRef: "hotfix/v1.4.3-x", mergedBy: "dev-carol" } as unknown as MergedPullRequestData;
    const audit = { verdict: "bypass", justified: false, unmet: [{ title: "Approvals" }], justification: null } as unknown as MergeAudit;
    await notifyAudited(services, REPO, pr, audit, POLICY, { ref: { repo: REPO, number: 59 }, dueAt: "2026-11-25T14:50:00Z" });
    expect(requests.map((request) => request.details)).toEqual([
      { kind: "merged", mergedBy: "dev-carol", verdict: "unjustified-bypass", unmet: ["Approvals"], authoriser: null, bypassReason: null, assessment: null, mergeBackTargets: ["develop", "release/*"] },
      { kind: "post-incident-due", dueAt: "2026-11-25T14:50:00Z", issueUrl: `https://github.com/${REPO}/issues/59` },
    ]);
    expect(requests[0]?.hotfix).toMatchObject({ severity: "CRITICAL", incidentReference: "INC-4521", author: "dev-alice" });
  });

  it("a production deployment reports each hotfix it marked deployed, from its log record", async () => {
    const requests: NotifyRequest[] = [];
    const services = { notify: async (request: NotifyRequest) => void requests.push(request), hotfixLog: h.recorder, now: h.clock.now } as unknown as Services;
    const merged = "2026-11-23T14:50:00Z";
    await h.recorder.pullRequest(REPO, { number: 42, title: "hotfix", body: COMPLETE_BODY, user: { login: "dev-alice" }, head: { ref: "hotfix/v1.4.3-x", sha: "a".repeat(40) }, base: { ref: "main" }, state: "closed", merged_at: merged, created_at: START.toISOString(), updated_at: merged, html_url: `https://github.com/${REPO}/pull/42` }, POLICY);
    await h.recorder.merged(REPO, { number: 42, mergedAt: merged, mergedBy: "senior-bob", mergeCommitSha: "b".repeat(40), headRef: "hotfix/v1.4.3-x" }, { verdict: "compliant", justified: false, unmet: [], justification: null }, POLICY);
    const ids = await h.recorder.deployed(REPO, { id: 77, sha: "b".repeat(40), ref: "main", environment: "production", at: "2026-11-23T15:02:00Z", actor: "deploy-bot", url: null });
    await notifyDeployed(services, REPO, ids, POLICY, { environment: "production", at: "2026-11-23T15:02:00Z", url: null });
    expect(ids).toEqual(["HOTFIX-001"]);
    expect(requests).toHaveLength(1);
    expect(requests[0]?.hotfix).toMatchObject({ trackingId: "HOTFIX-001", changeMade: "Default the currency to the account's currency when the cart has none." });
    expect(requests[0]?.details).toEqual({ kind: "deployed", environment: "production", at: "2026-11-23T15:02:00Z", url: null, postIncidentDue: null });
  });
});
