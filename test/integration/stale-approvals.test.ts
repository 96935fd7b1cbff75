/**
 * Which pushes leave an approval standing, through `probot.receive` with GitHub served by nock:
 * an "Update branch" merge of the base and verified commits of a listed bot keep it; a real push,
 * an unverified "bot" commit (an email anyone can set) and a re-requested review do not.
 */
import { describe, expect, it } from "vitest";
import { HEAD_SHA } from "../helpers/builders.js";
import { GitHubMock, testProbot } from "../helpers/app.js";
import { pullRequestEvent, pullRequestObject } from "../helpers/fixtures.js";

const APPROVED = "0badc0de".repeat(5);
const FILES = [
  { filename: "src/payments/charge.ts", additions: 4, deletions: 3 },
  { filename: "src/payments/charge.test.ts", additions: 8, deletions: 0 },
];
const BOT_POLICY = 'approvals:\n  keep_on_base_merge: false\n  keep_on_pushes_by: ["renovate[bot]"]\n';
const OWN_CHANGE = [
  { filename: "src/payments/charge.ts", sha: "c".repeat(40), patch: "@@ -1 +1 @@\n-a\n+b" },
  { filename: "src/payments/charge.test.ts", sha: "d".repeat(40), patch: "@@ -0,0 +1 @@\n+t" },
];

function hotfix(github: GitHubMock, pr: Record<string, unknown> = pullRequestObject()): GitHubMock {
  return github
    .pull(pr)
    .files(FILES)
    .reviews([{ reviewer: "senior-bob", state: "APPROVED", commitId: APPROVED }])
    .tags(["v1.4.2"])
    .permission("senior-bob", "write")
    .listCheckRuns(HEAD_SHA)
    .createCheckRun();
}

async function approvalsRow(github: GitHubMock): Promise<{ conclusion: string; row: string }> {
  expect(github.scope.pendingMocks()).toStrictEqual([]);
  const run = github.lastWrite();
  return { conclusion: run.conclusion, row: run.output.summary.split("\n").find((line) => line.includes("| Approvals |")) ?? "" };
}

describe("approvals across pushes", () => {
  it("keeps an approval across an 'Update branch' merge of the base: the pull request's own change is unchanged", async () => {
    const probot = await testProbot();
    const github = hotfix(new GitHubMock().token().config(null));
    github.compare("main", HEAD_SHA, { files: OWN_CHANGE }).compare("main", APPROVED, { files: OWN_CHANGE });

    await probot.receive(pullRequestEvent("synchronize"));

    const { conclusion, row } = await approvalsRow(github);
    expect(conclusion).toBe("success");
    expect(row).toContain("| ✅ | Approvals |");
    expect(row).toContain("approval on 0badc0d kept: only the base branch was merged in since");
  });

  it("makes an approval stale when the merge of the base also changed the pull request's own files", async () => {
    const probot = await testProbot();
    const github = hotfix(new GitHubMock().token().config(null)).reviewRequests([]);
    const sneaked = OWN_CHANGE.map((file, i) => (i === 1 ? { ...file, sha: "e".repeat(40), patch: "@@ -0,0 +1,2 @@\n+t\n+skip()" } : file));
    github.compare("main", HEAD_SHA, { files: sneaked }).compare("main", APPROVED, { files: OWN_CHANGE });

    await probot.receive(pullRequestEvent("synchronize"));

    const { conclusion, row } = await approvalsRow(github);
    expect(conclusion).toBe("failure");
    expect(row).toContain("approval given on 0badc0d, before the latest push");
  });

  it("keeps an approval across verified commits of a listed bot", async () => {
    const probot = await testProbot();
    const github = hotfix(new GitHubMock().token().config(BOT_POLICY));
    github.compare("main", HEAD_SHA, { files: [] }).compare("main", APPROVED, { files: OWN_CHANGE });
    github.compare(APPROVED, HEAD_SHA, { commits: [{ sha: "f".repeat(40), by: "renovate[bot]" }] });

    await probot.receive(pullRequestEvent("synchronize"));

    const { conclusion, row } = await approvalsRow(github);
    expect(conclusion).toBe("success");
    expect(row).toContain("kept: only verified commits by @\u200brenovate[bot] since");
  });

  it("does not keep an approval across a 'bot' commit GitHub did not verify: anyone can set a bot's email", async () => {
    const probot = await testProbot();
    const github = hotfix(new GitHubMock().token().config(BOT_POLICY)).reviewRequests([]);
    github.compare("main", HEAD_SHA, { files: [] }).compare("main", APPROVED, { files: OWN_CHANGE });
    github.compare(APPROVED, HEAD_SHA, { commits: [{ sha: "f".repeat(40), by: "renovate[bot]", verified: false }] });

    await probot.receive(pullRequestEvent("synchronize"));

    const { conclusion, row } = await approvalsRow(github);
    expect(conclusion).toBe("failure");
    expect(row).toContain("before the latest push");
  });

  it("does not keep an approval across a listed bot's commits mixed with a person's", async () => {
    const probot = await testProbot();
    const github = hotfix(new GitHubMock().token().config(BOT_POLICY)).reviewRequests([]);
    github.compare("main", HEAD_SHA, { files: [] }).compare("main", APPROVED, { files: OWN_CHANGE });
    github.compare(APPROVED, HEAD_SHA, { commits: [{ sha: "f".repeat(40), by: "renovate[bot]" }, { sha: "e".repeat(40), by: "dev-alice" }] });

    await probot.receive(pullRequestEvent("synchronize"));

    expect((await approvalsRow(github)).conclusion).toBe("failure");
  });

  it("reads no comparison when the policy keeps approvals on no push", async () => {
    const probot = await testProbot();
    const github = hotfix(new GitHubMock().token().config("approvals:\n  keep_on_base_merge: false\n")).reviewRequests([]);

    await probot.receive(pullRequestEvent("synchronize"));

    expect((await approvalsRow(github)).conclusion).toBe("failure");
    expect(github.requests.filter((request) => request.includes("/compare/"))).toStrictEqual([]);
  });

  it("withdraws an approval whose reviewer's review was requested again, as GitHub does", async () => {
    const probot = await testProbot();
    const pr = { ...pullRequestObject(), requested_reviewers: [{ login: "Senior-Bob", id: 7, type: "User" }] };
    const github = new GitHubMock().token().config(null).pull(pr).files(FILES).reviews([{ reviewer: "senior-bob", state: "APPROVED", commitId: HEAD_SHA }]).tags(["v1.4.2"]);
    github.permission("senior-bob", "write").reviewRequests([]).listCheckRuns(HEAD_SHA).createCheckRun();

    await probot.receive(pullRequestEvent("review_requested"));

    const { conclusion, row } = await approvalsRow(github);
    expect(conclusion).toBe("failure");
    expect(row).toContain("review requested again since the approval");
    expect(github.lastWrite().output.summary).toMatch(/senior-bob\S* must review again/);
  });
});


