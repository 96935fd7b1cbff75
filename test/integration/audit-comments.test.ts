/**
 * An authorisation withdrawn after the audit (issue 9, defect 3): the admin confirmed a bypass
 * with their own `/hotfix authorize` comment, the audit found it justified, and then the comment
 * was deleted or edited. The audit is judged again through `probot.receive`, GitHub served by
 * nock: the audit comment says what changed, the audit issue opens, and the admin's authority is
 * taken from the audit's record (not read again, so a later promotion or demotion changes
 * nothing). The merge happens at 14:50; the first audit runs at 15:00.
 */
import { describe, expect, it } from "vitest";
import { COMPLETE_BODY, HEAD_SHA, NOW } from "../helpers/builders.js";
import { GitHubMock } from "../helpers/app.js";
import { ADMIN, formMarkdown } from "../helpers/audit-builders.js";
import { mergedBodyEditedEvent, mergedHotfixEvent, mergedPullObject, pullRequestCommentEvent } from "../helpers/audit-fixtures.js";
import { AuditMock, auditProbot, branchRules } from "../helpers/audit-mocks.js";

const BYPASS_BODY = `${COMPLETE_BODY}\n${formMarkdown()}`;
const BOB_APPROVAL = { reviewer: "senior-bob", state: "APPROVED", commitId: HEAD_SHA, submittedAt: "2026-11-23T14:40:00Z" };
const CI_FAILED = [
  { name: "ci", conclusion: "failure", completedAt: "2026-11-23T14:35:00Z" },
  { name: "Hotfix Guard", conclusion: "success", completedAt: "2026-11-23T14:41:00Z" },
];
const AUTHORIZE = { id: 22, author: ADMIN, body: "/hotfix authorize", createdAt: "2026-11-23T14:55:00Z" };
const LATER = new Date("2026-11-23T16:00:00Z");

/** The first audit: a bypass (CI failed), the form in the description, confirmed by the admin's comment. */
async function justifiedByComment() {
  let clock = NOW;
  const { probot } = await auditProbot(() => clock);
  const github = new GitHubMock();
  const audit = new AuditMock(github);
  audit.seedComment(AUTHORIZE);
  github.token().config(null).app();
  audit.pull(mergedPullObject({ body: BYPASS_BODY })).listComments();
  github.reviews([BOB_APPROVAL]).files([{ filename: "src/payments/charge.ts", additions: 4, deletions: 3 }, { filename: "src/payments/charge.test.ts", additions: 8, deletions: 0 }]);
  github.tags(["v1.4.1", "v1.4.2"]).permission("senior-bob", "write").permission(ADMIN, "admin");
  audit.rules(branchRules(1, ["ci", "Hotfix Guard"])).protection(404).checkRuns(HEAD_SHA, CI_FAILED).listIssues("hotfix:protection-log").ruleSuites(403);
  audit.listIssues("hotfix:post-incident").tagRef("v1.4.3", null).postIncidentTemplate(404).createIssue();
  audit.addLabels().createComment().listIssues("hotfix:audit-pending");
  await probot.receive(mergedHotfixEvent({ body: BYPASS_BODY }));
  expect(github.scope.pendingMocks()).toStrictEqual([]);
  expect(audit.auditComment()).toContain("## ⚠️ Hotfix merge audit: bypass, justified");
  expect(audit.auditComment()).toContain("@\u200bsre-admin commented `/hotfix authorize` at 2026-11-23 14:55 UTC");
  clock = LATER;
  return { probot, github, audit };
}

/** The second audit's requests: the pull request, comments and reviews read again; the admin's permission is not. */
function reauditUnjustified(github: GitHubMock, audit: AuditMock): void {
  audit.pull(mergedPullObject({ body: BYPASS_BODY, labels: ["hotfix", "hotfix:bypass"] })).listComments();
  github.reviews([BOB_APPROVAL]);
  audit.listIssues("hotfix:bypass-unjustified").createIssue().addLabels().updateComment(5000).listIssues("hotfix:audit-pending");
}

