/**
 * The merge-back commands through `probot.receive`: `/hotfix skip-merge-back` by an authoriser
 * (and refused to anyone else), `/hotfix backport` by a writer (refused to a reader, failures
 * reported as failures), each answered once; and the back-merge check (conflicts, markers).
 */
import { describe, expect, it } from "vitest";
import { HEAD_SHA } from "../helpers/builders.js";
import { GitHubMock, probotWith } from "../helpers/app.js";
import { pullRequestCommentEvent } from "../helpers/audit-fixtures.js";
import { pullRequestEvent, pullRequestObject } from "../helpers/fixtures.js";
import { MergeBackMock } from "../helpers/merge-back-mocks.js";
import { HOTFIX_BRANCH, reminderBody, reminderState } from "../helpers/merge-back-fixtures.js";
import { registerReleaseCommandHandlers } from "../../src/handlers/release-commands.js";
import { registerBackMergeCheckHandlers } from "../../src/handlers/back-merge-check.js";
import { parseReminder } from "../../src/model/records.js";
import type { Row } from "../../src/model/merge-back.js";

const MISSING: Row[] = [
  { target: "develop", status: "missing" },
  { target: "release/1.5", status: "missing" },
];

function commandEvent(body: string, author: string, id = 501) {
  return pullRequestCommentEvent("created", { id, body, author, createdAt: "2026-11-23T15:00:00Z" });
}

function setUp(): { github: GitHubMock; mb: MergeBackMock } {
  const github = new GitHubMock().token().config(null).app();
  const mb = new MergeBackMock(github).seedIssue({ number: 7, title: "Back-merge hotfix #42", body: reminderBody(reminderState(MISSING)) });
  return { github, mb };
}

describe("/hotfix skip-merge-back", () => {
  it("marks the target skipped by the authoriser, with the reason, in the reminder, and answers once across redeliveries", async () => {
    const probot = await probotWith(registerReleaseCommandHandlers);
    const { github, mb } = setUp();
    const event = commandEvent("/hotfix skip-merge-back release/1.5 1.5 replaced the currency code", "admin-carol");
    github.permission("admin-carol", "admin").permission("admin-carol", "admin");
    mb.listReminders("open", 2).updateIssue(7).listComments(42).listComments(42).comment(42);

    await probot.receive(event);
    await probot.receive(event);

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    const state = parseReminder(mb.issue(7).body);
    expect(state?.rows).toStrictEqual([
      { target: "develop", status: "missing" },
      { target: "release/1.5", status: "skipped", skip: { by: "admin-carol", reason: "1.5 replaced the currency code", at: "2026-11-23T15:00:00Z" } },
    ]);
    expect(mb.issue(7).body).toContain("- ➖ **`release/1.5`**: skipped by @admin-carol at 2026-11-23 15:00 UTC (`/hotfix skip-merge-back`): 1.5 replaced the currency code");
    expect(mb.issue(7).state).toBe("open");
    expect(mb.comments).toHaveLength(1);
    expect(mb.comments[0]?.body).toContain("➖ @admin-carol skipped the merge-back of hotfix #42 into `release/1.5`: 1.5 replaced the currency code");
  });

  it("is refused to a user who is not an authoriser, changing nothing", async () => {
    const probot = await probotWith(registerReleaseCommandHandlers);
    const { github, mb } = setUp();
    github.permission("dev-bob", "write");
    mb.listComments(42).comment(42);

    await probot.receive(commandEvent("/hotfix skip-merge-back release/1.5 not needed", "dev-bob"));

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(mb.issueUpdates).toStrictEqual([]);
    expect(mb.comments[0]?.body).toContain("@dev-bob `/hotfix skip-merge-back` was not accepted: only repository administrators may skip a merge-back");
  });

  it("does not count when quoted or in code", async () => {
    const probot = await probotWith(registerReleaseCommandHandlers);
    const github = new GitHubMock();

    await probot.receive(commandEvent("> /hotfix skip-merge-back release/1.5 x\n\n`/hotfix skip-merge-back release/1.5 x`", "admin-carol"));

    expect(github.requests).toStrictEqual([]);
  });
});

