/**
 * `hotfix-guard preview` against nock: what the check would say on each open and recently merged
 * hotfix pull request, judged by the app's own pre-merge evaluation, with the repository's
 * configuration or a local file. It only reads: each test ends with no pending mock and with
 * every request a GET.
 */
import { describe, expect, it } from "vitest";
import type { Preview } from "../../src/cli/preview.js";
import { runCli } from "../../src/cli/cli.js";
import { GitHubMock } from "../helpers/app.js";
import { mergedPullObject } from "../helpers/audit-fixtures.js";
import { HEAD_SHA, NOW } from "../helpers/builders.js";
import { pullRequestObject } from "../helpers/fixtures.js";
import { captureIo, workspace } from "./cli-io.js";

const REPO = "/repos/acme/payments";
const TOKEN = { GITHUB_TOKEN: "ghp_test" };
const OPEN_HEAD = "5".repeat(40);
const FILES = [{ filename: "src/payments/charge.ts" }, { filename: "src/payments/charge.test.ts" }];

/** The repository, two open pull requests into main (a hotfix, #50, and a feature), and two closed ones (the merged hotfix #42, an abandoned one). */
function repositoryWithPullRequests(github: GitHubMock): { open: Record<string, unknown> } {
  github.scope.get(REPO).reply(200, { full_name: "acme/payments", default_branch: "main" });
  const open = pullRequestObject({ number: 50, headRef: "hotfix/v1.4.3-null-currency", headSha: OPEN_HEAD, body: "" });
  const feature = pullRequestObject({ number: 51, headRef: "feature/new-checkout", headSha: "6".repeat(40) });
  github.scope
    .get(`${REPO}/pulls`)
    .query((query) => query.state === "open" && query.base === "main")
    .reply(200, [{ ...open, html_url: "https://github.com/acme/payments/pull/50" }, feature]);
  const merged = { ...mergedPullObject(), html_url: "https://github.com/acme/payments/pull/42", created_at: "2026-11-23T13:00:00Z", updated_at: "2026-11-23T14:55:00Z" };
  const abandoned = { ...pullRequestObject({ number: 45, state: "closed", headRef: "hotfix/v1.4.3-abandoned" }), merged_at: null, updated_at: "2026-11-20T10:00:00Z", created_at: "2026-11-19T10:00:00Z" };
  github.scope
    .get(`${REPO}/pulls`)
    .query((query) => query.state === "closed" && query.base === "main")
    .reply(200, [merged, abandoned]);
  return { open };
}

/** The reads of the check of #50 (no description, no review) and of #42 (compliant). */
function checkReads(github: GitHubMock, open: Record<string, unknown>): void {
  github.pull(open).files(FILES, 50).reviews([], 50).reviewRequests([], 50);
  github.pull(mergedPullObject()).files(FILES).reviews([{ reviewer: "senior-bob", state: "APPROVED", commitId: HEAD_SHA, submittedAt: "2026-11-23T14:40:00Z" }]).permission("senior-bob", "write");
  github.tags(["v1.4.2"]).tags(["v1.4.2"]);
}

async function preview(args: string[], options: { cwd?: string } = {}) {
  const captured = captureIo(["preview", ...args, "--now", NOW.toISOString()], { env: TOKEN, ...(options.cwd ? { cwd: options.cwd } : {}) });
  const { io, ...streams } = captured;
  const code = await runCli(io.argv, io);
  return { code, ...streams };
}

function expectOnlyReads(github: GitHubMock): void {
  expect(github.scope.pendingMocks()).toStrictEqual([]);
  expect(github.requests.filter((request) => !request.startsWith("GET "))).toStrictEqual([]);
}

describe("hotfix-guard preview", () => {
  it("prints what the check would say on each open and recently merged hotfix, reading only", async () => {
    const github = new GitHubMock().config("mode: evaluate\n");
    const { open } = repositoryWithPullRequests(github);
    checkReads(github, open);

    const { code, stdout, stderr } = await preview(["acme/payments"]);

    expect(stderr.text).toBe("");
    expect(code).toBe(0);
    expectOnlyReads(github);
    expect(stdout.text).toContain("acme/payments: the \"Hotfix Guard\" check on 1 open hotfix pull request(s) into main and 1 merged since 2026-10-24.");
    expect(stdout.text).toContain("Configuration: acme/payments:.github/hotfix-guard.yml; mode: evaluate.");
    expect(stdout.text).toMatch(/#50 \(open\) hotfix\/v1\.4\.3-null-currency at 5555555: .*\n {2}neutral: Evaluate mode: enforce would fail: /);
    expect(stdout.text).toMatch(/#42 \(merged\) hotfix\/v1\.4\.3-default-currency at [0-9a-f]{7}: .*\n {2}neutral: Evaluate mode: enforce would pass: Hotfix policy met/);
    expect(stdout.text).not.toContain("#51");
    expect(stdout.text).not.toContain("#45");
    expect(stdout.text).toContain("In enforce mode, 1 of 2 would fail the check.");
  });

  it("judges with a local file given with --config, under the organisation floor, and prints JSON", async () => {
    const dir = await workspace({ "proposed.yml": "approvals:\n  required: 2\n" });
    const github = new GitHubMock().orgConfig("floor:\n  approvals:\n    required: 3\n");
    const { open } = repositoryWithPullRequests(github);
    checkReads(github, open);
    github.reviewRequests([], 42);

    const { code, stdout } = await preview(["acme/payments", "--config", "proposed.yml", "--since", "2w", "--json"], { cwd: dir });

    expect(code).toBe(0);
    expectOnlyReads(github);
    const result = JSON.parse(stdout.text) as Preview;
    expect(result.configuration).toStrictEqual(["proposed.yml"]);
    expect(result.mode).toBe("enforce");
    expect(result.floor).toBe("acme/.github:.github/hotfix-guard.yml");
    expect(result.floorProblems.map((problem) => [problem.file, problem.path, problem.found])).toStrictEqual([["proposed.yml", "approvals.required", "2"]]);
    expect(result.pullRequests.map((pr) => [pr.number, pr.state, pr.conclusion])).toStrictEqual([
      [50, "open", "failure"],
      [42, "merged", "failure"],
    ]);
    expect(result.pullRequests[1]?.findings.find((finding) => finding.rule === "approvals")?.status).toBe("fail");
  });

  it("says the configuration is invalid, and exits 1", async () => {
    const github = new GitHubMock().config("scope:\n  level: block\n");
    github.scope.get(REPO).reply(200, { full_name: "acme/payments", default_branch: "main" });

    const { code, stderr } = await preview(["acme/payments"]);

    expect(code).toBe(1);
    expectOnlyReads(github);
    expect(stderr.text).toContain("scope.level");
  });
});