describe("an authorisation withdrawn after the audit", () => {
  it("re-judges the audit when the /hotfix authorize comment is deleted, and says so", async () => {
    const { probot, github, audit } = await justifiedByComment();
    audit.comments.splice(audit.comments.findIndex((c) => c.id === AUTHORIZE.id), 1);
    reauditUnjustified(github, audit);

    await probot.receive(pullRequestCommentEvent("deleted", AUTHORIZE));

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    const comment = audit.auditComment();
    expect(comment).toContain("## ❌ Hotfix merge audit: bypass, not justified");
    expect(comment).toContain(
      "> ⚠️ **Authorisation withdrawn:** authorisation by @\u200bsre-admin withdrawn: their `/hotfix authorize` comment of 2026-11-23 14:55 UTC was deleted (noticed 2026-11-23 16:00 UTC).",
    );
    expect(audit.createdIssues().map((issue) => issue.title)).toContain("Unjustified hotfix bypass: acme/payments#42");
  });

  it("re-judges the audit when the /hotfix authorize comment is edited, and says so", async () => {
    const { probot, github, audit } = await justifiedByComment();
    const stored = audit.comments.find((c) => c.id === AUTHORIZE.id);
    if (!stored) throw new Error("seeded comment missing");
    stored.body = "/hotfix authorize\n\nOn second thought, wait for the review.";
    stored.updatedAt = "2026-11-23T15:40:00Z";
    reauditUnjustified(github, audit);

    await probot.receive(pullRequestCommentEvent("edited", { ...AUTHORIZE, body: stored.body, updatedAt: stored.updatedAt }, { previousBody: AUTHORIZE.body }));

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    const comment = audit.auditComment();
    expect(comment).toContain("## ❌ Hotfix merge audit: bypass, not justified");
    expect(comment).toContain("was edited after the audit (at 2026-11-23 15:40 UTC)");
  });

  it("leaves the verdict alone when an unrelated comment is deleted", async () => {
    const { probot, github, audit } = await justifiedByComment();
    audit.pull(mergedPullObject({ body: BYPASS_BODY, labels: ["hotfix", "hotfix:bypass"] })).listComments();
    github.reviews([BOB_APPROVAL]);
    audit.listIssues("hotfix:audit-pending");

    await probot.receive(pullRequestCommentEvent("deleted", { id: 23, author: "intern-ivy", body: "/hotfix authorize", createdAt: "2026-11-23T15:10:00Z" }));

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(audit.auditComment()).toContain("## ⚠️ Hotfix merge audit: bypass, justified");
    expect(audit.auditComment()).not.toContain("withdrawn");
  });
});

describe("authority as first judged, through the app", () => {
  it("does not read the authoriser's permission again, so a later promotion does not justify the bypass", async () => {
    let clock = NOW;
    const { probot } = await auditProbot(() => clock);
    const github = new GitHubMock();
    const audit = new AuditMock(github);
    const adminApproval = { ...BOB_APPROVAL, reviewer: ADMIN };
    github.token().config(null).app();
    audit.pull(mergedPullObject({ body: BYPASS_BODY })).listComments();
    github.reviews([adminApproval]).files([{ filename: "src/payments/charge.ts", additions: 4, deletions: 3 }, { filename: "src/payments/charge.test.ts", additions: 8, deletions: 0 }]);
    github.tags(["v1.4.1", "v1.4.2"]).permission(ADMIN, "write");
    audit.rules(branchRules(1, ["ci", "Hotfix Guard"])).protection(404).checkRuns(HEAD_SHA, CI_FAILED).listIssues("hotfix:protection-log").ruleSuites(403);
    audit.listIssues("hotfix:bypass-unjustified").createIssue();
    audit.listIssues("hotfix:post-incident").tagRef("v1.4.3", null).postIncidentTemplate(404).createIssue();
    audit.addLabels().createComment().listIssues("hotfix:audit-pending");
    await probot.receive(mergedHotfixEvent({ body: BYPASS_BODY }));
    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(audit.auditComment()).toContain("@\u200bsre-admin has write permission; only repository administrators may authorise a bypass");

    clock = new Date("2026-11-23T15:20:00Z");
    audit.pull(mergedPullObject({ body: BYPASS_BODY, labels: ["hotfix", "hotfix:bypass", "hotfix:bypass-unjustified"] })).listComments();
    github.reviews([adminApproval]);
    audit.listIssues("hotfix:audit-pending");
    const before = github.requests.length;

    await probot.receive(mergedBodyEditedEvent({ body: BYPASS_BODY }));

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(github.requests.slice(before).filter((request) => request.includes("/permission"))).toStrictEqual([]);
    expect(audit.auditComment()).toContain("## ❌ Hotfix merge audit: bypass, not justified");
  });
});
