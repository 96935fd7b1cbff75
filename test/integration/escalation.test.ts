/**
 * The escalation ladder end to end on the durable app: deliveries over HTTP, the worker driven by
 * hand under a fake clock, GitHub served by nock. The ladder asks each step's reviewers once,
 * whatever is redelivered, re-run or restarted, shows its steps in the check run, and stops once
 * approvals suffice. Runs on PGlite, and on PostgreSQL when DATABASE_URL is set.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { ESCALATION_STEP } from "../../src/handlers/escalation.js";
import type { Database } from "../../src/store/database.js";
import { HEAD_SHA } from "../helpers/builders.js";
import { GitHubMock } from "../helpers/app.js";
import { BACKENDS, FakeClock } from "../helpers/databases.js";
import { durableServerPerTest, startDurableServer, type DurableServer } from "../helpers/durable.js";
import { pullRequestEvent, pullRequestObject } from "../helpers/fixtures.js";
import { startFakeChat, type FakeChat } from "../helpers/fake-chat.js";
import { parseDestinations } from "../../src/notify/destinations.js";
import { setKnownDestinations } from "../../src/config/schema-notifications.js";

const T0 = new Date("2026-11-23T14:02:00Z");
const MINUTE = 60_000;
const BOT = "hotfix-guard[bot]";
const LADDER = `escalation:
  ladder:
    - { after_minutes: 0, request_review: [acme/seniors] }
    - { after_minutes: 30, request_review: [acme/oncall] }
    - { after_minutes: 60, notify: true }
`;
const FILES = [{ filename: "src/pay.ts" }, { filename: "src/pay.test.ts" }];
const REQUESTS = "/repos/acme/payments/pulls/42/requested_reviewers";

type Request = { at: string; team: string; by: string };
const SENIORS: Request = { at: "2026-11-23T14:02:00Z", team: "seniors", by: BOT };
const ONCALL: Request = { at: "2026-11-23T14:32:00Z", team: "oncall", by: BOT };

/** One snapshot's reads of the unreviewed hotfix, with the timeline's review requests. */
function reads(github: GitHubMock, requests: Request[], reviews: { reviewer: string; state: string; commitId: string }[] = []): GitHubMock {
  github.pull(pullRequestObject()).files(FILES).reviews(reviews).tags(["v1.4.2"]);
  return reviews.length > 0 ? github : github.reviewRequests(requests);
}

/** `POST /requested_reviewers`, recording each body. */
function requestReviewers(github: GitHubMock, bodies: unknown[]): GitHubMock {
  github.scope.post(REQUESTS).reply(201, (_uri, body) => {
    bodies.push(body);
    return { number: 42 };
  });
  return github;
}

