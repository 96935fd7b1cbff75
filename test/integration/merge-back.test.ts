/**
 * Merge-back tracking through `probot.receive`, GitHub served by nock: the reminder a merged
 * hotfix gets (or the note when it needs none), how later pushes and merges tick it off and close
 * it, the escalation, the back-merge pull requests, and that nothing is written twice.
 */
import { describe, expect, it } from "vitest";
import { HEAD_SHA, NOW } from "../helpers/builders.js";
import { GitHubMock, testProbot } from "../helpers/app.js";
import { HOTFIX_CHANGE, MergeBackMock, mergeBackProbot } from "../helpers/merge-back-mocks.js";
import {
  HOTFIX_BRANCH,
  MAIN_BEFORE,
  MERGE_SHA,
  branchPushEvent,
  closedUnmergedEvent,
  hoursAfterNow,
  mergedPullRequestEvent,
  reminderBody,
  reminderState,
} from "../helpers/merge-back-fixtures.js";
import { MERGE_BACK_RECHECK, RELEASE_RECHECK, runMergeBackRecheck } from "../../src/handlers/merge-back.js";
import type { Scheduler } from "../../src/handlers/services.js";
import type { Row } from "../../src/model/merge-back.js";

const SHORT_HEAD = HEAD_SHA.slice(0, 7);
const SHORT_MERGE = MERGE_SHA.slice(0, 7);

/** GitHub with the installation token and a configuration file (or none), plus the merge-back endpoints. */
function setUp(config: string | null = null): { github: GitHubMock; mb: MergeBackMock } {
  const github = new GitHubMock().token().config(config);
  return { github, mb: new MergeBackMock(github) };
}

/** The reads that start tracking a merged hotfix: no reminder yet, the merge commit, the hotfix's commits. */
function mergedHotfix(mb: MergeBackMock, method: "merge" | "squash"): MergeBackMock {
  return mb
    .listReminders("all")
    .mergeCommit(MERGE_SHA, method === "merge" ? [MAIN_BEFORE, HEAD_SHA] : [MAIN_BEFORE])
    .pullCommits(42, [{ sha: HEAD_SHA }]);
}

/** Seeds reminder #7, opened earlier by the app for hotfix #42. */
function seedReminder(mb: MergeBackMock, rows: Row[], hotfix: Parameters<typeof reminderState>[2] = {}): MergeBackMock {
  return mb.seedIssue({ number: 7, title: "Back-merge hotfix #42", body: reminderBody(reminderState(rows, {}, hotfix)) });
}

/** Reminder #7 of the squash-merged hotfix #42, develop missing, and the reads that find neither of its commits in develop. */
function squashedMissingFromDevelop(mb: MergeBackMock): MergeBackMock {
  return seedReminder(mb, [{ target: "develop", status: "missing" }], { method: "squash-or-rebase" })
    .listReminders("open")
    .compare("develop", MERGE_SHA, "diverged")
    .compare("develop", HEAD_SHA, "diverged");
}

