/**
 * A merged hotfix through the whole app: one pipeline handles the `pull_request.closed` delivery,
 * the merge audit first, then merge-back tracking, each writing its own items once; and an invalid
 * configuration shows on the merge commit instead of only in the logs. Run read-only (as the
 * command line's `audit` runs it), the same pipeline judges the same and only reads.
 */
import { ProbotOctokit } from "probot";
import { describe, expect, it } from "vitest";
import { OctokitAuditGateway } from "../../src/github/audit-gateway.js";
import { OctokitMergeBackGateway } from "../../src/github/merge-back-gateway.js";
import { mergedHotfixOf } from "../../src/handlers/merge-back.js";
import { MERGED_HOTFIX_STEPS, runMergedHotfix } from "../../src/handlers/merged-hotfix.js";
import { createServices } from "../../src/handlers/services.js";
import { HEAD_SHA, NOW } from "../helpers/builders.js";
import { GitHubMock, testProbot } from "../helpers/app.js";
import { MERGE_SHA } from "../helpers/audit-builders.js";
import { mergedHotfixEvent, mergedPullObject } from "../helpers/audit-fixtures.js";
import { AuditMock, branchRules, type RunShape } from "../helpers/audit-mocks.js";
import { MAIN_BEFORE } from "../helpers/merge-back-fixtures.js";
import { MergeBackMock } from "../helpers/merge-back-mocks.js";

const CHECKS_PASSED: RunShape[] = [
  { name: "ci", conclusion: "success", completedAt: "2026-11-23T14:35:00Z" },
  { name: "Hotfix Guard", conclusion: "success", completedAt: "2026-11-23T14:41:00Z" },
];

/** The reads of the merge audit's judgement of the compliant hotfix: the pull request, its comments, reviews, files, tags, the reviewer's permission, protection, checks, protection log and rule suites. */
function auditReads(github: GitHubMock, audit: AuditMock): void {
    audit.pull(mergedPullObject()).listComments();
    github.reviews([{ reviewer: "senior-bob", state: "APPROVED", commitId: HEAD_SHA, submittedAt: "2026-11-23T14:40:00Z" }]).files([
      { filename: "src/payments/charge.ts" },
      { filename: "src/payments/charge.test.ts" },
    ]);
    github.tags(["v1.4.2"]).permission("senior-bob", "write");
    audit.rules(branchRules(1, ["ci", "Hotfix Guard"])).protection(404).checkRuns(HEAD_SHA, CHECKS_PASSED).listIssues("hotfix:protection-log").ruleSuites(403);
}

describe("a compliant hotfix merged with develop still lacking the fix", () => {
  it("gets its audit comment and follow-up issue, and one merge-back reminder for develop", async () => {
    const probot = await testProbot();
    const github = new GitHubMock().token().config(null).app();
    const audit = new AuditMock(github);
    const mergeBack = new MergeBackMock(github);
    auditReads(github, audit);
    audit.listIssues("hotfix:post-incident").tagRef("v1.4.3", null).postIncidentTemplate(404);
    audit.addLabels().createComment().listIssues("hotfix:audit-pending");
    mergeBack
      .listReminders("all")
      .mergeCommit(MERGE_SHA, [MAIN_BEFORE, HEAD_SHA])
      .pullCommits(42, [{ sha: HEAD_SHA }])
      .branches("release/", [])
      .compare("develop", HEAD_SHA, "diverged")
      .closedPulls()
      .commitsOf("develop");
    const created: { title: string; labels: string[] }[] = [];
    github.scope
      .post("/repos/acme/payments/issues")
      .times(2)
      .reply(201, (_uri, body) => {
        const issue = body as { title: string; labels: string[] };
        created.push({ title: issue.title, labels: issue.labels });
        return { number: 100 + created.length, html_url: `https://github.com/acme/payments/issues/${100 + created.length}` };
      });

    await probot.receive(mergedHotfixEvent());

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(audit.auditComment()).toContain("## ✅ Hotfix merge audit: compliant");
    expect(created.map((issue) => issue.labels).sort()).toStrictEqual([["hotfix:merge-back"], ["hotfix:post-incident"]]);
    expect(created.find((issue) => issue.labels.includes("hotfix:merge-back"))?.title).toBe("Back-merge hotfix #42 into develop");
  });
});

describe("a hotfix merged while the configuration is invalid", () => {
  it("gets the failing invalid-configuration check run on its merge commit, and nothing else", async () => {
    const probot = await testProbot();
    const github = new GitHubMock().token().config("scope:\n  level: block\n").listCheckRuns(MERGE_SHA).createCheckRun();

    await probot.receive(mergedHotfixEvent());

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(github.writes).toHaveLength(1);
    const run = github.lastWrite();
    expect(run).toMatchObject({ head_sha: MERGE_SHA, name: "Hotfix Guard", conclusion: "failure" });
    expect(run.output.summary).toContain("configuration is invalid");
    expect(github.requests.filter((request) => !request.includes("access_tokens") && !request.includes("hotfix-guard.yml") && !request.includes("/app/installations/1"))).toStrictEqual([
      `GET /repos/acme/payments/commits/${MERGE_SHA}/check-runs`,
      "POST /repos/acme/payments/check-runs",
    ]);
  });
});

describe("the pipeline run read-only, as the command line's audit runs it", () => {
  it("judges what the app publishes, with only the reads of the judgement: no write, no look for what a write would find", async () => {
    const github = new GitHubMock().config(null);
    const audit = new AuditMock(github);
    const mergeBack = new MergeBackMock(github);
    auditReads(github, audit);
    mergeBack.mergeCommit(MERGE_SHA, [MAIN_BEFORE, HEAD_SHA]).pullCommits(42, [{ sha: HEAD_SHA }]).branches("release/", []).compare("develop", HEAD_SHA, "diverged").closedPulls().commitsOf("develop");
    const octokit = new ProbotOctokit({ auth: { token: "ghp_test" }, retry: { enabled: false }, throttle: { enabled: false } });
    const gateway = new OctokitAuditGateway(octokit);
    const services = createServices({ now: () => NOW });
    services.ownLogin = Promise.resolve("hotfix-guard[bot]");
    const repo = { owner: "acme", repo: "payments" };
    const payload = mergedPullObject() as Parameters<typeof mergedHotfixOf>[0];

    const outcome = await runMergedHotfix(
      {
        repo,
        defaultBranch: "main",
        github: gateway,
        mergeBack: new OctokitMergeBackGateway(octokit),
        pr: { number: 42, baseRef: "main", headRef: payload.head.ref, labels: [] },
        read: () => gateway.getMergedPullRequest(repo, 42),
        hotfix: async () => mergedHotfixOf(payload, "acme/payments"),
      },
      services,
      MERGED_HOTFIX_STEPS,
      { kind: "assess" },
    );

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(github.requests.filter((request) => !request.startsWith("GET "))).toStrictEqual([]);
    expect(outcome.kind).toBe("assessed");
    const [judged, merge] = outcome.kind === "assessed" ? outcome.results : [null, null];
    expect(judged?.audit.verdict).toBe("compliant");
    expect(merge?.rows).toStrictEqual([{ target: "develop", status: "missing" }]);
  });
});
