/**
 * `hotfix-guard audit` against nock: it lists the hotfixes merged in the period, audits each with
 * the app's own code, and only ever reads. Each test ends with no pending mock, so it made
 * exactly the requests it set up, and with every request a GET.
 */
import { describe, expect, it } from "vitest";
import { auditCommand, parseSince } from "../../src/cli/audit.js";
import type { AuditReport } from "../../src/cli/audit-report.js";
import { runCli } from "../../src/cli/cli.js";
import { readOnlyOctokit, WriteRefusedError } from "../../src/cli/github-client.js";
import { recordBlock } from "../../src/model/records.js";
import { postIncidentMarker } from "../../src/render/post-incident.js";
import { GitHubMock } from "../helpers/app.js";
import { auditRecord, MERGE_SHA, OPENED_AT } from "../helpers/audit-builders.js";
import { mergedPullObject } from "../helpers/audit-fixtures.js";
import { AuditMock, BOT, branchRules, type RunShape } from "../helpers/audit-mocks.js";
import { COMPLETE_BODY, HEAD_SHA, NOW } from "../helpers/builders.js";
import { pullRequestObject, type PullRequestShape } from "../helpers/fixtures.js";
import { MAIN_BEFORE, reminderBody, reminderState } from "../helpers/merge-back-fixtures.js";
import { MergeBackMock } from "../helpers/merge-back-mocks.js";
import { captureIo } from "./cli-io.js";

const REPO = "/repos/acme/payments";
const TOKEN = { GITHUB_TOKEN: "ghp_test" };
/** The bypass hotfix #43: its head and merge commits. */
const HEAD_43 = "4".repeat(40);
const MERGE_43 = "3".repeat(40);
const CHECKS_PASSED: RunShape[] = [
  { name: "ci", conclusion: "success", completedAt: "2026-11-23T14:35:00Z" },
  { name: "Hotfix Guard", conclusion: "success", completedAt: "2026-11-23T14:41:00Z" },
];

/** A pull request as `GET /pulls?state=closed` lists it. */
function listed(shape: PullRequestShape & { number: number }, times: { created: string; merged: string | null; updated: string }): Record<string, unknown> {
  return {
    ...pullRequestObject(shape),
    state: "closed",
    html_url: `https://github.com/acme/payments/pull/${shape.number}`,
    created_at: times.created,
    merged_at: times.merged,
    closed_at: times.merged ?? times.updated,
    updated_at: times.updated,
  };
}

/** The closed pull requests into main, most recently updated first, as GitHub lists them. */
const CLOSED_INTO_MAIN = [
  listed({ number: 42 }, { created: OPENED_AT, merged: "2026-11-23T14:50:00Z", updated: "2026-11-23T14:55:00Z" }),
  listed({ number: 43, headRef: "hotfix/v1.4.4-round-totals", headSha: HEAD_43, title: "hotfix(payments): round totals, cc @finance" }, { created: "2026-11-20T09:00:00Z", merged: "2026-11-20T10:00:00Z", updated: "2026-11-22T08:00:00Z" }),
  listed({ number: 44, headRef: "release/1.5", title: "Release 1.5" }, { created: "2026-11-09T09:00:00Z", merged: "2026-11-10T10:00:00Z", updated: "2026-11-10T10:00:00Z" }),
  listed({ number: 45, headRef: "hotfix/v1.4.3-abandoned" }, { created: "2026-11-04T09:00:00Z", merged: null, updated: "2026-11-05T10:00:00Z" }),
  listed({ number: 40, headRef: "hotfix/v1.4.2-old-fix" }, { created: "2026-09-30T09:00:00Z", merged: "2026-10-01T10:00:00Z", updated: "2026-11-01T10:00:00Z" }),
  listed({ number: 39, headRef: "hotfix/v1.4.1-older-fix" }, { created: "2026-09-20T09:00:00Z", merged: "2026-09-21T10:00:00Z", updated: "2026-10-01T10:00:00Z" }),
];

function repository(github: GitHubMock): void {
  github.scope.get(REPO).reply(200, { full_name: "acme/payments", default_branch: "main" });
}

/**
 * The closed pull requests into main, on one page. The full list links a next page that is never
 * mocked: its last pull request was updated before the period, so the listing must stop there.
 */
