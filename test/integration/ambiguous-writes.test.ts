/**
 * Issue 9, defect 1 (ambiguous writes) and defect 8 (merge-back gives up), GitHub served by nock
 * and the app on the service's Octokit with GitHub's retry plugin on, as in production (only its
 * delays shortened). GitHub carries out a create and the answer is lost (502), or the connection
 * resets before anything happened: the app must neither create a second item nor lose one.
 */
import nock from "nock";
import { Probot, type ProbotOctokit } from "probot";
import { describe, expect, it } from "vitest";
import { serviceOctokit } from "../../src/github/octokit.js";
import { createApp } from "../../src/index.js";
import { MERGE_BACK_RECHECK, runMergeBackRecheck, type MergeBackJob } from "../../src/handlers/merge-back.js";
import type { Scheduler } from "../../src/handlers/services.js";
import { HEAD_SHA, NOW } from "../helpers/builders.js";
import { APP_ID, GitHubMock, TEST_PROBOT_OPTIONS } from "../helpers/app.js";
import { pullRequestEvent, pullRequestObject } from "../helpers/fixtures.js";
import { MergeBackMock, mergeBackProbot } from "../helpers/merge-back-mocks.js";
import { HOTFIX_BRANCH, MAIN_BEFORE, MERGE_SHA, mergedPullRequestEvent } from "../helpers/merge-back-fixtures.js";

/** The production Octokit, throttling off and retry delays of a millisecond instead of a second. */
const RETRYING_OCTOKIT = serviceOctokit().defaults((options: Record<string, unknown>) => ({
  ...options,
  throttle: { enabled: false },
  retry: { retryAfterBaseValue: 1 },
})) as typeof ProbotOctokit;

async function retryingApp(): Promise<Probot> {
  const probot = new Probot({ ...TEST_PROBOT_OPTIONS, Octokit: RETRYING_OCTOKIT });
  await probot.load(createApp({ now: () => NOW, appId: APP_ID }), { cwd: process.cwd(), addHandler: () => undefined });
  return probot;
}

/** The reads of one evaluation of the default compliant hotfix pull request, configuration included. */
function compliantHotfix(github: GitHubMock, withConfig = true): GitHubMock {
  return (withConfig ? github.config(null) : github)
    .pull(pullRequestObject())
    .files([{ filename: "src/pay.ts" }, { filename: "src/pay.test.ts" }])
    .reviews([{ reviewer: "senior-bob", state: "APPROVED", commitId: HEAD_SHA }])
    .tags(["v1.4.2"])
    .permission("senior-bob", "write");
}

const posts = (github: GitHubMock, path: string) => github.requests.filter((request) => request === `POST /repos/acme/payments/${path}`).length;

describe("the Hotfix Guard check run", () => {
  it("is created once when GitHub makes it and the answer is lost: the app looks again and finds it", async () => {
    const probot = await retryingApp();
    const github = compliantHotfix(new GitHubMock().token()).listCheckRuns(HEAD_SHA, 2).createCheckRunAnswerLost(502).createCheckRun();

    await probot.receive(pullRequestEvent("opened"));

    expect(posts(github, "check-runs")).toBe(1);
    expect(github.writes.filter((write) => write.method === "POST")).toHaveLength(1);
    expect(github.lastWrite().conclusion).toBe("success");
  });

  it("is not created blindly again after a reset: the delivery fails, and its redelivery creates it once", async () => {
    const probot = await retryingApp();
    const github = compliantHotfix(new GitHubMock().token()).listCheckRuns(HEAD_SHA, 2).createCheckRunReset().createCheckRun();
    const event = pullRequestEvent("opened");

    await expect(probot.receive(event)).rejects.toMatchObject({ errors: [expect.objectContaining({ name: "AmbiguousWriteError" })] });
    expect(github.writes).toStrictEqual([]);

    compliantHotfix(github, false).listCheckRuns(HEAD_SHA);
    await probot.receive(event);

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(github.writes.filter((write) => write.method === "POST")).toHaveLength(1);
  });
});

