/**
 * Which feature is off for want of which permission: the pure rule, then what a team sees — the
 * configuration check's warning rows, the main check's configuration line, the audit's "GitHub's
 * record" line (with no rule-suites request made) — and a permission accepted later taking effect.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { resolveConfig } from "../../src/config/load.js";
import { registerConfigPushHandler } from "../../src/handlers/config-push.js";
import { registerInstallationHandlers } from "../../src/handlers/installation.js";
import { missingPermissions } from "../../src/rules/permissions.js";
import { HEAD_SHA } from "../helpers/builders.js";
import { ALL_PERMISSIONS, APP_ID, GitHubMock, probotWith, testProbot } from "../helpers/app.js";
import { MergeBackMock } from "../helpers/merge-back-mocks.js";
import { mergedHotfixEvent, mergedPullObject } from "../helpers/audit-fixtures.js";
import { AuditMock, auditProbot, branchRules } from "../helpers/audit-mocks.js";
import { checkRunRerequestedEvent, pullRequestEvent, pullRequestObject, pushEvent } from "../helpers/fixtures.js";

/** What app.yml asks for: least privilege, none of the opt-in permissions. */
const APP_YML = (parse(readFileSync(new URL("../../app.yml", import.meta.url), "utf8")) as { default_permissions: Record<string, string> }).default_permissions;
const AFTER = "c".repeat(40);

function configOf(yaml: Record<string, unknown>) {
  const result = resolveConfig([{ location: "acme/payments:.github/hotfix-guard.yml", config: yaml }]);
  if (!result.ok) throw new Error("invalid test configuration");
  return result.policy.config;
}

describe("missingPermissions", () => {
  it("app.yml asks for least privilege: none of the opt-in permissions", () => {
    expect(APP_YML).toMatchObject({ administration: "read", pull_requests: "read", contents: "read" });
  });

  it.each([
    { name: "app.yml's permissions, defaults: only GitHub's rule-suite record is off", config: {}, granted: APP_YML, off: [["Administration", "write", null, "read"]] },
    { name: "every permission: nothing is off", config: { merge_back: { open_pull_requests: true, delete_hotfix_branch: true } }, granted: ALL_PERMISSIONS, off: [] },
    {
      name: "back-merge pull requests without Pull requests and Contents write",
      config: { merge_back: { open_pull_requests: true } },
      granted: { ...APP_YML, administration: "write" },
      off: [
        ["Pull requests", "write", "merge_back.open_pull_requests", "read"],
        ["Contents", "write", "merge_back.open_pull_requests", "read"],
      ],
    },
    { name: "branch deletion without Contents write", config: { merge_back: { delete_hotfix_branch: true } }, granted: { ...APP_YML, administration: "write" }, off: [["Contents", "write", "merge_back.delete_hotfix_branch", "read"]] },
    {
      name: "teams without Members read",
      config: { approvals: { reviewers: { teams: ["seniors"] } } },
      granted: { ...ALL_PERMISSIONS, members: "none" },
      off: [["Members (organisation)", "read", "approvals.reviewers.teams, bypass.authorizers.teams, audit.notify.teams", "none"]],
    },
    { name: "no teams configured: Members is not needed, and an admin level satisfies write", config: {}, granted: { checks: "write", administration: "admin" }, off: [] },
  ])("$name", ({ config, granted, off }) => {
    const gaps = missingPermissions(configOf(config), granted);

    expect(gaps.map((gap) => [gap.permission, gap.level, gap.setting, gap.granted])).toStrictEqual(off);
  });
});

describe("the configuration check", () => {
  it("shows a warning row for each feature off for want of a permission, and stays successful", async () => {
    const probot = await probotWith(registerConfigPushHandler);
    const github = new GitHubMock().token(APP_YML).config("merge_back:\n  open_pull_requests: true\n  delete_hotfix_branch: true\n").listCheckRuns(AFTER).createCheckRun();

    await probot.receive(pushEvent("main", { modified: [".github/hotfix-guard.yml"] }, AFTER));

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    const run = github.lastWrite();
    expect(run).toMatchObject({ name: "Hotfix Guard: configuration", conclusion: "success", output: { title: "Configuration valid; 4 features off for want of a permission" } });
    expect(run.output.summary).toContain("| ⚠️ | GitHub's record of ruleset bypasses in the merge audit (the rule-suites API) | always on | Administration write (granted: read) |");
    expect(run.output.summary).toContain("| ⚠️ | opening back-merge pull requests | `merge_back.open_pull_requests` | Pull requests write (granted: read) |");
    expect(run.output.summary).toContain("| ⚠️ | deleting the hotfix branch once every target has the fix | `merge_back.delete_hotfix_branch` | Contents write (granted: read) |");
  });

  it("takes a permission accepted later into account at once (installation.new_permissions_accepted)", async () => {
    const probot = await probotWith((app, services) => {
      registerConfigPushHandler(app, services);
      registerInstallationHandlers(app, services);
    });
    const github = new GitHubMock().token(APP_YML).config(null).listCheckRuns(AFTER).createCheckRun();
    await probot.receive(pushEvent("main", { modified: [".github/hotfix-guard.yml"] }, AFTER));
    expect(github.lastWrite().output.title).toBe("Configuration valid; 1 feature off for want of a permission");

    github.scope.post("/app/installations/1/access_tokens").reply(201, { token: "ghs_new", expires_at: "2099-01-01T00:00:00Z", permissions: ALL_PERMISSIONS });
    await probot.receive({
      id: "delivery-permissions",
      name: "installation",
      payload: { action: "new_permissions_accepted", installation: { id: 1, account: { login: "acme", id: 4242 }, permissions: ALL_PERMISSIONS }, sender: { login: "owner", id: 1, type: "User" } },
    } as never);
    const next = "e".repeat(40);
    github.config(null).listCheckRuns(next).createCheckRun();
    await probot.receive(pushEvent("main", { modified: [".github/hotfix-guard.yml"] }, next));

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(github.lastWrite()).toMatchObject({ head_sha: next, output: { title: "Configuration valid" } });
  });
});