describe("/hotfix backport", () => {
  it("opens the back-merge pull request for a user with write access and says so", async () => {
    const probot = await probotWith(registerReleaseCommandHandlers);
    const { github, mb } = setUp();
    github.permission("dev-bob", "write").branchHead(HOTFIX_BRANCH, HEAD_SHA);
    mb.listReminders("open").openPullFrom(HOTFIX_BRANCH, "release/1.5").createPull({ number: 80, head: HOTFIX_BRANCH }).updateIssue(7).listComments(42).comment(42);

    await probot.receive(commandEvent("/hotfix backport release/1.5", "dev-bob"));

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(mb.openedPullRequests).toMatchObject([{ head: HOTFIX_BRANCH, base: "release/1.5" }]);
    expect(mb.comments[0]?.body).toContain("✅ Back-merge pull request #80 brings hotfix #42 into `release/1.5`");
    expect(parseReminder(mb.issue(7).body)?.rows[1]).toMatchObject({ target: "release/1.5", status: "missing", backMerge: { number: 80 } });
  });

  it("reports a failure to open the pull request as a failure", async () => {
    const probot = await probotWith(registerReleaseCommandHandlers);
    const { github, mb } = setUp();
    github.permission("dev-bob", "write").branchHead(HOTFIX_BRANCH, HEAD_SHA);
    mb.listReminders("open").openPullFrom(HOTFIX_BRANCH, "release/1.5").createPull({ status: 403, message: "Resource not accessible by integration" }).updateIssue(7).listComments(42).comment(42);

    await probot.receive(commandEvent("/hotfix backport release/1.5", "dev-bob"));

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    const answer = mb.comments[0]?.body ?? "";
    expect(answer).toContain("❌ Opening the back-merge pull request of hotfix #42 into `release/1.5` failed: HTTP 403: Resource not accessible by integration");
    expect(answer).not.toContain("✅");
  });

  it("is refused to a user without write access", async () => {
    const probot = await probotWith(registerReleaseCommandHandlers);
    const { github, mb } = setUp();
    github.permission("mallory", "read");
    mb.listComments(42).comment(42);

    await probot.receive(commandEvent("/hotfix backport release/1.5", "mallory"));

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(mb.openedPullRequests).toStrictEqual([]);
    expect(mb.comments[0]?.body).toContain("@mallory `/hotfix backport` was not accepted: only users with write access may open a back-merge (@\u200bmallory has read).");
  });
});

describe("the back-merge check", () => {
  function patchFiles(github: GitHubMock, patch: string): void {
    github.scope.get("/repos/acme/payments/pulls/80/files").query(true).reply(200, [{ filename: "src/charge.ts", status: "modified", additions: 3, deletions: 0, patch }]);
  }

  it("fails a back-merge whose diff adds conflict markers, whoever opened it", async () => {
    const probot = await probotWith(registerBackMergeCheckHandlers);
    const github = new GitHubMock().token().config(null).listCheckRuns(HEAD_SHA).createCheckRun();
    new MergeBackMock(github).getPull({ number: 80, head: HOTFIX_BRANCH, base: "release/1.5", mergeable: true });
    patchFiles(github, "@@ -1,2 +1,5 @@\n a\n+<<<<<<< HEAD\n+b\n+>>>>>>> hotfix\n c");

    await probot.receive(pullRequestEvent("synchronize", { number: 80, baseRef: "release/1.5", author: "dev-bob" }));

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    const run = github.lastWrite();
    expect(run).toMatchObject({ name: "Hotfix Guard: back-merge", conclusion: "failure", output: { title: "Conflict markers added" } });
    expect(run.output.summary).toContain("- `src/charge.ts` line 2: `<<<<<<<`");
  });

  it("passes when marker-like lines are only context", async () => {
    const probot = await probotWith(registerBackMergeCheckHandlers);
    const github = new GitHubMock().token().config(null).listCheckRuns(HEAD_SHA).createCheckRun();
    new MergeBackMock(github).getPull({ number: 80, head: HOTFIX_BRANCH, base: "release/1.5", mergeable: true });
    patchFiles(github, "@@ -1,3 +1,3 @@\n =======\n-old\n+new");

    await probot.receive(pullRequestEvent("synchronize", { number: 80, baseRef: "release/1.5", author: "dev-bob" }));

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(github.lastWrite()).toMatchObject({ name: "Hotfix Guard: back-merge", conclusion: "success" });
  });

  it("fails a conflicting back-merge the app opened, labels it and assigns the hotfix's author", async () => {
    const probot = await probotWith(registerBackMergeCheckHandlers);
    const github = new GitHubMock().token().config(null).app().listCheckRuns(HEAD_SHA).createCheckRun();
    const mb = new MergeBackMock(github).getPull({ number: 80, head: HOTFIX_BRANCH, base: "release/1.5", mergeable: false });
    patchFiles(github, "@@ -1,1 +1,2 @@\n a\n+b");
    github.pull(pullRequestObject({ number: 42, author: "dev-alice" }));
    const labels: unknown[] = [];
    const assignees: unknown[] = [];
    github.scope.post("/repos/acme/payments/issues/80/labels").reply(200, (_uri, body) => (labels.push(body), []));
    github.scope.post("/repos/acme/payments/issues/80/assignees").reply(201, (_uri, body) => (assignees.push(body), {}));
    const event = pullRequestEvent("opened", { number: 80, baseRef: "release/1.5", author: "hotfix-guard[bot]", body: "<!-- hotfix-guard:back-merge pr=42 -->\n\nBrings hotfix #42" });

    await probot.receive(event);

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(github.lastWrite()).toMatchObject({ name: "Hotfix Guard: back-merge", conclusion: "failure", output: { title: "Merge conflicts" } });
    expect(labels).toStrictEqual([{ labels: ["hotfix:merge-conflict"] }]);
    expect(assignees).toStrictEqual([{ assignees: ["dev-alice"] }]);
    expect(mb.comments).toStrictEqual([]);
  });
});