describe("a hotfix merged into production", () => {
  it("gets a note instead of a reminder when every target has it by ancestry of the merge commit", async () => {
    const { probot } = await mergeBackProbot();
    const { github, mb } = setUp();
    mergedHotfix(mb, "merge")
      .branches("release/", ["release/1.2", "release/1.3"])
      .compare("main", "release/1.2", "behind")
      .compare("main", "release/1.3", "diverged")
      .compare("develop", HEAD_SHA, "behind")
      .compare("release/1.3", HEAD_SHA, "identical")
      .listComments(42)
      .comment(42);
    github.branchHead(HOTFIX_BRANCH, HEAD_SHA);

    await probot.receive(mergedPullRequestEvent());

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(mb.createdIssues).toStrictEqual([]);
    expect(mb.comments).toHaveLength(1);
    const note = mb.comments[0]?.body ?? "";
    expect(note).toContain(
      `✅ Merge-back complete: hotfix #42 is already in \`develop\` (the hotfix's head commit \`${SHORT_HEAD}\` is in its history) and \`release/1.3\` (the hotfix's head commit \`${SHORT_HEAD}\` is in its history). No reminder needed.`,
    );
    expect(note).toContain(`\`git push origin --delete ${HOTFIX_BRANCH}\``);
    expect(note).not.toContain("release/1.2");
  });

  it("does not post the note twice when the same delivery arrives again", async () => {
    const { probot } = await mergeBackProbot();
    const { github, mb } = setUp();
    const event = mergedPullRequestEvent();
    for (let delivery = 0; delivery < 2; delivery += 1) {
      mergedHotfix(mb, "merge").branches("release/", []).compare("develop", HEAD_SHA, "behind").listComments(42);
    }
    mb.comment(42);
    github.branchHead(HOTFIX_BRANCH, HEAD_SHA);

    await probot.receive(event);
    await probot.receive(event);

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(mb.comments).toHaveLength(1);
  });

  it("ticks off a target that has the squash commit cherry-picked and opens a reminder for the rest", async () => {
    const { probot } = await mergeBackProbot();
    const { github, mb } = setUp();
    mergedHotfix(mb, "squash")
      .branches("release/", ["release/1.3"])
      .compare("main", "release/1.3", "diverged")
      .compare("develop", MERGE_SHA, "diverged")
      .compare("develop", HEAD_SHA, "diverged")
      .closedPulls([{ number: 44, base: "develop", headRef: "feature/unrelated" }])
      .commitsOf("develop", [{ sha: "c".repeat(40), message: `hotfix(payments): default the currency code\n\n(cherry picked from commit ${MERGE_SHA})` }])
      .compare("release/1.3", MERGE_SHA, "diverged")
      .compare("release/1.3", HEAD_SHA, "diverged")
      .commitsOf("release/1.3")
      .createIssue();

    await probot.receive(mergedPullRequestEvent());

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(mb.createdIssues).toHaveLength(1);
    const issue = mb.issue(100);
    expect(issue.title).toBe("Back-merge hotfix #42 into release/1.3");
    expect(issue.labels).toStrictEqual(["hotfix:merge-back"]);
    expect(issue.assignees).toStrictEqual(["dev-alice"]);
    expect(issue.body.startsWith("<!-- hotfix-guard:merge-back pr=42 -->")).toBe(true);
    expect(issue.body).toContain(`was squashed or rebased into \`main\` at 2026-11-23 14:50 UTC (commit \`${SHORT_MERGE}\`)`);
    expect(issue.body).toContain(`- [x] **\`develop\`**: has the fix: cherry-picked (\`cherry picked from commit ${SHORT_MERGE}\`).`);
    expect(issue.body).toContain(
      `- [ ] **\`release/1.3\`**: missing: neither the hotfix's head commit \`${SHORT_HEAD}\` nor its merge commit \`${SHORT_MERGE}\` is in \`release/1.3\``,
    );
    expect(issue.body).toContain("  git checkout release/1.3\n  git pull origin release/1.3\n  git fetch origin pull/42/head\n  git merge --no-ff FETCH_HEAD -m 'Merge hotfix #42 into release/1.3'\n  git push origin release/1.3");
    expect(mb.issueUpdates).toStrictEqual([]);
  });

  it("reports a configured release branch that does not exist as skipped", async () => {
    const { probot } = await mergeBackProbot();
    const { github, mb } = setUp("merge_back:\n  targets: [develop, release/1.3]\n");
    mergedHotfix(mb, "merge")
      .compare("main", "release/1.3", 404)
      .compare("develop", HEAD_SHA, "diverged")
      .closedPulls()
      .commitsOf("develop")
      .createIssue();

    await probot.receive(mergedPullRequestEvent());

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    const issue = mb.issue(100);
    expect(issue.title).toBe("Back-merge hotfix #42 into develop");
    expect(issue.body).toContain("- [ ] **`develop`**: missing:");
    expect(issue.body).toContain("- ➖ **`release/1.3`**: skipped: configured as a target, but no such branch exists.");
  });

  it("says so in the note when the configured develop branch does not exist", async () => {
    const { probot } = await mergeBackProbot();
    const { github, mb } = setUp("branches:\n  develop: kars-dev\n");
    mergedHotfix(mb, "merge")
      .branches("release/", ["release/1.3"])
      .compare("main", "release/1.3", "diverged")
      .compare("kars-dev", HEAD_SHA, 404)
      .compare("release/1.3", HEAD_SHA, "behind")
      .listComments(42)
      .comment(42);
    github.branchHead(HOTFIX_BRANCH, null);

    await probot.receive(mergedPullRequestEvent());

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(mb.createdIssues).toStrictEqual([]);
    expect(mb.comments[0]?.body).toContain("✅ Merge-back complete: hotfix #42 is already in `release/1.3`");
    expect(mb.comments[0]?.body).toContain("Skipped `kars-dev`: configured as a target, but no such branch exists.");
  });

  it("targets only the release branches not yet merged into production", async () => {
    const { probot } = await mergeBackProbot();
    const { github, mb } = setUp();
    mergedHotfix(mb, "merge")
      .branches("release/", ["release/1.2", "release/1.3", "release/1.10"])
      .compare("main", "release/1.2", "behind")
      .compare("main", "release/1.3", "diverged")
      .compare("main", "release/1.10", "ahead")
      .compare("develop", HEAD_SHA, "diverged")
      .closedPulls()
      .commitsOf("develop")
      .compare("release/1.3", HEAD_SHA, "diverged")
      .commitsOf("release/1.3")
      .compare("release/1.10", HEAD_SHA, "diverged")
      .commitsOf("release/1.10")
      .createIssue();

    await probot.receive(mergedPullRequestEvent());

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    const issue = mb.issue(100);
    expect(issue.title).toBe("Back-merge hotfix #42 into develop, release/1.3, release/1.10");
    expect(issue.body.match(/^- \[ \] \*\*`[^`]+`\*\*/gm)).toStrictEqual(["- [ ] **`develop`**", "- [ ] **`release/1.3`**", "- [ ] **`release/1.10`**"]);
    expect(issue.body).not.toContain("release/1.2");
  });

  it("fails the delivery when the reminder cannot be written, and claims nothing", async () => {
    const { probot } = await mergeBackProbot();
    const { github, mb } = setUp("merge_back:\n  open_pull_requests: true\n");
    mergedHotfix(mb, "merge").branches("release/", []).compare("develop", HEAD_SHA, "diverged").closedPulls().commitsOf("develop").createIssue(500);

    await expect(probot.receive(mergedPullRequestEvent())).rejects.toThrow();

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(mb.createdIssues).toStrictEqual([]);
    expect(mb.comments).toStrictEqual([]);
    expect(mb.openedPullRequests).toStrictEqual([]);
  });

  it("opens the reminder unassigned when GitHub refuses the author as assignee", async () => {
    const { probot } = await mergeBackProbot();
    const { github, mb } = setUp();
    mergedHotfix(mb, "merge").branches("release/", []).compare("develop", HEAD_SHA, "diverged").closedPulls().commitsOf("develop").createIssueRefusingAssignee();

    await probot.receive(mergedPullRequestEvent());

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(mb.createdIssues.map((issue) => issue.assignees)).toStrictEqual([[]]);
  });

  it("ignores a pull request closed without merging, and a merged regular release", async () => {
    const { probot } = await mergeBackProbot();
    const { github } = setUp();

    await probot.receive(closedUnmergedEvent());
    expect(github.requests).toStrictEqual([]);

    await probot.receive(mergedPullRequestEvent({ headRef: "release/2.0" }));

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(github.requests.filter((request) => !request.includes("hotfix-guard.yml") && !request.includes("/app/installations/1"))).toStrictEqual([]);
  });
});

describe("duplicate and concurrent deliveries", () => {
  it("open_pull_requests: one reminder and one back-merge PR per missing target, not again on the same delivery", async () => {
    const { probot } = await mergeBackProbot();
    const { github, mb } = setUp("merge_back:\n  open_pull_requests: true\n");
    mergedHotfix(mb, "merge")
      .branches("release/", ["release/1.3"])
      .compare("main", "release/1.3", "diverged")
      .compare("develop", HEAD_SHA, "diverged", ["src/payments/charge.ts"])
      .closedPulls()
      .commitsOf("develop")
      .compare("release/1.3", HEAD_SHA, "diverged")
      .commitsOf("release/1.3")
      .createIssue()
      .openPullFrom(HOTFIX_BRANCH, "develop")
      .createPull({ number: 51, head: HOTFIX_BRANCH, mergeable: null })
      .openPullFrom(HOTFIX_BRANCH, "release/1.3")
      .createPull({ number: 52, head: HOTFIX_BRANCH, mergeable: null })
      .updateIssue(100);
    github.branchHead(HOTFIX_BRANCH, HEAD_SHA);
    const event = mergedPullRequestEvent();

    await probot.receive(event);
    mb.listReminders("all")
      .compare("develop", HEAD_SHA, "diverged")
      .closedPulls()
      .commitsOf("develop")
      .compare("release/1.3", HEAD_SHA, "diverged")
      .commitsOf("release/1.3")
      .getPull({ number: 51, head: HOTFIX_BRANCH, mergeable: null })
      .getPull({ number: 52, head: HOTFIX_BRANCH, base: "release/1.3", mergeable: null });
    await probot.receive(event);

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(mb.createdIssues).toHaveLength(1);
    expect(mb.openedPullRequests.map(({ head, base, title }) => ({ head, base, title }))).toStrictEqual([
      { head: HOTFIX_BRANCH, base: "develop", title: "Back-merge hotfix #42 into develop" },
      { head: HOTFIX_BRANCH, base: "release/1.3", title: "Back-merge hotfix #42 into release/1.3" },
    ]);
    expect(mb.openedPullRequests[0]?.body).toContain("Brings hotfix #42 (hotfix(payments): default the currency code) into `develop`. Tracked in #100.");
    expect(mb.issueUpdates).toHaveLength(1);
    expect(mb.issue(100).body).toContain("Back-merge pull request #51 is open; GitHub has not yet said whether it merges cleanly.");
    expect(mb.issue(100).body).toContain("Back-merge pull request #52 is open; GitHub has not yet said whether it merges cleanly.");
  });

  it("creates one reminder when two deliveries of the merge arrive at once", async () => {
    const { probot } = await mergeBackProbot();
    const { github, mb } = setUp();
    mergedHotfix(mb, "merge").branches("release/", []).compare("develop", HEAD_SHA, "diverged").closedPulls().commitsOf("develop").createIssue();
    mb.listReminders("all").compare("develop", HEAD_SHA, "diverged").closedPulls().commitsOf("develop");
    const event = mergedPullRequestEvent();

    await Promise.all([probot.receive(event), probot.receive({ ...event })]);

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(mb.createdIssues).toHaveLength(1);
    expect(mb.issueUpdates).toStrictEqual([]);
  });
});

describe("back-merge pull requests", () => {
  it("come from backport branches once the hotfix branch is gone; an existing one is reused; a failed one shows as failed", async () => {
    const { probot } = await mergeBackProbot();
    const { github, mb } = setUp("merge_back:\n  open_pull_requests: true\n  release_branches: all\n");
    mergedHotfix(mb, "merge").branches("release/", ["release/1.3", "release/1.4"]);
    for (const target of ["develop", "release/1.3", "release/1.4"]) mb.compare(target, HEAD_SHA, "diverged").commitsOf(target);
    mb.closedPulls()
      .createIssue()
      .createBranch()
      .openPullFrom("backport/42-to-develop", "develop")
      .createPull({ number: 51, head: "backport/42-to-develop" })
      .createBranch("exists")
      .openPullFrom("backport/42-to-release/1.3", "release/1.3")
      .createPull("exists")
      .openPullFrom("backport/42-to-release/1.3", "release/1.3", { number: 60, head: "backport/42-to-release/1.3" })
      .createBranch()
      .openPullFrom("backport/42-to-release/1.4", "release/1.4")
      .createPull({ status: 403, message: "Resource not accessible by integration" })
      .updateIssue(100);
    github.branchHead(HOTFIX_BRANCH, null);

    await probot.receive(mergedPullRequestEvent());

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(mb.createdBranches).toStrictEqual([
      { ref: "refs/heads/backport/42-to-develop", sha: HEAD_SHA },
      { ref: "refs/heads/backport/42-to-release/1.4", sha: HEAD_SHA },
    ]);
    expect(mb.openedPullRequests.map(({ head, base }) => `${head} → ${base}`)).toStrictEqual([
      "backport/42-to-develop → develop",
      "backport/42-to-release/1.3 → release/1.3",
      "backport/42-to-release/1.4 → release/1.4",
    ]);
    const body = mb.issue(100).body;
    expect(body).toContain("Back-merge pull request #51 is open; GitHub has not yet said whether it merges cleanly.");
    expect(body).toContain("Back-merge pull request #60 is open;");
    expect(body).toContain("❌ Opening the back-merge pull request failed: HTTP 403: Resource not accessible by integration");
    expect(body.match(/- \[x\]/g)).toBeNull();
  });

  it("shows a conflicting back-merge PR with the files both sides changed and the manual commands, labelled and assigned to the author", async () => {
    const { probot } = await mergeBackProbot();
    const { github, mb } = setUp("merge_back:\n  open_pull_requests: true\n");
    seedReminder(mb, [{ target: "develop", status: "missing", backMerge: { number: 51, head: HOTFIX_BRANCH, state: "open", mergeable: null } }]);
    mb.listReminders("open")
      .compare("develop", HEAD_SHA, "diverged", ["src/payments/charge.ts", "src/payments/charge.test.ts"])
      .closedPulls()
      .commitsOf("develop")
      .getPull({ number: 51, head: HOTFIX_BRANCH, mergeable: false })
      .compare(HEAD_SHA, "develop", "diverged", ["src/payments/charge.ts", "docs/changelog.md"])
      .updateIssue(7);
    const flagged: unknown[] = [];
    github.scope.post("/repos/acme/payments/issues/51/labels").reply(200, (_uri, body) => (flagged.push(body), []));
    github.scope.post("/repos/acme/payments/issues/51/assignees").reply(201, (_uri, body) => (flagged.push(body), {}));

    await probot.receive(branchPushEvent("develop"));

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(flagged).toStrictEqual([{ labels: ["hotfix:merge-conflict"] }, { assignees: ["dev-alice"] }]);
    const body = mb.issue(7).body;
    expect(body).toContain(
      "⚠️ Back-merge pull request #51 cannot be merged cleanly: GitHub reports conflicts. Files changed on both sides, where the conflicts are: `src/payments/charge.ts`. Merge by hand, resolve the conflicts",
    );
    expect(body).toContain("  git fetch origin pull/42/head\n  git merge --no-ff FETCH_HEAD -m 'Merge hotfix #42 into develop'\n  git push origin develop");
    expect(body).toContain("- [ ] **`develop`**");
    expect(mb.comments).toStrictEqual([]);
  });
});

describe("later pushes and merges", () => {
  it("a squash-merged hotfix merged back through a PR: the merge ticks develop off and closes the reminder", async () => {
    const { probot } = await mergeBackProbot();
    const { github, mb } = setUp();
    squashedMissingFromDevelop(mb)
      .closedPulls([{ number: 50, base: "develop", headRef: HOTFIX_BRANCH, title: "Back-merge hotfix" }])
      .comment(7)
      .updateIssue(7);
    github.branchHead(HOTFIX_BRANCH, null);

    await probot.receive(mergedPullRequestEvent({ number: 50, baseRef: "develop", headRef: HOTFIX_BRANCH }, { mergeSha: "b".repeat(40) }));

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(mb.comments).toStrictEqual([{ number: 7, body: "✅ Every target branch now has hotfix #42: `develop` (merged through #50). Closing this reminder.\n\n<!-- hotfix-guard:merge-back-closed pr=42 -->" }]);
    expect(mb.issueUpdates).toHaveLength(1);
    expect(mb.issueUpdates[0]?.state).toBe("closed");
    expect(mb.issue(7).body).toContain("- [x] **`develop`**: has the fix: merged through #50.");
  });

  it("a push that brings a rebased copy of the squashed hotfix ticks develop off by the same change and closes the reminder", async () => {
    const { probot } = await mergeBackProbot();
    const { github, mb } = setUp();
    const rebased = { filename: "src/payments/charge.ts", patch: (HOTFIX_CHANGE.patch ?? "").replace("@@ -10,7 +10,7 @@", "@@ -31,7 +31,7 @@") };
    squashedMissingFromDevelop(mb)
      .closedPulls()
      .commitsOf("develop", [{ sha: "c".repeat(40), message: "Bring the currency fix to develop" }], "explicit")
      .sameChange("develop", [rebased])
      .comment(7)
      .updateIssue(7);
    github.branchHead(HOTFIX_BRANCH, null);

    await probot.receive(branchPushEvent("develop"));

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(mb.issue(7).state).toBe("closed");
    expect(mb.issue(7).body).toContain("- [x] **`develop`**: has the fix: the same change is in it, copied by new commits (squashed or rebased; 1 file compared).");
  });

  it("keeps the reminder open when GitHub cut the comparison short, even with the copy listed", async () => {
    const { probot } = await mergeBackProbot();
    const { github, mb } = setUp();
    squashedMissingFromDevelop(mb)
      .closedPulls()
      .commitsOf("develop", [], "explicit")
      .sameChange("develop", [HOTFIX_CHANGE], { truncated: true });

    await probot.receive(branchPushEvent("develop"));

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(mb.issue(7).state).toBe("open");
    expect(mb.comments).toStrictEqual([]);
    expect(github.writes).toStrictEqual([]);
  });

  it("the push that brings the last target closes the reminder and suggests deleting the hotfix branch (the whole app)", async () => {
    const probot = await testProbot();
    const { github, mb } = setUp();
    seedReminder(mb, [
      { target: "develop", status: "done", evidence: { via: "pull-request", number: 50 } },
      { target: "release/1.3", status: "missing" },
    ]);
    mb.listReminders("open").compare("release/1.3", HEAD_SHA, "behind").comment(7).updateIssue(7);
    github.branchHead(HOTFIX_BRANCH, HEAD_SHA).app();

    await probot.receive(branchPushEvent("release/1.3"));

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    const comment = mb.comments[0]?.body ?? "";
    expect(comment).toContain(
      `✅ Every target branch now has hotfix #42: \`develop\` (merged through #50) and \`release/1.3\` (the hotfix's head commit \`${SHORT_HEAD}\` is in its history). Closing this reminder.`,
    );
    expect(comment).toContain(`\`git push origin --delete ${HOTFIX_BRANCH}\``);
    expect(mb.issue(7).state).toBe("closed");
    expect(mb.issue(7).body).toContain("- [x] **`release/1.3`**: has the fix");
    expect(mb.deletedBranches).toStrictEqual([]);
  });

  it("leaves the reminder open when its closing comment cannot be written, and fails the delivery", async () => {
    const { probot } = await mergeBackProbot();
    const { github, mb } = setUp();
    seedReminder(mb, [{ target: "develop", status: "missing" }]);
    mb.listReminders("open").compare("develop", HEAD_SHA, "behind").comment(7, 1, 500).listComments(7);
    github.branchHead(HOTFIX_BRANCH, null);

    await expect(probot.receive(branchPushEvent("develop"))).rejects.toThrow();

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(mb.issueUpdates).toStrictEqual([]);
    expect(mb.issue(7).state).toBe("open");
  });

  it("deletes the hotfix branch on completion when configured to", async () => {
    const { probot } = await mergeBackProbot();
    const { github, mb } = setUp("merge_back:\n  delete_hotfix_branch: true\n");
    seedReminder(mb, [{ target: "develop", status: "missing" }]);
    mb.listReminders("open").compare("develop", HEAD_SHA, "behind").deleteBranch(HOTFIX_BRANCH).comment(7).updateIssue(7);
    github.branchHead(HOTFIX_BRANCH, HEAD_SHA);

    await probot.receive(branchPushEvent("develop"));

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(mb.deletedBranches).toStrictEqual([HOTFIX_BRANCH]);
    expect(mb.comments[0]?.body).toContain(`Deleted the hotfix branch \`${HOTFIX_BRANCH}\` (\`merge_back.delete_hotfix_branch\`).`);
    expect(mb.issue(7).state).toBe("closed");
  });

  it("a push that changes nothing writes nothing", async () => {
    const { probot } = await mergeBackProbot();
    const { github, mb } = setUp();
    seedReminder(mb, [
      { target: "develop", status: "missing" },
      { target: "release/1.3", status: "missing" },
    ]);
    mb.listReminders("open").compare("develop", HEAD_SHA, "diverged").closedPulls().commitsOf("develop");

    await probot.receive(branchPushEvent("develop"));

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(mb.issueUpdates).toStrictEqual([]);
    expect(mb.comments).toStrictEqual([]);
  });

  it("a release branch merged into production after the reminder opened is skipped, which can complete it", async () => {
    const { probot } = await mergeBackProbot();
    const { github, mb } = setUp();
    seedReminder(mb, [
      { target: "develop", status: "done", evidence: { via: "ancestry", sha: HEAD_SHA } },
      { target: "release/1.3", status: "missing" },
    ]);
    mb.listReminders("open").compare("main", "release/1.3", "behind").comment(7).updateIssue(7);
    github.branchHead(HOTFIX_BRANCH, null);

    await probot.receive(branchPushEvent("main"));

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(mb.issue(7).state).toBe("closed");
    expect(mb.issue(7).body).toContain("- ➖ **`release/1.3`**: skipped: merged into `main` since this reminder opened, so the release is finished.");
    expect(mb.comments[0]?.body).toBe(
      `✅ Every target branch now has hotfix #42: \`develop\` (the hotfix's head commit \`${SHORT_HEAD}\` is in its history). Closing this reminder.\n\nSkipped \`release/1.3\`: merged into \`main\` since the reminder opened, so that release is finished.\n\n<!-- hotfix-guard:merge-back-closed pr=42 -->`,
    );
  });

  it("ignores pushes to other branches, and labelled issues the app did not open", async () => {
    const { probot } = await mergeBackProbot();
    const { github, mb } = setUp();
    mb.seedIssue({ number: 8, body: reminderBody(reminderState([{ target: "develop", status: "missing" }])), openedByBot: false }).listReminders("open");

    await probot.receive(branchPushEvent("feature/checkout"));
    await probot.receive(branchPushEvent("develop"));

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(github.requests.filter((request) => !request.includes("hotfix-guard.yml") && !request.includes("/app/installations/1"))).toStrictEqual([
      "GET /repos/acme/payments/issues",
    ]);
  });
});

