/**
 * Evaluate mode end to end, through `probot.receive` with GitHub served by nock: a hotfix pull
 * request's check concludes neutral with the rows that would fail; a merge with an unjustified
 * bypass opens no issue, posts no comment and sets no label, but shows the would-be audit in a
 * neutral check run on the merge commit and records the verdict in the hotfix log; a direct push
 * opens no issue. And the organisation floor from GitHub: `enforce` there overrides a
 * repository's `evaluate` (a row names both files), and a failed read of the floor is not "no floor".
 */
import { Probot } from "probot";
import { describe, expect, it, vi } from "vitest";
import { createServices } from "../../src/handlers/services.js";
import type { HotfixRecorder } from "../../src/log/recorder.js";
import { APP_ID, GitHubMock, TEST_PROBOT_OPTIONS, testProbot } from "../helpers/app.js";
import { MERGE_SHA } from "../helpers/audit-builders.js";
import { mainPushEvent, mergedHotfixEvent, mergedPullObject, protectionRuleEvent } from "../helpers/audit-fixtures.js";
import { AuditMock, branchRules, registerAuditOnly, type RunShape } from "../helpers/audit-mocks.js";
import { HEAD_SHA, NOW } from "../helpers/builders.js";
import { MAIN_BEFORE } from "../helpers/merge-back-fixtures.js";
import { MergeBackMock } from "../helpers/merge-back-mocks.js";
import { pullRequestEvent, pullRequestObject } from "../helpers/fixtures.js";

const EVALUATE = "mode: evaluate\n";
const ORG_FILE = "acme/.github:.github/hotfix-guard.yml";
const REPO_FILE = "acme/payments:.github/hotfix-guard.yml";
const FILES = [
  { filename: "src/payments/charge.ts", additions: 4, deletions: 3 },
  { filename: "src/payments/charge.test.ts", additions: 8, deletions: 0 },
];
const CI_FAILED: RunShape[] = [
  { name: "ci", conclusion: "failure", completedAt: "2026-11-23T14:35:00Z" },
  { name: "Hotfix Guard", conclusion: "success", completedAt: "2026-11-23T14:41:00Z" },
];

/** A pull request whose description is missing and which has no approval: several rows fail. */
function failingHotfix(github: GitHubMock): GitHubMock {
  const pr = pullRequestObject({ body: "" });
  return github.pull(pr).files(FILES).reviews([]).reviewRequests([]).tags(["v1.4.2"]).listCheckRuns(HEAD_SHA).createCheckRun();
}

describe("a hotfix pull request in evaluate mode", () => {
  it("gets a neutral check that shows the failing rows and says what enforce mode would conclude", async () => {
    const probot = await testProbot();
    const github = failingHotfix(new GitHubMock().token().config(EVALUATE));

    await probot.receive(pullRequestEvent("opened", { body: "" }));

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    const run = github.lastWrite();
    expect(run).toMatchObject({ name: "Hotfix Guard", head_sha: HEAD_SHA, conclusion: "neutral" });
    expect(run.output.title).toMatch(/^Evaluate mode: enforce would fail: \d+ problems?: /);
    expect(run.output.summary).toContain("**Evaluate mode** (`mode: evaluate`)");
    expect(run.output.summary).toContain("In enforce mode this check would conclude **failure**.");
    expect(run.output.summary).toContain("| ❌ | Approvals |");
  });
});

