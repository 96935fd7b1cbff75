/**
 * What each event costs in GitHub requests. The budget: nothing the payload or the cache already
 * holds is asked for, nothing is asked twice in one evaluation, and an unchanged verdict writes
 * nothing. These lists are the figures quoted in the README.
 */
import { describe, expect, it } from "vitest";
import { HEAD_SHA } from "../helpers/builders.js";
import { GitHubMock, testProbot } from "../helpers/app.js";
import { branchCreatedEvent, pullRequestEvent, pullRequestObject, reviewEvent } from "../helpers/fixtures.js";
import { MergeBackMock } from "../helpers/merge-back-mocks.js";

const FILES = [{ filename: "src/pay.ts" }, { filename: "src/pay.test.ts" }];
const APPROVAL = [{ reviewer: "senior-bob", state: "APPROVED", commitId: HEAD_SHA }];
const EVALUATION = [
  "GET /repos/acme/payments/pulls/42",
  "GET /repos/acme/payments/pulls/42/files",
  "GET /repos/acme/payments/pulls/42/reviews",
  "GET /repos/acme/payments/git/matching-refs/tags/v",
  "GET /repos/acme/payments/collaborators/senior-bob/permission",
  `GET /repos/acme/payments/commits/${HEAD_SHA}/check-runs`,
];

function mockEvaluation(github: GitHubMock): GitHubMock {
  return github.pull(pullRequestObject()).files(FILES).reviews(APPROVAL).tags(["v1.4.2"]).permission("senior-bob", "write").listCheckRuns(HEAD_SHA);
}

describe("GitHub requests per event", () => {
  it("hotfix PR opened, cold cache: token, installation, config (repo, then org fallback), 6 reads, 1 write", async () => {
    const probot = await testProbot();
    const github = mockEvaluation(new GitHubMock().token().config(null)).createCheckRun();

    await probot.receive(pullRequestEvent("opened"));

    expect(github.requests.sort()).toStrictEqual(
      [
        "POST /app/installations/1/access_tokens",
        "GET /app/installations/1",
        "GET /repos/acme/payments/contents/.github/hotfix-guard.yml",
        "GET /repos/acme/.github/contents/.github/hotfix-guard.yml",
        ...EVALUATION,
        "POST /repos/acme/payments/check-runs",
      ].sort(),
    );
  });

  it("review submitted with config cached and an unchanged verdict: 6 reads, 0 writes", async () => {
    const probot = await testProbot();
    const github = mockEvaluation(new GitHubMock().token().config(null)).createCheckRun();
    await probot.receive(pullRequestEvent("opened"));
    github.requests.length = 0;
    mockEvaluation(github);

    await probot.receive(reviewEvent("submitted", { reviewer: "senior-bob", state: "approved" }));

    expect(github.requests.sort()).toStrictEqual([...EVALUATION].sort());
    expect(github.writes).toHaveLength(1);
  });

  it("PR into another branch: only the (cached) configuration", async () => {
    const probot = await testProbot();
    const github = new GitHubMock().token().config(null);

    await probot.receive(pullRequestEvent("opened", { baseRef: "develop", headRef: "feature/checkout" }));
    await probot.receive(pullRequestEvent("opened", { baseRef: "develop", headRef: "feature/checkout", number: 43 }));

    expect(github.requests).toHaveLength(4);
  });

  it("regular PR into production: the PR, the open reminders (the release guard), the check runs, one write", async () => {
    const probot = await testProbot();
    const github = new GitHubMock().token().config(null).pull(pullRequestObject({ headRef: "release/2.0" })).listCheckRuns(HEAD_SHA).createCheckRun();
    new MergeBackMock(github).listReminders("open");

    await probot.receive(pullRequestEvent("opened", { headRef: "release/2.0" }));

    expect(github.requests.filter((r) => !r.includes("hotfix-guard.yml") && !r.includes("/app/installations/1"))).toStrictEqual([
      "GET /repos/acme/payments/pulls/42",
      "GET /repos/acme/payments/issues",
      `GET /repos/acme/payments/commits/${HEAD_SHA}/check-runs`,
      "POST /repos/acme/payments/check-runs",
    ]);
  });

  it("hotfix branch created with a valid name: config and tags only", async () => {
    const probot = await testProbot();
    const github = new GitHubMock().token().config(null).tags(["v1.4.2"]);

    await probot.receive(branchCreatedEvent("hotfix/v1.4.3-fix"));

    expect(github.requests.filter((r) => !r.includes("hotfix-guard.yml") && !r.includes("/app/installations/1"))).toStrictEqual([
      "GET /repos/acme/payments/git/matching-refs/tags/v",
    ]);
  });
});
