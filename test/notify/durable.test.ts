/**
 * Notifications in the running app: a signed `pull_request.opened` delivery goes through the
 * ingress, the queue and the check handler, whose one call schedules the message; the same worker
 * sends it to a local fake Slack webhook. A redelivered webhook sends nothing more. GitHub is nock.
 */
import { describe, expect, it } from "vitest";
import { HEAD_SHA } from "../helpers/builders.js";
import { GitHubMock } from "../helpers/app.js";
import { durableServerWithChat } from "../helpers/durable-chat.js";
import { pullRequestEvent, pullRequestObject } from "../helpers/fixtures.js";

const T0 = new Date("2026-11-23T15:00:00Z");
const CONFIG = `notifications:
  review_wait_minutes: 20
  routes:
    - { events: [opened, awaiting-review], to: [incidents] }
`;

describe("notifications in the durable app", () => {
  const h = durableServerWithChat(T0);

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

    expect((await h.server.deliver(event)).status).toBe(202);
    await h.server.runtime.worker.drain();
    expect((await h.server.deliver(event)).status).toBe(202);
    await h.server.runtime.worker.drain();

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    const posts = h.fake.to("/slack/incidents").map((request) => (JSON.parse(request.body) as { text: string }).text);
    expect(posts).toHaveLength(1);
    expect(posts[0]?.split("\n").slice(0, 2)).toEqual(["*🚨 HOTFIX IN PROGRESS 🚨*", "*Issue:* The payment gateway client sends an empty currency code, so every charge is rejected."]);
    const [wait] = await h.db.query<{ run_at: Date }>("SELECT run_at FROM jobs WHERE kind = 'notify-review-wait'");
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
    await h.server.deliver(pullRequestEvent("opened"));
    await h.server.runtime.worker.drain();
    reads(github);
    h.clock.advance(20 * 60_000);
    await h.server.runtime.worker.drain();

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    const posts = h.fake.to("/slack/incidents").map((request) => (JSON.parse(request.body) as { text: string }).text);
    expect(posts.map((post) => post.split("\n")[0])).toEqual(["*🚨 HOTFIX IN PROGRESS 🚨*", "*⏳ HOTFIX WAITING FOR REVIEW*"]);
    expect(posts[1]).toContain("*Waiting:* no eligible review 20 minutes after the hotfix was opened");
    expect(posts[1]).toContain("*Who can review:* anyone with write access to the repository (no reviewers configured)");
  });
});