function closedIntoMain(github: GitHubMock, pulls: Record<string, unknown>[] = CLOSED_INTO_MAIN): void {
  const nextPage: Record<string, string> = pulls === CLOSED_INTO_MAIN ? { link: `<https://api.github.com${REPO}/pulls?state=closed&base=main&page=2>; rel="next"` } : {};
  github.scope
    .get(`${REPO}/pulls`)
    .query((query) => query.state === "closed" && query.base === "main" && query.sort === "updated" && query.direction === "desc")
    .reply(200, pulls, nextPage);
}

/** #42: approved by senior-bob, CI passed, develop still lacks the fix, its post-incident review is open. */
function compliantHotfix(github: GitHubMock, audit: AuditMock, mergeBack: MergeBackMock): void {
  audit.pull({ ...mergedPullObject(), html_url: "https://github.com/acme/payments/pull/42" }).listComments(42);
  github.reviews([{ reviewer: "senior-bob", state: "APPROVED", commitId: HEAD_SHA, submittedAt: "2026-11-23T14:40:00Z" }]);
  github.files([{ filename: "src/payments/charge.ts" }, { filename: "src/payments/charge.test.ts" }]).tags(["v1.4.2"]).permission("senior-bob", "write");
  audit.rules(branchRules(1, ["ci", "Hotfix Guard"])).protection(404).checkRuns(HEAD_SHA, CHECKS_PASSED).listIssues("hotfix:protection-log").ruleSuites(403);
  mergeBack.mergeCommit(MERGE_SHA, [MAIN_BEFORE, HEAD_SHA]).pullCommits(42, [{ sha: HEAD_SHA }]).branches("release/", []).compare("develop", HEAD_SHA, "diverged").closedPulls().commitsOf("develop");
}

/** #43: merged by its author with no test, no approval and CI failing, no justification; develop and release/1.5 have it. */
function bypassHotfix(github: GitHubMock, audit: AuditMock, mergeBack: MergeBackMock): void {
  const pr = mergedPullObject(
    { number: 43, headRef: "hotfix/v1.4.4-round-totals", headSha: HEAD_43, title: "hotfix(payments): round totals, cc @finance", body: COMPLETE_BODY },
    { mergedAt: "2026-11-20T10:00:00Z", mergeSha: MERGE_43, mergedBy: "dev-alice" },
  );
  audit.pull({ ...pr, created_at: "2026-11-20T09:00:00Z" }).listComments(43);
  github.reviews([], 43).files([{ filename: "src/payments/totals.ts" }], 43).tags(["v1.4.2", "v1.4.3"]);
  audit.rules(branchRules(1, ["ci", "Hotfix Guard"])).protection(404).listIssues("hotfix:protection-log").ruleSuites(403);
  audit.checkRuns(HEAD_43, [{ name: "ci", conclusion: "failure", completedAt: "2026-11-20T09:30:00Z" }]).statuses(HEAD_43, []);
  mergeBack.mergeCommit(MERGE_43, [MAIN_BEFORE, HEAD_43]).pullCommits(43, [{ sha: HEAD_43 }]).branches("release/", ["release/1.5"]).compare("main", "release/1.5", "ahead");
  mergeBack.compare("develop", HEAD_43, "behind").compare("release/1.5", HEAD_43, "identical");
}

/** Both hotfixes, the repository, its (default) configuration and the post-incident issues. */
function twoHotfixes(): GitHubMock {
  const github = new GitHubMock();
  const audit = new AuditMock(github);
  const mergeBack = new MergeBackMock(github);
  repository(github);
  github.config(null);
  closedIntoMain(github);
  audit
    .seedIssue({ number: 101, title: "Post-incident review (hotfix #42)", body: `review\n${postIncidentMarker(42)}`, labels: ["hotfix:post-incident"] })
    .seedIssue({ number: 102, title: "Post-incident review (hotfix #43)", body: `review\n${postIncidentMarker(43)}`, labels: ["hotfix:post-incident"], state: "closed" })
    .seedIssue({ number: 103, title: "Planted", body: postIncidentMarker(43), labels: ["hotfix:post-incident"], author: "mallory" })
    .listIssues("hotfix:post-incident");
  mergeBack.listReminders("all");
  compliantHotfix(github, audit, mergeBack);
  bypassHotfix(github, audit, mergeBack);
  return github;
}