describe.each(BACKENDS)("the escalation ladder on $name", (backend) => {
  const bed = durableServerPerTest(backend, T0);
  let db: Database;
  let clock: FakeClock;
  let server: DurableServer;
  beforeEach(() => ({ db, clock, server } = bed));

  it("asks each step's reviewers once across redeliveries, re-runs and a restart, and shows the steps in the check run", async () => {
    const asked: unknown[] = [];
    const github = new GitHubMock().token().config(LADDER).app();
    reads(github, []).listCheckRuns(HEAD_SHA).createCheckRun();
    const opened = pullRequestEvent("opened");
    await server.deliver(opened);
    requestReviewers(reads(github, []), asked);
    reads(github, [SENIORS]).listCheckRuns(HEAD_SHA).updateCheckRun(9000);
    expect(await server.runtime.worker.drain()).toBe(2);
    expect(asked).toStrictEqual([{ reviewers: [], team_reviewers: ["seniors"] }]);
    expect(github.lastWrite().output.summary).toContain("Escalation: asked @\u200bacme/seniors at 14:02 UTC; next: @\u200bacme/oncall at 14:32 UTC; bypass permitted at 16:02 UTC.");

    // The same delivery again, a new event, and the step's job run a second time: nobody is asked again.
    await server.deliver(opened);
    reads(github, [SENIORS]).listCheckRuns(HEAD_SHA);
    await server.deliver(pullRequestEvent("edited", {}, { changes: { body: { from: "" } } }));
    const job = { repo: { owner: "acme", repo: "payments" }, fullName: "acme/payments", defaultBranch: "main", number: 42, baseRef: "main", headSha: HEAD_SHA, installationId: 1, step: 0, startedAt: T0.toISOString() };
    await server.runtime.services.scheduler?.schedule(ESCALATION_STEP, "re-run of step 0", job, T0);
    reads(reads(github, [SENIORS]), [SENIORS]).listCheckRuns(HEAD_SHA);
    expect(await server.runtime.worker.drain()).toBe(2);
    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(asked).toHaveLength(1);

    // A restart (a new process on the same store), then 30 minutes: the second step.
    await server.stop();
    server = await startDurableServer(db, clock);
    clock.advance(30 * MINUTE);
    github.token().config(LADDER).app();
    requestReviewers(reads(github, [SENIORS]), asked);
    reads(github, [SENIORS, ONCALL]).listCheckRuns(HEAD_SHA).updateCheckRun(9000);
    expect(await server.runtime.worker.drain()).toBe(1);
    expect(asked).toStrictEqual([
      { reviewers: [], team_reviewers: ["seniors"] },
      { reviewers: [], team_reviewers: ["oncall"] },
    ]);
    expect(github.lastWrite().output.summary).toContain("Escalation: asked @\u200bacme/seniors at 14:02 UTC, @\u200bacme/oncall at 14:32 UTC; bypass permitted at 16:02 UTC.");

    // 60 minutes: one notice, found again (not written twice) when the step runs again.
    clock.advance(30 * MINUTE);
    const comments: string[] = [];
    reads(github, [SENIORS, ONCALL]);
    github.scope.get("/repos/acme/payments/issues/42/comments").query(true).reply(200, []);
    github.scope.post("/repos/acme/payments/issues/42/comments").reply(201, (_uri, body) => {
      comments.push((body as { body: string }).body);
      return { id: 77 };
    });
    reads(github, [SENIORS, ONCALL]).listCheckRuns(HEAD_SHA);
    expect(await server.runtime.worker.drain()).toBe(1);
    expect(comments).toHaveLength(1);
    expect(comments[0]).toContain("still lacks approvals");
    expect(comments[0]).toContain("an emergency bypass");
    reads(github, [SENIORS, ONCALL]);
    github.scope.get("/repos/acme/payments/issues/42/comments").query(true).reply(200, [{ id: 77, user: { login: BOT, type: "Bot" }, body: comments[0], created_at: "2026-11-23T15:02:00Z", updated_at: "2026-11-23T15:02:00Z" }]);
    reads(github, [SENIORS, ONCALL]).listCheckRuns(HEAD_SHA);
    await server.runtime.services.scheduler?.schedule(ESCALATION_STEP, "re-run of step 2", { ...job, step: 2 }, clock.now());
    expect(await server.runtime.worker.drain()).toBe(1);

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(comments).toHaveLength(1);
    expect(asked).toHaveLength(2);
  });

  it("sends a notify step to the chat destinations routed for review-escalated, once across a re-run and a restart", async () => {
    const fake: FakeChat = await startFakeChat();
    const destinations = parseDestinations(JSON.stringify({ incidents: { type: "slack-webhook", url: `${fake.url}/slack/incidents` } }));
    const config = "escalation:\n  ladder:\n    - { after_minutes: 0, notify: true }\nnotifications:\n  routes:\n    - { events: [review-escalated], to: [incidents] }\n";
    try {
      await server.stop();
      server = await startDurableServer(db, clock, undefined, { notifyDestinations: destinations });
      const github = new GitHubMock().token().config(config).app();
      reads(github, []).listCheckRuns(HEAD_SHA).createCheckRun();
      await server.deliver(pullRequestEvent("opened"));
      const notices: string[] = [];
      reads(github, []);
      github.scope.get("/repos/acme/payments/issues/42/comments").query(true).reply(200, []);
      github.scope.post("/repos/acme/payments/issues/42/comments").reply(201, (_uri, body) => {
        notices.push((body as { body: string }).body);
        return { id: 78 };
      });
      reads(github, []).listCheckRuns(HEAD_SHA);
      expect(await server.runtime.worker.drain()).toBe(3);

      const posts = () => fake.to("/slack/incidents").map((request) => (JSON.parse(request.body) as { text: string }).text);
      expect(notices).toHaveLength(1);
      expect(posts()).toHaveLength(1);
      expect(posts()[0]).toContain("*📣 HOTFIX STILL WAITING FOR REVIEW: ESCALATED*");
      expect(posts()[0]).toContain("*Approvals:* 0 of 1, 0 minutes into the escalation ladder");

      // The step again after a restart: its comment is found, and the chat message is not sent twice.
      await server.stop();
      server = await startDurableServer(db, clock, undefined, { notifyDestinations: destinations });
      github.token().config(config).app();
      reads(github, []);
      github.scope.get("/repos/acme/payments/issues/42/comments").query(true).reply(200, [{ id: 78, user: { login: BOT, type: "Bot" }, body: notices[0], created_at: T0.toISOString(), updated_at: T0.toISOString() }]);
      reads(github, []).listCheckRuns(HEAD_SHA);
      const job = { repo: { owner: "acme", repo: "payments" }, fullName: "acme/payments", defaultBranch: "main", number: 42, baseRef: "main", headSha: HEAD_SHA, installationId: 1, step: 0, startedAt: T0.toISOString() };
      await server.runtime.services.scheduler?.schedule(ESCALATION_STEP, "re-run of the notify step", job, T0);
      expect(await server.runtime.worker.drain()).toBe(1);

      expect(github.scope.pendingMocks()).toStrictEqual([]);
      expect(notices).toHaveLength(1);
      expect(posts()).toHaveLength(1);
    } finally {
      await fake.close();
      setKnownDestinations(null);
    }
  });

  it("stops once approvals suffice: the next step asks nobody", async () => {
    const asked: unknown[] = [];
    const github = new GitHubMock().token().config(LADDER).app();
    reads(github, []).listCheckRuns(HEAD_SHA).createCheckRun();
    await server.deliver(pullRequestEvent("opened"));
    requestReviewers(reads(github, []), asked);
    reads(github, [SENIORS]).listCheckRuns(HEAD_SHA).updateCheckRun(9000);
    await server.runtime.worker.drain();

    clock.advance(30 * MINUTE);
    reads(github, [SENIORS], [{ reviewer: "senior-bob", state: "APPROVED", commitId: HEAD_SHA }]).permission("senior-bob", "write");
    expect(await server.runtime.worker.drain()).toBe(1);

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(asked).toHaveLength(1);
    expect(github.requests.filter((request) => request === `POST ${REQUESTS}`)).toHaveLength(1);
  });

  it("stops when the pull request closed", async () => {
    const github = new GitHubMock().token().config(LADDER);
    const job = { repo: { owner: "acme", repo: "payments" }, fullName: "acme/payments", defaultBranch: "main", number: 42, baseRef: "main", headSha: HEAD_SHA, installationId: 1, step: 1, startedAt: T0.toISOString() };
    await server.runtime.services.scheduler?.schedule(ESCALATION_STEP, "closed", job, T0);
    github.pull(pullRequestObject({ state: "closed" }));

    expect(await server.runtime.worker.drain()).toBe(1);
    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(github.requests.some((request) => request.startsWith("POST /repos"))).toBe(false);
  });
});
