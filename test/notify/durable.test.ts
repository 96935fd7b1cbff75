/**
 * Notifications in the running app: a signed `pull_request.opened` delivery goes through the
 * ingress, the queue and the check handler, whose one call schedules the message; the same worker
 * sends it to a local fake Slack webhook. A redelivered webhook sends nothing more. GitHub is nock.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseDestinations } from "../../src/notify/destinations.js";
import { setKnownDestinations } from "../../src/config/schema-notifications.js";
import type { Database } from "../../src/store/database.js";
import { HEAD_SHA } from "../helpers/builders.js";
import { GitHubMock } from "../helpers/app.js";
import { BACKENDS, FakeClock, HOOK_TIMEOUT_MS, resetTables } from "../helpers/databases.js";
import { startDurableServer, type DurableServer } from "../helpers/durable.js";
import { startFakeChat, type FakeChat } from "../helpers/fake-chat.js";
import { pullRequestEvent, pullRequestObject } from "../helpers/fixtures.js";

const T0 = new Date("2026-11-23T15:00:00Z");
const CONFIG = `notifications:
  review_wait_minutes: 20
  routes:
    - { events: [opened, awaiting-review], to: [incidents] }
`;

const pglite = BACKENDS[0];

describe("notifications in the durable app", () => {
  let db: Database;
  let fake: FakeChat;
  let server: DurableServer;
  let clock: FakeClock;

  beforeAll(async () => {
    db = await (pglite as NonNullable<typeof pglite>).open();
    fake = await startFakeChat();
  }, HOOK_TIMEOUT_MS);
  afterAll(async () => {
    await fake.close();
    await pglite?.dispose(db);
    setKnownDestinations(null);
  }, HOOK_TIMEOUT_MS);
  beforeEach(async () => {
    await resetTables(db);
    fake.received.length = 0;
    clock = new FakeClock(T0);
    server = await startDurableServer(db, clock, undefined, { notifyDestinations: parseDestinations(JSON.stringify({ incidents: { type: "slack-webhook", url: `${fake.url}/slack/incidents` } })) });
  });
  afterEach(() => server.stop());

  it("posts HOTFIX IN PROGRESS once when a hotfix PR opens, and schedules the review-wait check", async () => {
    const github = new GitHubMock()
      .token()
      .config(CONFIG)
      .pull(pullRequestObject())
      .files([{ filename: "src/pay.ts" }, { filename: "src/pay.test.ts" }])
      .reviews([])
      .tags(["v1.4.2"])
      .reviewRequests(["2026-11-23T14:30:00Z"])
      .listCheckRuns(HEAD_SHA)
      .createCheckRun();
    const event = pullRequestEvent("opened");

    expect((await server.deliver(event)).status).toBe(202);
    await server.runtime.worker.drain();
    expect((await server.deliver(event)).status).toBe(202);
    await server.runtime.worker.drain();

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    const posts = fake.to("/slack/incidents").map((request) => (JSON.parse(request.body) as { text: string }).text);
    expect(posts).toHaveLength(1);
    expect(posts[0]?.split("\n").slice(0, 2)).toEqual(["*🚨 HOTFIX IN PROGRESS 🚨*", "*Issue:* The payment gateway client sends an empty currency code, so every charge is rejected."]);
    const [wait] = await db.query<{ run_at: Date }>("SELECT run_at FROM jobs WHERE kind = 'notify-review-wait'");
    expect(new Date(wait?.run_at ?? 0).toISOString()).toBe("2026-11-23T15:20:00.000Z");
  });

  it("asks for a reviewer when none has reviewed the hotfix review_wait_minutes after it opened, naming who can review", async () => {
    const reads = (github: GitHubMock) =>
      github
        .pull(pullRequestObject())
        .files([{ filename: "src/pay.ts" }, { filename: "src/pay.test.ts" }])
        .reviews([])
        .tags(["v1.4.2"])
        .reviewRequests(["2026-11-23T14:30:00Z"]);
    const github = reads(new GitHubMock().token().config(CONFIG)).listCheckRuns(HEAD_SHA).createCheckRun();
    await server.deliver(pullRequestEvent("opened"));
    await server.runtime.worker.drain();
    reads(github);
    clock.advance(20 * 60_000);
    await server.runtime.worker.drain();

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    const posts = fake.to("/slack/incidents").map((request) => (JSON.parse(request.body) as { text: string }).text);
    expect(posts.map((post) => post.split("\n")[0])).toEqual(["*🚨 HOTFIX IN PROGRESS 🚨*", "*⏳ HOTFIX WAITING FOR REVIEW*"]);
    expect(posts[1]).toContain("*Waiting:* no eligible review 20 minutes after the hotfix was opened");
    expect(posts[1]).toContain("*Who can review:* anyone with write access to the repository (no reviewers configured)");
  });
});