/** The repository, its (default) configuration and hotfix #42 alone in the listing, no post-incident issue, and the app's reminders (seeded by `reminders`). */
function hotfix42Only(reminders: (mergeBack: MergeBackMock) => MergeBackMock = (mergeBack) => mergeBack): { github: GitHubMock; audit: AuditMock; mergeBack: MergeBackMock } {
  const github = new GitHubMock();
  const audit = new AuditMock(github);
  const mergeBack = new MergeBackMock(github);
  repository(github);
  github.config(null);
  closedIntoMain(github, [CLOSED_INTO_MAIN[0] as Record<string, unknown>]);
  audit.listIssues("hotfix:post-incident");
  reminders(mergeBack).listReminders("all");
  return { github, audit, mergeBack };
}

async function audit(args: string[], options: { env?: Record<string, string>; tty?: boolean } = {}) {
  const captured = captureIo([...args, "--now", NOW.toISOString()], { env: options.env ?? TOKEN, ...(options.tty ? { tty: true } : {}) });
  const code = await auditCommand(captured.io);
  return { code, ...captured };
}

function expectOnlyReads(github: GitHubMock): void {
  expect(github.scope.pendingMocks()).toStrictEqual([]);
  expect(github.requests.filter((request) => !request.startsWith("GET "))).toStrictEqual([]);
}