describe("merge-back of a merged hotfix", () => {
  function mergedHotfix(mb: MergeBackMock): MergeBackMock {
    return mb
      .listReminders("all")
      .mergeCommit(MERGE_SHA, [MAIN_BEFORE, HEAD_SHA])
      .pullCommits(42, [{ sha: HEAD_SHA }])
      .branches("release/", []);
  }

  it("opens one reminder when GitHub creates it and the answer is lost", async () => {
    const { probot } = await mergeBackProbot({ Octokit: RETRYING_OCTOKIT });
    const github = new GitHubMock().token().config(null);
    const mb = mergedHotfix(new MergeBackMock(github)).compare("develop", HEAD_SHA, "diverged").closedPulls().commitsOf("develop");
    mb.createIssueAnswerLost(502).createIssue().listReminders("all");

    await probot.receive(mergedPullRequestEvent());

    expect(posts(github, "issues")).toBe(1);
    expect(mb.createdIssues).toHaveLength(1);
    expect(mb.createdIssues[0]?.title).toBe("Back-merge hotfix #42 into develop");
  });

  it("posts one \"merge-back complete\" note when GitHub posts it and the answer is lost", async () => {
    const { probot } = await mergeBackProbot({ Octokit: RETRYING_OCTOKIT });
    const github = new GitHubMock().token().config(null);
    const mb = mergedHotfix(new MergeBackMock(github)).compare("develop", HEAD_SHA, "behind").listComments(42);
    github.branchHead(HOTFIX_BRANCH, HEAD_SHA);
    mb.commentAnswerLost(42, 502).comment(42).listComments(42);

    await probot.receive(mergedPullRequestEvent());

    expect(posts(github, "issues/42/comments")).toBe(1);
    expect(mb.comments).toHaveLength(1);
    expect(mb.comments[0]?.body).toContain("✅ Merge-back complete");
  });

  it("rate-limited beyond the delivery's attempts, is scheduled again and completed by the timed re-check (defect 8)", async () => {
    const scheduled: { kind: string; key: string; payload: unknown; runAt: Date }[] = [];
    const scheduler: Scheduler = { schedule: async (kind, key, payload, runAt) => (scheduled.push({ kind, key, payload, runAt }), true) };
    const { probot, services } = await mergeBackProbot({ scheduler });
    const github = new GitHubMock().token().config(null);
    const mb = mergedHotfix(new MergeBackMock(github)).compare("develop", HEAD_SHA, "diverged").closedPulls().commitsOf("develop").createIssueRateLimited(1, 600);

    await expect(probot.receive(mergedPullRequestEvent())).rejects.toThrow(/secondary rate limit/);
    expect(mb.createdIssues).toStrictEqual([]);
    expect(scheduled).toHaveLength(1);
    const [job] = scheduled;
    expect(job).toMatchObject({ kind: MERGE_BACK_RECHECK, runAt: new Date(NOW.getTime() + 600_000), payload: { owner: "acme", repo: "payments", attempt: 1, hotfix: { number: 42 } } });

    mergedHotfix(mb).compare("develop", HEAD_SHA, "diverged").closedPulls().commitsOf("develop").createIssueRateLimited(1, 60);
    await runMergeBackRecheck(await probot.auth(1), job?.payload as MergeBackJob, services, probot.log);
    expect(scheduled).toHaveLength(2);
    expect(scheduled[1]).toMatchObject({ kind: MERGE_BACK_RECHECK, runAt: new Date(NOW.getTime() + 10 * 60_000), payload: { attempt: 2 } });

    mergedHotfix(mb).compare("develop", HEAD_SHA, "diverged").closedPulls().commitsOf("develop").createIssue();
    await runMergeBackRecheck(await probot.auth(1), scheduled[1]?.payload as MergeBackJob, services, probot.log);

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(mb.createdIssues).toHaveLength(1);
    expect(scheduled.filter((entry) => entry.key.includes(":assessment@"))).toHaveLength(2);
  });
});

describe("the service's Octokit", () => {
  it("gives up on a request GitHub never answers after its time limit, as a 5xx", async () => {
    const { createServer } = await import("node:http");
    const server = createServer(() => undefined);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    const Octokit = serviceOctokit(undefined, { requestTimeoutMs: 200 }).defaults((options: Record<string, unknown>) => ({
      ...options,
      throttle: { enabled: false },
      retry: { enabled: false },
    })) as typeof ProbotOctokit;
    const probot = new Probot({ githubToken: "ghs_test", baseUrl: `http://127.0.0.1:${port}`, Octokit, logLevel: "fatal" });
    try {
      const octokit = await probot.auth();
      await expect(octokit.request("POST /repos/{owner}/{repo}/issues", { owner: "acme", repo: "payments", title: "t" })).rejects.toMatchObject({ status: 500 });
    } finally {
      server.closeAllConnections();
      server.close();
      nock.cleanAll();
    }
  });
});