describe("reminders of another app", () => {
  it("are ignored: only the app's own bot login counts, never any bot", async () => {
    const { probot } = await mergeBackProbot();
    const { github, mb } = setUp();
    mb.seedIssue({ number: 8, body: reminderBody(reminderState([{ target: "develop", status: "missing" }])), author: "impostor[bot]" }).listReminders("open");

    await probot.receive(branchPushEvent("develop"));

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(github.requests.filter((request) => !request.includes("hotfix-guard.yml") && !request.includes("access_tokens") && !request.includes("/app/installations/1"))).toStrictEqual([
      "GET /repos/acme/payments/issues",
    ]);
    expect(mb.comments).toStrictEqual([]);
    expect(mb.issueUpdates).toStrictEqual([]);
  });
});

describe("escalation", () => {
  it("comments once, mentioning the author and the admins, when the reminder is overdue", async () => {
    const { probot } = await mergeBackProbot({ now: () => hoursAfterNow(25) });
    const { github, mb } = setUp("audit:\n  notify:\n    users: [ops-lead]\n    teams: [sre]\n");
    seedReminder(mb, [{ target: "develop", status: "missing" }]);
    for (let push = 0; push < 2; push += 1) mb.listReminders("open").compare("develop", HEAD_SHA, "diverged").closedPulls().commitsOf("develop");
    mb.comment(7).updateIssue(7);

    await probot.receive(branchPushEvent("develop"));
    await probot.receive(branchPushEvent("develop", "9".repeat(40)));

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(mb.comments).toHaveLength(1);
    expect(mb.comments[0]?.body).toContain(
      "@dev-alice @ops-lead @acme/sre ⏰ Hotfix #42 was merged 25 hours ago and still has not reached `develop`. The policy asks for merge-back within 24 hours (`merge_back.escalate_after_hours`).",
    );
    expect(mb.issue(7).body).toContain("Escalated at 2026-11-24 16:00 UTC.");
    expect(mb.issue(7).state).toBe("open");
  });

  it("is not due before the configured time", async () => {
    const { probot } = await mergeBackProbot({ now: () => hoursAfterNow(1) });
    const { github, mb } = setUp("merge_back:\n  escalate_after_hours: 2\n");
    mb.seedIssue({ number: 7, body: reminderBody(reminderState([{ target: "develop", status: "missing" }]), 2) });
    mb.listReminders("open").compare("develop", HEAD_SHA, "diverged").closedPulls().commitsOf("develop");

    await probot.receive(branchPushEvent("develop"));

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(mb.comments).toStrictEqual([]);
    expect(mb.issueUpdates).toStrictEqual([]);
  });
});