describe("the organisation floor read from GitHub", () => {
  it("`floor.mode: enforce` overrides a repository's evaluate mode: the check fails, a row names the floor, the Configuration line names both files", async () => {
    const probot = await testProbot();
    const github = failingHotfix(new GitHubMock().token().config(EVALUATE, "payments", "floor:\n  mode: enforce\n"));

    await probot.receive(pullRequestEvent("opened", { body: "" }));

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    const run = github.lastWrite();
    expect(run.conclusion).toBe("failure");
    expect(run.output.summary).toContain(`| \`${REPO_FILE}\` | \`mode\` | "enforce": the organisation floor \`floor.mode\` in \`${ORG_FILE}\`, which applies instead | "evaluate" |`);
    expect(run.output.summary).toContain(`Configuration: \`${REPO_FILE}\`, over the defaults. Organisation floor: \`${ORG_FILE}\`.`);
  });

  it.each([500, 403])("a failed read of the floor (HTTP %i) is not 'no floor': the delivery fails and nothing is written", async (status) => {
    const probot = await testProbot();
    const github = new GitHubMock().token();
    github.scope.get("/repos/acme/payments/contents/.github%2Fhotfix-guard.yml").reply(200, { type: "file", encoding: "base64", size: 15, content: Buffer.from(EVALUATE).toString("base64") });
    github.scope.get("/repos/acme/.github/contents/.github%2Fhotfix-guard.yml").reply(status, { message: "Server Error" });

    await expect(probot.receive(pullRequestEvent("opened", { body: "" }))).rejects.toThrow(/cannot read the configuration acme\/\.github:\.github\/hotfix-guard\.yml/);

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(github.requests.filter((request) => !request.startsWith("GET "))).toStrictEqual(["POST /app/installations/1/access_tokens"]);
  });
});

/** A Probot with the merge audit's routes and a hotfix log that records what it is told. */
async function auditProbotWithLog(): Promise<{ probot: Probot; merged: ReturnType<typeof vi.fn> }> {
  const probot = new Probot(TEST_PROBOT_OPTIONS);
  const merged = vi.fn(async () => undefined);
  const hotfixLog = { merged, mergedPullRequest: vi.fn(async () => undefined), postIncidentOpened: vi.fn(async () => undefined) } as unknown as HotfixRecorder;
  const services = createServices({ now: () => NOW, identity: { appId: APP_ID, appOctokit: () => probot.auth() }, hotfixLog });
  await probot.load((app) => registerAuditOnly(app, services), { cwd: process.cwd(), addHandler: () => undefined });
  return { probot, merged };
}

describe("a merge with an unjustified bypass in evaluate mode", () => {
  it("opens no issue, posts no comment, sets no label; a neutral check on the merge commit shows the would-be audit, and the log records the verdict", async () => {
    const { probot, merged } = await auditProbotWithLog();
    const github = new GitHubMock().token().config(`${EVALUATE}audit:\n  notify:\n    users: [sec-lead]\n`).app();
    const audit = new AuditMock(github);
    audit.pull(mergedPullObject()).listComments();
    github.reviews([{ reviewer: "senior-bob", state: "APPROVED", commitId: HEAD_SHA, submittedAt: "2026-11-23T14:40:00Z" }]).files(FILES).tags(["v1.4.1", "v1.4.2"]).permission("senior-bob", "write");
    audit.rules(branchRules(1, ["ci", "Hotfix Guard"])).protection(404).checkRuns(HEAD_SHA, CI_FAILED).listIssues("hotfix:protection-log").ruleSuites(403);
    github.listCheckRuns(MERGE_SHA).createCheckRun();
    audit.listIssues("hotfix:audit-pending");

    await probot.receive(mergedHotfixEvent());

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(github.requests.filter((request) => !request.startsWith("GET ") && !request.includes("access_tokens"))).toStrictEqual(["POST /repos/acme/payments/check-runs"]);
    const run = github.lastWrite();
    expect(run).toMatchObject({ name: "Hotfix Guard: merge audit", head_sha: MERGE_SHA, conclusion: "neutral" });
    expect(run.output.title).toBe("Evaluate mode: merge audit bypass, not justified; enforce would open an audit issue");
    expect(run.output.summary).toContain("- open an audit issue for the unjustified bypass");
    expect(run.output.summary).toContain("- label the pull request `hotfix`, `hotfix:bypass`, `hotfix:bypass-unjustified`.");
    expect(run.output.summary).toContain("## ❌ Hotfix merge audit: bypass, not justified");
    expect(merged).toHaveBeenCalledTimes(1);
    expect(merged.mock.calls[0]?.[2]).toMatchObject({ verdict: "bypass", justified: false, needsAuditIssue: true });
  });
});