describe("the main check's configuration line", () => {
  it("names the configured feature a missing permission switches off", async () => {
    const probot = await testProbot();
    const github = new GitHubMock()
      .token(APP_YML)
      .config("merge_back:\n  open_pull_requests: true\n")
      .pull(pullRequestObject({ headRef: "release/2.0" }))
      .listCheckRuns(HEAD_SHA)
      .createCheckRun();
    new MergeBackMock(github).listReminders("open");

    await probot.receive(pullRequestEvent("opened", { headRef: "release/2.0" }));

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    const { summary } = github.lastWrite().output;
    expect(summary).toContain(
      "⚠️ `merge_back.open_pull_requests` (opening back-merge pull requests) is off: the installation lacks Pull requests write; `merge_back.open_pull_requests` (creating a backport branch for a back-merge pull request when the hotfix branch is gone) is off: the installation lacks Contents write. See docs/deploy.md for granting it.",
    );
    expect(summary).not.toContain("Administration");
  });
});

describe("the audit's \"GitHub's record\" line", () => {
  it("says the installation lacks Administration write, without asking the rule-suites API", async () => {
    const { probot } = await auditProbot();
    const github = new GitHubMock().token(APP_YML).config(null).app();
    const audit = new AuditMock(github);
    audit.pull(mergedPullObject({})).listComments();
    github.reviews([{ reviewer: "senior-bob", state: "APPROVED", commitId: HEAD_SHA, submittedAt: "2026-11-23T14:40:00Z" }]).files([{ filename: "src/pay.ts" }, { filename: "src/pay.test.ts" }]).tags(["v1.4.2"]);
    github.permission("senior-bob", "write");
    audit
      .rules(branchRules(1, ["ci", "Hotfix Guard"]))
      .protection(404)
      .checkRuns(HEAD_SHA, [
        { name: "ci", conclusion: "success", completedAt: "2026-11-23T14:35:00Z" },
        { name: "Hotfix Guard", conclusion: "success", completedAt: "2026-11-23T14:41:00Z" },
      ])
      .listIssues("hotfix:protection-log");
    audit.listIssues("hotfix:post-incident").tagRef("v1.4.3", null).createIssue();
    audit.addLabels().createComment().listIssues("hotfix:audit-pending");

    await probot.receive(mergedHotfixEvent());

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(github.requests.some((request) => request.includes("rule-suites"))).toBe(false);
    expect(audit.auditComment()).toContain(
      "**GitHub's record:** not read: the installation lacks Administration write, which Hotfix Guard does not request by default; see docs/deploy.md.",
    );
  });
});

describe("a valid configuration naming another owner's audit repository", () => {
  it("is a configuration problem row, like other configuration errors", async () => {
    const probot = await probotWith(registerConfigPushHandler);
    const github = new GitHubMock().token().listCheckRuns(AFTER).createCheckRun();
    github.config("audit:\n  repository: evil/collector\n");

    await probot.receive(pushEvent("main", { modified: [".github/hotfix-guard.yml"] }, AFTER));

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(github.lastWrite()).toMatchObject({ conclusion: "failure", output: { title: "Hotfix Guard: invalid configuration" } });
    expect(github.lastWrite().output.summary).toContain(
      '| `acme/payments:.github/hotfix-guard.yml` | `audit.repository` | a repository of `acme`, the owner of this repository (audit issues never go to another owner\'s repository) | "evil/collector" |',
    );
  });

  it("accepts an audit repository of the same owner, whatever its case", async () => {
    const probot = await probotWith(registerConfigPushHandler);
    const github = new GitHubMock().token().config("audit:\n  repository: ACME/hotfix-audit\n").listCheckRuns(AFTER).createCheckRun();

    await probot.receive(pushEvent("main", { modified: [".github/hotfix-guard.yml"] }, AFTER));

    expect(github.lastWrite()).toMatchObject({ conclusion: "success" });
  });
});

describe("a delivery whose installation does not own the repository", () => {
  it("is refused: nothing is read or written, and the installation is looked up once per process", async () => {
    const probot = await testProbot();
    const github = new GitHubMock().installation("someone-else");

    await probot.receive(pullRequestEvent("opened"));
    await probot.receive(pullRequestEvent("synchronize"));
    await probot.receive(checkRunRerequestedEvent("Hotfix Guard", APP_ID, { number: 42, baseRef: "main", headSha: HEAD_SHA }));

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(github.requests).toStrictEqual(["GET /app/installations/1"]);
    expect(github.writes).toStrictEqual([]);
  });

  it("of the same account is handled as usual", async () => {
    const probot = await testProbot();
    const github = new GitHubMock().installation("ACME").token().config(null).pull(pullRequestObject({ headRef: "release/2.0" })).listCheckRuns(HEAD_SHA).createCheckRun();
    new MergeBackMock(github).listReminders("open");

    await probot.receive(pullRequestEvent("opened", { headRef: "release/2.0" }));

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(github.lastWrite()).toMatchObject({ conclusion: "success", output: { title: "Not a hotfix" } });
  });
});