describe("the scheduled re-check", () => {
  /** A scheduler that records jobs and, like the store, takes each key once. */
  function recordingScheduler(): Scheduler & { jobs: { kind: string; key: string; payload: unknown; runAt: Date }[] } {
    const jobs: { kind: string; key: string; payload: unknown; runAt: Date }[] = [];
    return {
      jobs,
      schedule: async (kind, key, payload, runAt) => {
        if (jobs.some((job) => job.key === key)) return false;
        jobs.push({ kind, key, payload, runAt });
        return true;
      },
    };
  }

  it("is scheduled for the escalation time when a reminder opens, once however many events follow; the release pull requests' re-check is queued once", async () => {
    const scheduler = recordingScheduler();
    const { probot } = await mergeBackProbot({ scheduler });
    const { github, mb } = setUp();
    mergedHotfix(mb, "merge").branches("release/", []).compare("develop", HEAD_SHA, "diverged").closedPulls().commitsOf("develop").createIssue();
    mb.listReminders("open").compare("develop", HEAD_SHA, "diverged").closedPulls().commitsOf("develop");

    await probot.receive(mergedPullRequestEvent());
    await probot.receive(branchPushEvent("develop"));

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(scheduler.jobs).toStrictEqual([
      {
        kind: MERGE_BACK_RECHECK,
        key: `${MERGE_BACK_RECHECK}:acme/payments#42@2026-11-24T14:50:00.000Z`,
        payload: { installationId: 1, owner: "acme", repo: "payments" },
        runAt: new Date("2026-11-24T14:50:00Z"),
      },
      {
        kind: RELEASE_RECHECK,
        key: `${RELEASE_RECHECK}:acme/payments@merged:${MERGE_SHA}`,
        payload: { installationId: 1, owner: "acme", repo: "payments", defaultBranch: "main" },
        runAt: NOW,
      },
    ]);
  });

  it("escalates an overdue reminder when no event arrives", async () => {
    const { probot, services } = await mergeBackProbot({ now: () => hoursAfterNow(24) });
    const { github, mb } = setUp();
    seedReminder(mb, [{ target: "develop", status: "missing" }]);
    mb.listReminders("open").compare("develop", HEAD_SHA, "diverged").closedPulls().commitsOf("develop").comment(7).updateIssue(7);

    await runMergeBackRecheck(await probot.auth(1), { installationId: 1, owner: "acme", repo: "payments" }, services, probot.log);

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(mb.comments.map((comment) => comment.body.split(" ⏰")[0])).toStrictEqual(["@dev-alice"]);
    expect(mb.issue(7).body).toContain("Escalated at 2026-11-24 15:00 UTC.");
  });
});