describe("audit of the last 30 days", () => {
  it("reports each merged hotfix as JSON: verdict, what was bypassed, justification, merge-back and post-incident", async () => {
    const github = twoHotfixes();

    const { code, stdout, stderr } = await audit(["acme/payments", "--since", "30d", "--json"]);

    expect(stderr.text).toBe("");
    expect(code).toBe(0);
    expectOnlyReads(github);
    const report = JSON.parse(stdout.text) as AuditReport;
    expect(report).toMatchObject({ repository: "acme/payments", production: "main", since: "2026-10-24T15:00:00.000Z", until: NOW.toISOString(), configuration: [], failures: [], otherMerged: 1 });
    expect(report.hotfixes.map((hotfix) => hotfix.number)).toStrictEqual([42, 43]);
    const [compliant, bypass] = report.hotfixes;
    expect(compliant).toMatchObject({
      verdict: "compliant",
      unmet: [],
      justification: { status: "not-needed" },
      mergeBack: { status: "checked", targets: [{ target: "develop", status: "missing" }] },
      postIncident: { status: "open", issue: 101, due: "2026-11-25T14:50:00.000Z", overdue: false },
      judgedFrom: "now",
      mergedBy: "sre-admin",
    });
    expect(bypass).toMatchObject({
      verdict: "bypass",
      justification: { status: "none" },
      mergeBack: {
        status: "checked",
        targets: [
          { target: "develop", status: "done", via: `head commit ${HEAD_43.slice(0, 7)} in its history` },
          { target: "release/1.5", status: "done", via: `head commit ${HEAD_43.slice(0, 7)} in its history` },
        ],
      },
      postIncident: { status: "closed", issue: 102 },
    });
    expect(bypass?.unmet.map((requirement) => requirement.title)).toStrictEqual([
      "Test included",
      "Approvals",
      "GitHub: required approving reviews",
      "GitHub: required check `ci`",
      "GitHub: required check `Hotfix Guard`",
    ]);
  });

  it("prints a table after a progress bar on a terminal", async () => {
    const github = twoHotfixes();

    const { code, stdout, stderr } = await audit(["acme/payments", "--since", "2026-10-24"], { tty: true });

    expect(code).toBe(0);
    expectOnlyReads(github);
    expect(stderr.text).toContain("] 0/2 #42 hotfix(payments): default the currency code");
    expect(stderr.text).toContain("] 1/2 #43 hotfix(payments): round totals, cc @finance");
    expect(stderr.text.endsWith("\r\x1b[2K")).toBe(true);
    expect(stdout.text).toContain(
      "acme/payments: 2 hotfixes merged into main from 2026-10-24 00:00 UTC to 2026-11-23 15:00 UTC: 1 compliant, 1 bypass (0 justified). 1 other pull request merged into main in the period was not a hotfix.",
    );
    expect(stdout.text).toMatch(/^Pull request +Merged +Verdict +Justification +Merge-back +Post-incident$/m);
    expect(stdout.text).toMatch(/^#42 hotfix\(payments\): +2026-11-23 14:50 UTC +compliant +not needed +develop: missing +open #101, due$/m);
    expect(stdout.text).toMatch(/^#43 hotfix\(payments\): +2026-11-20 10:00 UTC +bypass: Test included; +none +develop: done via head +closed #102$/m);
    expect(stdout.text).toContain("Note: #42, #43 had no audit record of the app");
  });

  it("prints Markdown with links, user text quoted so that it cannot mention anyone", async () => {
    const github = twoHotfixes();

    const { code, stdout } = await audit(["acme/payments", "--since", "720h", "--markdown"]);

    expect(code).toBe(0);
    expectOnlyReads(github);
    expect(stdout.text).toContain("## Hotfix audit: acme/payments");
    expect(stdout.text).not.toContain("@finance");
    expect(stdout.text).toContain("| Pull request | Merged | Verdict | Justification | Merge-back | Post-incident |");
    expect(stdout.text).toContain(
      "| [#43](https://github.com/acme/payments/pull/43) hotfix(payments): round totals, cc @\u200bfinance | 2026-11-20 10:00 UTC | bypass: Test included; Approvals; GitHub: required approving reviews; GitHub: required check `ci`; GitHub: required check `Hotfix Guard` | none | develop: done via head commit 4444444 in its history<br>release/1.5: done via head commit 4444444 in its history | closed #102 |",
    );
  });

  it("shows who skipped a merge-back target and why, as the app's reminder records it", async () => {
    const skip = { by: "admin-carol", reason: "develop replaced the currency module", at: "2026-11-23T15:30:00Z" };
    const { github, audit, mergeBack } = hotfix42Only((mb) => mb.seedIssue({ number: 7, body: reminderBody(reminderState([{ target: "develop", status: "skipped", skip }])) }));
    compliantHotfix(github, audit, mergeBack);

    const { code, stdout } = await auditCommandJson(["acme/payments", "--since", "1w"]);

    expect(code).toBe(0);
    expectOnlyReads(github);
    expect(stdout.hotfixes[0]?.mergeBack).toStrictEqual({ status: "checked", targets: [{ target: "develop", status: "skipped", via: "by @admin-carol: develop replaced the currency module" }] });
  });

  it("takes the requirements from the app's own audit record, as the app does", async () => {
    const { github, audit, mergeBack } = hotfix42Only();
    const record = auditRecord(MERGE_SHA, {
      auditedAt: "2026-11-23T14:51:00Z",
      requirements: [{ source: "github", title: "GitHub: required check `ci`", required: "passing on the head commit at the merge", present: "failure", status: "unmet" }],
    });
    audit.seedComment({ id: 7, author: BOT, body: `audit\n<!-- hotfix-guard:audit pr=42 -->\n${recordBlock(record)}`, createdAt: "2026-11-23T14:51:00Z" });
    audit.pull(mergedPullObject()).listComments(42);
    github.reviews([{ reviewer: "senior-bob", state: "APPROVED", commitId: HEAD_SHA, submittedAt: "2026-11-23T14:40:00Z" }]);
    mergeBack.mergeCommit(MERGE_SHA, [MAIN_BEFORE, HEAD_SHA]).pullCommits(42, [{ sha: HEAD_SHA }]).branches("release/", []).compare("develop", HEAD_SHA, "behind");

    const { code, stdout } = await auditCommandJson(["acme/payments", "--since", "1w"]);

    expect(code).toBe(0);
    expectOnlyReads(github);
    expect(stdout.hotfixes[0]).toMatchObject({ verdict: "bypass", judgedFrom: "app-record", unmet: [{ title: "GitHub: required check `ci`" }], postIncident: { status: "none" } });
  });
});

async function auditCommandJson(args: string[]): Promise<{ code: number; stdout: AuditReport }> {
  const { code, stdout } = await audit([...args, "--json"]);
  return { code, stdout: JSON.parse(stdout.text) as AuditReport };
}

describe("the audit's GitHub client", () => {
  it("refuses any request but GET before it leaves", async () => {
    const github = new GitHubMock();
    const octokit = readOnlyOctokit({ token: "ghp_test", notify: () => undefined });

    await expect(octokit.rest.issues.createComment({ owner: "acme", repo: "payments", issue_number: 42, body: "x" })).rejects.toThrow(WriteRefusedError);
    expect(github.requests).toStrictEqual([]);
  });
});

describe("audit errors", () => {
  it("says that a refused token was refused (exit 1)", async () => {
    const github = new GitHubMock();
    github.scope.get(REPO).reply(401, { message: "Bad credentials", documentation_url: "https://docs.github.com/rest" });

    const { code, stdout, stderr } = await audit(["acme/payments", "--since", "30d"]);

    expect(code).toBe(1);
    expectOnlyReads(github);
    expect(stdout.text).toBe("");
    expect(stderr.text).toBe("hotfix-guard audit: the token was refused (bad or expired). Check --token or GITHUB_TOKEN, or create a new token that can read the repository.\n");
  });

  it("says that a repository it cannot see may not exist (exit 1)", async () => {
    const github = new GitHubMock();
    github.scope.get("/repos/acme/missing").reply(404, { message: "Not Found" });

    const { code, stderr } = await audit(["acme/missing", "--since", "30d", "--token", "ghp_other"], { env: {} });

    expect(code).toBe(1);
    expectOnlyReads(github);
    expect(stderr.text).toContain("hotfix-guard audit: acme/missing not found, or the token cannot see it.");
  });

  it("waits out a rate limit and says so", async () => {
    const github = new GitHubMock();
    github.scope.get(REPO).reply(403, { message: "API rate limit exceeded" }, { "x-ratelimit-remaining": "0", "x-ratelimit-reset": "0" });
    repository(github);
    github.config(null);
    closedIntoMain(github, []);

    const { code, stdout, stderr } = await audit(["acme/payments", "--since", "30d"]);

    expect(code).toBe(0);
    expectOnlyReads(github);
    expect(stderr.text).toBe("rate limited by GitHub, waiting 0 s before retrying GET /repos/{owner}/{repo}\n");
    expect(stdout.text).toContain("acme/payments: 0 hotfixes merged into main");
  });

  it("refuses to audit under an invalid configuration, listing its problems (exit 1)", async () => {
    const github = new GitHubMock();
    repository(github);
    github.config("approvals:\n  required: 25\n");

    const { code, stderr } = await audit(["acme/payments", "--since", "30d"]);

    expect(code).toBe(1);
    expectOnlyReads(github);
    expect(stderr.text).toContain("the Hotfix Guard configuration of acme/payments is invalid");
    expect(stderr.text).toMatch(/^acme\/payments:\.github\/hotfix-guard\.yml +approvals\.required +at most 20 +25$/m);
  });

  it("reports a hotfix it could not audit and goes on (exit 1)", async () => {
    const github = new GitHubMock();
    const audit403 = new AuditMock(github);
    repository(github);
    github.config(null);
    closedIntoMain(github, [CLOSED_INTO_MAIN[0] as Record<string, unknown>]);
    audit403.listIssues("hotfix:post-incident");
    new MergeBackMock(github).listReminders("all");
    github.scope.get(`${REPO}/pulls/42`).reply(403, { message: "Resource not accessible by personal access token" });

    const { code, stdout } = await auditCommandJson(["acme/payments", "--since", "30d"]);

    expect(code).toBe(1);
    expectOnlyReads(github);
    expect(stdout.failures).toStrictEqual([
      {
        number: 42,
        title: "hotfix(payments): default the currency code",
        url: "https://github.com/acme/payments/pull/42",
        mergedAt: "2026-11-23T14:50:00Z",
        error:
          "GitHub refused GET /repos/acme/payments/pulls/42 (HTTP 403: Resource not accessible by personal access token): the token lacks a permission the audit needs (read access to contents, pull requests, issues and metadata).",
      },
    ]);
  });

  it.each([
    [["audit", "acme/payments", "--since", "30d"], {}, "no token: set GITHUB_TOKEN"],
    [["audit", "acme/payments"], TOKEN, "--since is required"],
    [["audit", "--since", "30d"], TOKEN, "give one repository as owner/name"],
    [["audit", "acme/payments", "--since", "a month"], TOKEN, "--since must be a period such as 30d, 2w or 720h"],
    [["audit", "acme/payments", "--since", "30d", "--json", "--markdown"], TOKEN, "choose one output"],
  ])("rejects %j with exit 2: %s", async (args, env, message) => {
    const { io, stderr } = captureIo([], { env });

    expect(await runCli(args, io)).toBe(2);
    expect(stderr.text).toContain(message);
  });
});

describe("the period", () => {
  it.each([
    ["30d", "2026-10-24T15:00:00.000Z"],
    ["2w", "2026-11-09T15:00:00.000Z"],
    ["720h", "2026-10-24T15:00:00.000Z"],
    ["2026-11-01", "2026-11-01T00:00:00.000Z"],
    ["2026-11-01T12:00:00Z", "2026-11-01T12:00:00.000Z"],
  ])("starts %s before now at %s", (since, start) => {
    expect(parseSince(since, NOW).toISOString()).toBe(start);
  });

  it.each(["30", "1m", "2026-02-30", "2027-01-01"])("rejects %s", (since) => {
    expect(() => parseSince(since, NOW)).toThrow(/--since/);
  });
});
