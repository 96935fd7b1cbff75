/**
 * A release pull request is re-checked when the repository's open hotfixes change without an
 * event of its own: a hotfix merged into production queues one durable re-check (a redelivery
 * queues none), which lists the open pull requests into production once and re-evaluates the
 * release ones, writing a check run only when its verdict changed.
 */
import { describe, expect, it } from "vitest";
import { RELEASE_RECHECK, type ReleaseRecheckJob } from "../../src/handlers/merge-back.js";
import { runReleaseRecheck } from "../../src/handlers/release-recheck.js";
import type { Scheduler } from "../../src/handlers/services.js";
import { GitHubMock } from "../helpers/app.js";
import { HEAD_SHA } from "../helpers/builders.js";
import { pullRequestObject } from "../helpers/fixtures.js";
import { MAIN_BEFORE, MERGE_SHA, mergedPullRequestEvent, reminderBody, reminderState } from "../helpers/merge-back-fixtures.js";
import { MergeBackMock, mergeBackProbot } from "../helpers/merge-back-mocks.js";
import { RELEASE_SHA } from "../helpers/release-fixtures.js";

const JOB: ReleaseRecheckJob = { installationId: 1, owner: "acme", repo: "payments", defaultBranch: "main" };

/** A scheduler that records jobs and, like the store, takes each key once. */
function recordingScheduler(): Scheduler & { jobs: { kind: string; key: string }[] } {
  const jobs: { kind: string; key: string }[] = [];
  return {
    jobs,
    schedule: async (kind, key) => {
      if (jobs.some((job) => job.key === key)) return false;
      jobs.push({ kind, key });
      return true;
    },
  };
}

/** `GET /pulls?state=open&base=main`: release pull request #50 and hotfix pull request #43. */
function openPullRequestsIntoMain(github: GitHubMock): void {
  const pull = (number: number, headRef: string, headSha: string) => ({ number, title: `#${number}`, html_url: `https://github.com/acme/payments/pull/${number}`, base: { ref: "main" }, head: { ref: headRef, sha: headSha }, labels: [] });
  github.scope
    .get("/repos/acme/payments/pulls")
    .query((query) => query.state === "open" && query.base === "main")
    .reply(200, [pull(50, "release/1.5", RELEASE_SHA), pull(43, "hotfix/v1.4.4-rounding", "4".repeat(40))]);
}

describe("the release pull requests' re-check", () => {
  it("is queued once when a hotfix merges into production, however often the merge is delivered", async () => {
    const scheduler = recordingScheduler();
    const { probot } = await mergeBackProbot({ scheduler });
    const github = new GitHubMock().token().config(null);
    const mb = new MergeBackMock(github);
    for (let delivery = 0; delivery < 2; delivery += 1) {
      mb.listReminders("all").mergeCommit(MERGE_SHA, [MAIN_BEFORE, HEAD_SHA]).pullCommits(42, [{ sha: HEAD_SHA }]).branches("release/", []).compare("develop", HEAD_SHA, "behind").listComments(42);
    }
    mb.comment(42);
    github.branchHead("hotfix/v1.4.3-default-currency", null);

    await probot.receive(mergedPullRequestEvent());
    await probot.receive(mergedPullRequestEvent());

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(mb.comments).toHaveLength(1);
    expect(scheduler.jobs.filter((job) => job.kind === RELEASE_RECHECK)).toStrictEqual([{ kind: RELEASE_RECHECK, key: `${RELEASE_RECHECK}:acme/payments@merged:${MERGE_SHA}` }]);
  });

  it("lists the open pull requests into production once and gives the release one a verdict naming the new hotfix; run again, it writes nothing", async () => {
    const { probot, services } = await mergeBackProbot();
    const github = new GitHubMock().token().config(null);
    const mb = new MergeBackMock(github).seedIssue({ number: 7, title: "Back-merge hotfix #42", body: reminderBody(reminderState([{ target: "release/1.5", status: "missing" }])) });
    for (let run = 0; run < 2; run += 1) {
      openPullRequestsIntoMain(github);
      github.pull(pullRequestObject({ number: 50, headRef: "release/1.5", headSha: RELEASE_SHA, title: "Release 1.5", body: "Release" })).listCheckRuns(RELEASE_SHA);
      mb.listReminders("open").compare(RELEASE_SHA, HEAD_SHA, "diverged").closedPulls().commitsOf(RELEASE_SHA);
    }
    github.createCheckRun();

    expect(await runReleaseRecheck(await probot.auth(1), JOB, services, probot.log)).toStrictEqual([50]);
    expect(await runReleaseRecheck(await probot.auth(1), JOB, services, probot.log)).toStrictEqual([50]);

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(github.writes).toHaveLength(1);
    expect(github.lastWrite()).toMatchObject({ name: "Hotfix Guard", head_sha: RELEASE_SHA, conclusion: "failure", output: { title: "Release lacks 1 hotfix" } });
  });
});