describe("GitHub requests per event", () => {
  const noise = (request: string) => !request.includes("hotfix-guard.yml") && !request.includes("/app/installations/1");

  // Patch equivalence (a squashed or rebased copy) costs the hotfix's files once and one comparison per target that still lacks the fix.
  it("merged hotfix, merge commit, develop and one active of two release branches, fix missing: 15 requests, 1 write", async () => {
    const { probot } = await mergeBackProbot();
    const { github, mb } = setUp();
    mergedHotfix(mb, "merge")
      .branches("release/", ["release/1.2", "release/1.3"])
      .compare("main", "release/1.2", "behind")
      .compare("main", "release/1.3", "diverged")
      .compare("develop", HEAD_SHA, "diverged")
      .closedPulls()
      .commitsOf("develop")
      .compare("release/1.3", HEAD_SHA, "diverged")
      .commitsOf("release/1.3")
      .createIssue();

    await probot.receive(mergedPullRequestEvent());

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(github.requests.filter(noise).sort()).toStrictEqual(
      [
        "GET /repos/acme/payments/issues",
        `GET /repos/acme/payments/git/commits/${MERGE_SHA}`,
        "GET /repos/acme/payments/pulls/42/commits",
        "GET /repos/acme/payments/git/matching-refs/heads/release/",
        "GET /repos/acme/payments/compare/main...release/1.2",
        "GET /repos/acme/payments/compare/main...release/1.3",
        `GET /repos/acme/payments/compare/develop...${HEAD_SHA}`,
        "GET /repos/acme/payments/pulls",
        "GET /repos/acme/payments/commits",
        `GET /repos/acme/payments/compare/release/1.3...${HEAD_SHA}`,
        "GET /repos/acme/payments/commits",
        "GET /repos/acme/payments/pulls/42/files",
        `GET /repos/acme/payments/compare/${MERGE_SHA}...develop`,
        `GET /repos/acme/payments/compare/${MERGE_SHA}...release/1.3`,
        "POST /repos/acme/payments/issues",
      ].sort(),
    );
  });

  it("push to a target with one open reminder: the reminders, then 1 compare when the fix is there, 2 writes to close", async () => {
    const { probot } = await mergeBackProbot();
    const { github, mb } = setUp();
    seedReminder(mb, [{ target: "develop", status: "missing" }]);
    mb.listReminders("open").compare("develop", HEAD_SHA, "behind").comment(7).updateIssue(7);
    github.branchHead(HOTFIX_BRANCH, null);

    await probot.receive(branchPushEvent("develop"));

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(github.requests.filter(noise)).toStrictEqual([
      "GET /repos/acme/payments/issues",
      `GET /repos/acme/payments/compare/develop...${HEAD_SHA}`,
      `GET /repos/acme/payments/git/ref/heads/${HOTFIX_BRANCH}`,
      "POST /repos/acme/payments/issues/7/comments",
      "PATCH /repos/acme/payments/issues/7",
    ]);
  });

  it("push to a target with no open reminder: one listing", async () => {
    const { probot } = await mergeBackProbot();
    const { github, mb } = setUp();
    mb.listReminders("open");

    await probot.receive(branchPushEvent("develop"));

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(github.requests.filter(noise)).toStrictEqual(["GET /repos/acme/payments/issues"]);
  });
});