describe("a compliant hotfix merged in evaluate mode, develop still lacking the fix", () => {
  it("through the whole app: merge-back is assessed but no reminder opens, no post-incident issue, no comment; only the audit's neutral check run is written", async () => {
    const probot = await testProbot();
    const github = new GitHubMock().token().config(EVALUATE).app();
    const audit = new AuditMock(github);
    const mergeBack = new MergeBackMock(github);
    audit.pull(mergedPullObject()).listComments();
    github.reviews([{ reviewer: "senior-bob", state: "APPROVED", commitId: HEAD_SHA, submittedAt: "2026-11-23T14:40:00Z" }]).files(FILES).tags(["v1.4.2"]).permission("senior-bob", "write");
    audit.rules(branchRules(1, ["ci", "Hotfix Guard"])).protection(404).checkRuns(HEAD_SHA, [{ name: "ci", conclusion: "success", completedAt: "2026-11-23T14:35:00Z" }, { name: "Hotfix Guard", conclusion: "success", completedAt: "2026-11-23T14:41:00Z" }]).listIssues("hotfix:protection-log").ruleSuites(403);
    github.listCheckRuns(MERGE_SHA).createCheckRun();
    audit.listIssues("hotfix:audit-pending");
    mergeBack.mergeCommit(MERGE_SHA, [MAIN_BEFORE, HEAD_SHA]).pullCommits(42, [{ sha: HEAD_SHA }]).branches("release/", []).compare("develop", HEAD_SHA, "diverged").closedPulls().commitsOf("develop");

    await probot.receive(mergedHotfixEvent());

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(github.requests.filter((request) => !request.startsWith("GET ") && !request.includes("access_tokens"))).toStrictEqual(["POST /repos/acme/payments/check-runs"]);
    expect(github.lastWrite()).toMatchObject({ name: "Hotfix Guard: merge audit", head_sha: MERGE_SHA, conclusion: "neutral", output: { title: "Evaluate mode: merge audit compliant" } });
  });
});

describe("a direct push to the production branch in evaluate mode", () => {
  it("opens no issue: a neutral check run on the pushed commit shows the issue enforce mode would open", async () => {
    const { probot } = await auditProbotWithLog();
    const github = new GitHubMock().token().config(EVALUATE);
    const audit = new AuditMock(github);
    const sha = "d".repeat(40);
    audit.commitPulls(sha, []);
    github.listCheckRuns(sha).createCheckRun();

    await probot.receive(mainPushEvent([{ sha, message: "Quick fix, no time for a PR" }], { pusher: "dev-mallory" }));

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(github.requests.filter((request) => !request.startsWith("GET ") && !request.includes("access_tokens"))).toStrictEqual(["POST /repos/acme/payments/check-runs"]);
    const run = github.lastWrite();
    expect(run).toMatchObject({ name: "Hotfix Guard: direct push", head_sha: sha, conclusion: "neutral" });
    expect(run.output.title).toBe("Evaluate mode: enforce would open an issue: Direct push to main outside any pull request: ddddddd");
  });
});

describe("a protection change of the production branch in evaluate mode", () => {
  it("opens no protection log issue and writes nothing", async () => {
    const { probot } = await auditProbotWithLog();
    const github = new GitHubMock().token().config(EVALUATE);
    const audit = new AuditMock(github);
    audit.listIssues("hotfix:audit-pending");

    await probot.receive(protectionRuleEvent("deleted", "main"));

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(github.requests.filter((request) => !request.startsWith("GET ") && !request.includes("access_tokens"))).toStrictEqual([]);
  });
});
