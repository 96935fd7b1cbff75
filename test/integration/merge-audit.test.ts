/**
 * The merge audit through `probot.receive`, GitHub served by nock: what an admin reads in the
 * audit comment (compliant, bypass justified, bypass not justified, and why), which issues open
 * and close, which labels are set, and that nothing is written twice. The merge happens at 14:50;
 * the audit runs at 15:00 unless a test moves the clock.
 */
import { describe, expect, it } from "vitest";
import { COMPLETE_BODY, HEAD_SHA, NOW } from "../helpers/builders.js";
import { Probot } from "probot";
import { MERGE_AUDIT_RECHECK } from "../../src/handlers/audit-run.js";
import { createServices } from "../../src/handlers/services.js";
import { APP_ID, GitHubMock, TEST_PROBOT_OPTIONS } from "../helpers/app.js";
import { ADMIN, MERGE_SHA, formMarkdown } from "../helpers/audit-builders.js";
import { mainPushEvent, mergedBodyEditedEvent, mergedHotfixEvent, mergedPullObject, protectionRuleEvent, pullRequestCommentEvent, rulesetEvent, tagCreatedEvent } from "../helpers/audit-fixtures.js";
import { AuditMock, BOT, auditProbot, branchRules, registerAuditOnly, type BranchRule, type RunShape } from "../helpers/audit-mocks.js";
import type { PullRequestShape } from "../helpers/fixtures.js";

const FILES = [
  { filename: "src/payments/charge.ts", additions: 4, deletions: 3 },
  { filename: "src/payments/charge.test.ts", additions: 8, deletions: 0 },
];
const BOB_APPROVAL = { reviewer: "senior-bob", state: "APPROVED", commitId: HEAD_SHA, submittedAt: "2026-11-23T14:40:00Z" };
const ADMIN_APPROVAL = { ...BOB_APPROVAL, reviewer: ADMIN };
const CHECKS_PASSED: RunShape[] = [
  { name: "ci", conclusion: "success", completedAt: "2026-11-23T14:35:00Z" },
  { name: "Hotfix Guard", conclusion: "success", completedAt: "2026-11-23T14:41:00Z" },
];
/** CI failed before the merge and passed on a re-run after it: at the merge, it had failed. */
const CI_FAILED: RunShape[] = [
  { name: "ci", conclusion: "failure", completedAt: "2026-11-23T14:35:00Z" },
  { name: "ci", conclusion: "success", completedAt: "2026-11-23T14:58:00Z" },
  { name: "Hotfix Guard", conclusion: "success", completedAt: "2026-11-23T14:41:00Z" },
];
const NOTIFY_CONFIG = "audit:\n  notify:\n    users: [sec-lead]\n    teams: [admins]\n";
const BYPASS_BODY = `${COMPLETE_BODY}\n${formMarkdown()}`;

/** What the first audit of #42 reads. */
interface FirstAudit {
  readonly pr?: PullRequestShape;
  /** Changes to the REST pull request object (`base.sha`, `requested_reviewers`). */
  readonly pull?: Record<string, unknown>;
  readonly reviews?: (typeof BOB_APPROVAL)[];
  /** Permissions of the reviewers, read to judge the requirements. */
  readonly permissions?: Record<string, string>;
  readonly runs?: RunShape[];
  readonly rules?: BranchRule[];
  readonly ruleSuites?: { id: number; actor: string; afterSha: string; pushedAt: string }[] | 403;
  /** Token, configuration and the app's identity: the first event of a process. */
  readonly cold?: boolean;
  readonly config?: string | null;
}

/** Mocks the reads of a first audit (and the pending scan that follows it). */
function firstAuditReads(github: GitHubMock, audit: AuditMock, scenario: FirstAudit = {}): void {
  if (scenario.cold ?? true) github.token().config(scenario.config ?? null).app();
  audit.pull({ ...mergedPullObject(scenario.pr ?? {}), ...scenario.pull }).listComments();
  github.reviews(scenario.reviews ?? [BOB_APPROVAL]).files(FILES).tags(["v1.4.1", "v1.4.2"]);
  for (const [login, permission] of Object.entries(scenario.permissions ?? { "senior-bob": "write" })) github.permission(login, permission);
  audit
    .rules(scenario.rules ?? branchRules(1, ["ci", "Hotfix Guard"]))
    .protection(404)
    .checkRuns(HEAD_SHA, scenario.runs ?? CHECKS_PASSED)
    .listIssues("hotfix:protection-log")
    .ruleSuites(scenario.ruleSuites ?? 403);
}

/** Mocks the follow-up issue's creation: lookup, the release tag (missing unless given), the write. */
function followUpWrites(audit: AuditMock, tagCommit: string | null = null, template: string | number = 404): void {
  audit.listIssues("hotfix:post-incident").tagRef("v1.4.3", tagCommit).postIncidentTemplate(template).createIssue();
}

/** Mocks the writes of an unjustified bypass: audit issue, follow-up, labels, comment, pending scan. */
function unjustifiedWrites(audit: AuditMock, auditRepo = "acme/payments"): void {
  audit.listIssues("hotfix:bypass-unjustified", auditRepo).createIssue(auditRepo);
  followUpWrites(audit);
  audit.addLabels().createComment().listIssues("hotfix:audit-pending");
}

function expectDone(github: GitHubMock): void {
  expect(github.scope.pendingMocks()).toStrictEqual([]);
}

describe("the team's post-incident template (post_incident.template)", () => {
  const TEMPLATE = "# Post-mortem: {{title}} (#{{pr_number}})\n\n**Incident:** {{incident_reference}}\n**Due:** {{due}}\n**Owner:** {{ owner }}\n\n## Root cause\n[Technical explanation]\n";
  it.each([
    ["a template file", TEMPLATE, ["# Post-mortem: hotfix(payments): default the currency code (#42)", "**Incident:** INC-4521", "**Due:** 2026-11-25 14:50 UTC", "**Owner:** {{ owner }}", "## Hotfix Guard items\n- [ ] Tag `v1.4.3` points at the merge commit", "Hotfix Guard left `{{owner}}` as written"], ["## Incident Summary"]],
    ["no template file (404)", 404, ["## Incident Summary", "## Root Cause Analysis"], ["could not be read"]],
    ["a template that cannot be read (500)", 500, ["The team's post-incident template `.github/hotfix-guard/post-incident.md` could not be read (GitHub answered HTTP 500), so this issue uses the default layout.", "## Incident Summary"], []],
  ])("%s", async (_, template, present, absent) => {
    const { probot } = await auditProbot();
    const github = new GitHubMock();
    const audit = new AuditMock(github);
    firstAuditReads(github, audit);
    followUpWrites(audit, null, template);
    audit.addLabels().createComment().listIssues("hotfix:audit-pending");

    await probot.receive(mergedHotfixEvent());

    expectDone(github);
    const body = audit.createdIssues()[0]?.body ?? "";
    for (const text of present) expect(body).toContain(text);
    for (const text of absent) expect(body).not.toContain(text);
  });
});

describe("a compliant merge", () => {
  it("gets one audit comment saying compliant, the hotfix label and a post-incident review issue", async () => {
    const { probot } = await auditProbot();
    const github = new GitHubMock();
    const audit = new AuditMock(github);
    firstAuditReads(github, audit);
    followUpWrites(audit);
    audit.addLabels().createComment().listIssues("hotfix:audit-pending");

    await probot.receive(mergedHotfixEvent());

    expectDone(github);
    const comment = audit.auditComment();
    expect(comment).toContain("## ✅ Hotfix merge audit: compliant");
    expect(comment).toContain("**Merged** by @\u200bsre-admin 2026-11-23 14:50 UTC into `main` (merge commit `9999999`, head `a1b2c3d`)");
    expect(comment).toContain("**Authority:** none needed: no requirement was bypassed.");
    expect(comment).toContain("| ✅ | GitHub: required check `ci` | passing on the head commit at the merge | success (completed 2026-11-23T14:35:00Z) |");
    expect(comment).toContain("| ✅ | Approvals |");
    expect(comment).toContain("**GitHub's record:** not read: the installation lacks Administration write, which Hotfix Guard does not request by default; see docs/deploy.md");
    expect(comment).not.toContain("cc @");
    expect(audit.labelsAdded()).toStrictEqual(["hotfix"]);
    const [followUp] = audit.createdIssues();
    expect(followUp).toMatchObject({ title: "Post-incident review: hotfix(payments): default the currency code (hotfix #42)", assignees: ["dev-alice"], labels: ["hotfix:post-incident"] });
    expect(followUp?.body).toContain("**Due:** 2026-11-25 14:50 UTC (48 hours after the merge: post_incident.due_hours)");
    expect(followUp?.body).toContain("- [ ] Tag `v1.4.3` points at the merge commit `9999999` (not created yet)");
    expect(followUp?.body).toContain("- 2026-11-23 14:40 UTC - First approval, by @\u200bsenior-bob");
    expect(followUp?.body).not.toContain("Retroactive review");
    expect(followUp?.body).toContain("**Incident:** INC-4521\n");
  });

  it("costs these GitHub requests, cold: the token, 18 reads and 3 writes", async () => {
    const { probot } = await auditProbot();
    const github = new GitHubMock();
    const audit = new AuditMock(github);
    firstAuditReads(github, audit);
    followUpWrites(audit);
    audit.addLabels().createComment().listIssues("hotfix:audit-pending");

    await probot.receive(mergedHotfixEvent());

    expectDone(github);
    expect(github.requests.sort()).toStrictEqual(
      [
        "POST /app/installations/1/access_tokens",
        "GET /app/installations/1",
        "GET /repos/acme/payments/contents/.github/hotfix-guard.yml",
        "GET /repos/acme/.github/contents/.github/hotfix-guard.yml",
        "GET /app",
        "GET /repos/acme/payments/pulls/42",
        "GET /repos/acme/payments/issues/42/comments",
        "GET /repos/acme/payments/pulls/42/reviews",
        "GET /repos/acme/payments/pulls/42/files",
        "GET /repos/acme/payments/git/matching-refs/tags/v",
        "GET /repos/acme/payments/collaborators/senior-bob/permission",
        "GET /repos/acme/payments/rules/branches/main",
        "GET /repos/acme/payments/branches/main/protection",
        `GET /repos/acme/payments/commits/${HEAD_SHA}/check-runs`,
        "GET /repos/acme/payments/issues",
        "GET /repos/acme/payments/rulesets/rule-suites",
        "GET /repos/acme/payments/issues",
        "GET /repos/acme/payments/git/ref/tags/v1.4.3",
        "GET /repos/acme/payments/contents/.github/hotfix-guard/post-incident.md",
        "POST /repos/acme/payments/issues",
        "POST /repos/acme/payments/issues/42/labels",
        "POST /repos/acme/payments/issues/42/comments",
        "GET /repos/acme/payments/issues",
      ].sort(),
    );
  });

  it("ticks the follow-up's tag item when the tag appears on the merge commit", async () => {
    const { probot } = await auditProbot();
    const github = new GitHubMock();
    const audit = new AuditMock(github);
    firstAuditReads(github, audit);
    followUpWrites(audit);
    audit.addLabels().createComment().listIssues("hotfix:audit-pending");
    await probot.receive(mergedHotfixEvent());
    audit.listIssues("hotfix:post-incident").tagRef("v1.4.3", MERGE_SHA, true).updateIssue(100);

    await probot.receive(tagCreatedEvent("v1.4.3"));

    expectDone(github);
    expect(audit.createdIssues()[0]?.body).toContain("- [x] Tag `v1.4.3` points at the merge commit `9999999` <!--");
  });

  it("notes a tag that points at another commit instead of ticking it", async () => {
    const { probot } = await auditProbot();
    const github = new GitHubMock();
    const audit = new AuditMock(github);
    firstAuditReads(github, audit);
    followUpWrites(audit);
    audit.addLabels().createComment().listIssues("hotfix:audit-pending");
    await probot.receive(mergedHotfixEvent());
    audit.listIssues("hotfix:post-incident").tagRef("v1.4.3", "b".repeat(40)).updateIssue(100);

    await probot.receive(tagCreatedEvent("v1.4.3"));

    expectDone(github);
    expect(audit.createdIssues()[0]?.body).toContain("- [ ] Tag `v1.4.3` points at the merge commit `9999999` (it points at `bbbbbbb` instead)");
  });
});

describe("a bypass", () => {
  it("with a valid justification: bypass, justified, with GitHub's actor; no audit issue", async () => {
    const { probot } = await auditProbot();
    const github = new GitHubMock();
    const audit = new AuditMock(github);
    firstAuditReads(github, audit, {
      pr: { body: BYPASS_BODY },
      reviews: [ADMIN_APPROVAL],
      permissions: { [ADMIN]: "admin" },
      runs: CI_FAILED,
      ruleSuites: [{ id: 9001, actor: ADMIN, afterSha: MERGE_SHA, pushedAt: "2026-11-23T14:50:02Z" }],
    });
    followUpWrites(audit);
    audit.addLabels().createComment().listIssues("hotfix:audit-pending");

    await probot.receive(mergedHotfixEvent({ body: BYPASS_BODY }));

    expectDone(github);
    const comment = audit.auditComment();
    expect(comment).toContain("## ⚠️ Hotfix merge audit: bypass, justified");
    expect(comment).toContain("**Verdict:** bypass: 2 requirements were not met at the merge");
    expect(comment).toContain("| ❌ | GitHub: required check `ci` | passing on the head commit at the merge | failure (completed 2026-11-23T14:35:00Z) |");
    expect(comment).toContain("bypass recorded by GitHub, actor @\u200bsre-admin");
    expect(comment).toContain("**GitHub's record:** GitHub recorded a ruleset bypass for the merge commit by @\u200bsre-admin at 2026-11-23 14:50 UTC (rule suite 9001).");
    expect(comment).toContain(
      "**Authority:** justified, authorised by @\u200bsre-admin: @\u200bsre-admin is a repository administrator; @\u200bsre-admin approved the pull request at 2026-11-23 14:40 UTC.",
    );
    expect(comment).toContain("| Incident | INC-4521 checkout outage |");
    expect(comment).toContain("| ✅ | Authoriser confirmed |");
    expect(audit.labelsAdded()).toStrictEqual(["hotfix", "hotfix:bypass"]);
    expect(audit.createdIssues()).toHaveLength(1);
    expect(audit.createdIssues()[0]?.body).toContain("- [ ] Retroactive review of the change: it was merged without meeting GitHub: required check `ci`");
  });

  it("with no justification: bypass, not justified; an audit issue for the admins; both labels", async () => {
    const { probot } = await auditProbot();
    const github = new GitHubMock();
    const audit = new AuditMock(github);
    firstAuditReads(github, audit, { runs: CI_FAILED, config: NOTIFY_CONFIG });
    unjustifiedWrites(audit);

    await probot.receive(mergedHotfixEvent());

    expectDone(github);
    const comment = audit.auditComment();
    expect(comment).toContain("## ❌ Hotfix merge audit: bypass, not justified");
    expect(comment).toContain("**Authority:** none: no emergency bypass justification was found in the description or the comments.");
    expect(comment).toContain("- Audit issue: #100\n");
    expect(comment).toContain("- Post-incident review: #101\n");
    expect(comment).toContain("cc @sec-lead @acme/admins");
    expect(audit.labelsAdded()).toStrictEqual(["hotfix", "hotfix:bypass", "hotfix:bypass-unjustified"]);
    const [auditIssue] = audit.createdIssues();
    expect(auditIssue).toMatchObject({ title: "Unjustified hotfix bypass: acme/payments#42", assignees: ["sec-lead"], labels: ["hotfix:bypass", "hotfix:bypass-unjustified"] });
    expect(auditIssue?.body).toContain("- ❌ GitHub: required check `ci`: required passing on the head commit at the merge; present failure (completed 2026-11-23T14:35:00Z)");
    expect(auditIssue?.body).toContain("<!-- hotfix-guard:audit-issue repo=acme/payments pr=42 -->");
  });

  it("costs 16 reads and 4 writes for an unjustified bypass (besides token, configuration and app identity), 3 reads for its redelivery", async () => {
    const { probot } = await auditProbot();
    const github = new GitHubMock();
    const audit = new AuditMock(github);
    firstAuditReads(github, audit, { runs: CI_FAILED });
    unjustifiedWrites(audit);
    const onceInAWhile = (request: string) => request.includes("/app/installations/1") || request.includes("hotfix-guard.yml") || request === "GET /app";

    await probot.receive(mergedHotfixEvent());
    const first = github.requests.filter((request) => !onceInAWhile(request));
    github.requests.length = 0;
    audit.pull(mergedPullObject({ labels: ["hotfix", "hotfix:bypass", "hotfix:bypass-unjustified"] })).listComments();
    github.reviews([BOB_APPROVAL]);
    await probot.receive(mergedHotfixEvent());

    expectDone(github);
    const writes = first.filter((request) => !request.startsWith("GET "));
    expect({ reads: first.length - writes.length, writes: writes.length }).toStrictEqual({ reads: 16, writes: 4 });
    expect(github.requests).toStrictEqual(["GET /repos/acme/payments/pulls/42", "GET /repos/acme/payments/issues/42/comments", "GET /repos/acme/payments/pulls/42/reviews"]);
  });

  it.each([
    {
      name: "an authoriser without admin permission",
      body: `${COMPLETE_BODY}\n${formMarkdown({ authorizedBy: "@senior-bob" })}`,
      seed: [],
      extraPermissions: {},
      check: "| ❌ | Authoriser's authority | @\u200bsenior-bob has write permission; only repository administrators may authorise a bypass |",
    },
    {
      name: "the author as authoriser, confirming with their own command",
      body: `${COMPLETE_BODY}\n${formMarkdown({ authorizedBy: "@dev-alice" })}`,
      seed: [{ id: 11, author: "dev-alice", body: "/hotfix authorize", createdAt: "2026-11-23T14:45:00Z" }],
      extraPermissions: {},
      check: "| ❌ | Authoriser is not the author | @\u200bdev-alice opened the pull request and cannot authorise its bypass |",
    },
    {
      name: "an admin who never acted, named by the author who also wrote the command",
      body: BYPASS_BODY,
      seed: [{ id: 12, author: "dev-alice", body: `/hotfix authorize\n\nOn behalf of @${ADMIN}`, createdAt: "2026-11-23T14:45:00Z" }],
      extraPermissions: { [ADMIN]: "admin" },
      check: "| ❌ | Authoriser confirmed | @\u200bsre-admin neither approved the pull request nor commented `/hotfix authorize`; the form naming them proves nothing |",
    },
    {
      name: "an admin whose /hotfix authorize comment was edited",
      body: BYPASS_BODY,
      seed: [{ id: 13, author: ADMIN, body: "/hotfix authorize", createdAt: "2026-11-23T14:45:00Z", updatedAt: "2026-11-23T14:47:00Z" }],
      extraPermissions: { [ADMIN]: "admin" },
      check: "| ❌ | Authoriser confirmed | @\u200bsre-admin's `/hotfix authorize` comment was edited after it was written, so it does not count |",
    },
    {
      name: "an admin whose command sits in an HTML comment",
      body: BYPASS_BODY,
      seed: [{ id: 14, author: ADMIN, body: "<!-- /hotfix authorize -->", createdAt: "2026-11-23T14:45:00Z" }],
      extraPermissions: { [ADMIN]: "admin" },
      check: "| ❌ | Authoriser confirmed | @\u200bsre-admin neither approved",
    },
  ])("authorised by $name is not justified", async ({ body, seed, extraPermissions, check }) => {
    const { probot } = await auditProbot();
    const github = new GitHubMock();
    const audit = new AuditMock(github);
    for (const comment of seed) audit.seedComment(comment);
    firstAuditReads(github, audit, { pr: { body }, runs: CI_FAILED });
    for (const [login, permission] of Object.entries(extraPermissions)) github.permission(login, permission);
    unjustifiedWrites(audit);

    await probot.receive(mergedHotfixEvent({ body }));

    expectDone(github);
    const comment = audit.auditComment();
    expect(comment).toContain("## ❌ Hotfix merge audit: bypass, not justified");
    expect(comment).toContain(check);
    expect(audit.createdIssues().map((issue) => issue.title)).toContain("Unjustified hotfix bypass: acme/payments#42");
  });

  it('"no reviewer within 2 hours" while a reviewer did answer in time is not justified', async () => {
    const body = `${COMPLETE_BODY}\n${formMarkdown({ bypassReason: "No reviewer available within 2 hours" })}`;
    const { probot } = await auditProbot();
    const github = new GitHubMock();
    const audit = new AuditMock(github);
    audit.seedComment({ id: 15, author: ADMIN, body: "Confirmed on the incident call.\n\n/hotfix authorize", createdAt: "2026-11-23T14:48:00Z" });
    const answered = { reviewer: "senior-bob", state: "COMMENTED", commitId: HEAD_SHA, submittedAt: "2026-11-23T13:10:00Z" };
    firstAuditReads(github, audit, { pr: { body }, reviews: [answered] });
    audit.timeline([{ at: "2026-11-23T12:30:00Z", reviewer: "senior-bob" }]);
    github.permission(ADMIN, "admin");
    unjustifiedWrites(audit);

    await probot.receive(mergedHotfixEvent({ body }));

    expectDone(github);
    const comment = audit.auditComment();
    expect(comment).toContain("| ❌ | Approvals |");
    expect(comment).toContain(
      "| ❌ | No reviewer answered | @\u200bsenior-bob reviewed at 2026-11-23 13:10 UTC, after the request to @\u200bsenior-bob at 2026-11-23 12:30 UTC and before the merge |",
    );
    expect(comment).toContain("| ✅ | Authoriser confirmed | @\u200bsre-admin commented `/hotfix authorize` at 2026-11-23 14:48 UTC |");
  });

  it("quotes the justification with mentions, references and markup neutralised", async () => {
    const body = `${COMPLETE_BODY}\n${formMarkdown({ incident: "#77 see @security-team <b>now</b> 1 < 2 | &#64;evil", riskAssessment: "GH-12 [What risks are accepted]" })}`;
    const { probot } = await auditProbot();
    const github = new GitHubMock();
    const audit = new AuditMock(github);
    firstAuditReads(github, audit, { pr: { body }, reviews: [ADMIN_APPROVAL], permissions: { [ADMIN]: "admin" }, runs: CI_FAILED });
    followUpWrites(audit);
    audit.addLabels().createComment().listIssues("hotfix:audit-pending");

    await probot.receive(mergedHotfixEvent({ body }));

    expectDone(github);
    const comment = audit.auditComment();
    expect(comment).toContain("| Incident | #\u200b77 see @\u200bsecurity-team now 1 &lt; 2 \\| @\u200bevil |");
    expect(comment).toContain("| Risk Assessment | GH-\u200b12 [What risks are accepted] |");
    expect(comment).not.toMatch(/@(security-team|evil)/);
  });
});

describe("the justification after the merge", () => {
  it("flags an edit of the description's justification after the verdict, which stands on the recorded text", async () => {
    const { probot } = await auditProbot();
    const github = new GitHubMock();
    const audit = new AuditMock(github);
    firstAuditReads(github, audit, { pr: { body: BYPASS_BODY }, reviews: [ADMIN_APPROVAL], permissions: { [ADMIN]: "admin" }, runs: CI_FAILED });
    followUpWrites(audit);
    audit.addLabels().createComment().listIssues("hotfix:audit-pending");
    await probot.receive(mergedHotfixEvent({ body: BYPASS_BODY }));
    const editedBody = `${COMPLETE_BODY}\n${formMarkdown({ riskAssessment: "None at all." })}`;
    audit.pull(mergedPullObject({ body: editedBody, labels: ["hotfix", "hotfix:bypass"] })).listComments();
    github.reviews([ADMIN_APPROVAL]);
    audit.updateComment(5000);

    await probot.receive(mergedBodyEditedEvent({ body: editedBody }));

    expectDone(github);
    const comment = audit.auditComment();
    expect(comment).toContain("## ⚠️ Hotfix merge audit: bypass, justified");
    expect(comment).toContain("> ⚠️ **Edited after the verdict:** the description's form was changed after the audit first recorded it.");
    expect(comment).toContain("| Risk Assessment | CI is down; the fix is one line and covered by a new unit test. |");
    expect(comment).not.toContain("None at all.");
  });

  it("closes the audit issue when a valid justification arrives within the window", async () => {
    let clock = NOW;
    const { probot } = await auditProbot(() => clock);
    const github = new GitHubMock();
    const audit = new AuditMock(github);
    firstAuditReads(github, audit, { runs: CI_FAILED });
    unjustifiedWrites(audit);
    await probot.receive(mergedHotfixEvent());

    clock = new Date("2026-11-23T15:06:00Z");
    const form = { id: 21, author: "dev-alice", body: formMarkdown(), createdAt: "2026-11-23T15:05:00Z" };
    const confirm = { id: 22, author: ADMIN, body: "/hotfix authorize", createdAt: "2026-11-23T15:06:00Z" };
    audit.seedComment(form).seedComment(confirm);
    github.permission(ADMIN, "admin");
    audit.pull(mergedPullObject({ labels: ["hotfix", "hotfix:bypass", "hotfix:bypass-unjustified"] })).listComments();
    github.reviews([BOB_APPROVAL]).permission(ADMIN, "admin");
    audit.listComments(100).createComment(100).updateIssue(100).removeLabel("hotfix:bypass-unjustified").updateComment(5000).listIssues("hotfix:audit-pending");

    await probot.receive(pullRequestCommentEvent("created", confirm));

    expectDone(github);
    expect(audit.auditComment()).toContain("## ⚠️ Hotfix merge audit: bypass, justified");
    expect(audit.auditComment()).toContain("- Audit issue: #100 (closed)");
    const closing = audit.comments.find((c) => c.issue === 100);
    expect(closing?.body).toContain("A valid emergency bypass justification is now recorded on acme/payments#42, authorised by @\u200bsre-admin");
    expect(audit.issues.find((i) => i.number === 100)?.state).toBe("closed");
  });

  it("does not accept a justification comment written after the window", async () => {
    let clock = NOW;
    const { probot } = await auditProbot(() => clock);
    const github = new GitHubMock();
    const audit = new AuditMock(github);
    firstAuditReads(github, audit, { runs: CI_FAILED });
    unjustifiedWrites(audit);
    await probot.receive(mergedHotfixEvent());

    clock = new Date("2026-11-23T16:10:00Z");
    const late = { id: 23, author: "dev-alice", body: formMarkdown(), createdAt: "2026-11-23T16:00:00Z" };
    audit.seedComment(late).seedComment({ id: 24, author: ADMIN, body: "/hotfix authorize", createdAt: "2026-11-23T16:01:00Z" });
    audit.pull(mergedPullObject({ labels: ["hotfix", "hotfix:bypass", "hotfix:bypass-unjustified"] })).listComments();
    github.reviews([BOB_APPROVAL]).permission(ADMIN, "admin");
    audit.updateComment(5000).listIssues("hotfix:audit-pending");

    await probot.receive(pullRequestCommentEvent("created", late));

    expectDone(github);
    const comment = audit.auditComment();
    expect(comment).toContain("## ❌ Hotfix merge audit: bypass, not justified");
    expect(comment).toContain("| ❌ | Recorded in time | comment written 2026-11-23 16:00 UTC, after the merge plus 60 minutes (2026-11-23 15:50 UTC) |");
    expect(audit.issues.find((i) => i.number === 100)?.state).toBe("open");
  });
});

describe("commands", () => {
  it.each([
    { name: "a user without admin permission", author: "intern-ivy", permission: "read", reply: "only repository administrators may authorise a bypass (@\u200bintern-ivy has read permission" },
    { name: "the pull request's author", author: "dev-alice", permission: null, reply: "the pull request's author cannot authorise a bypass of their own hotfix." },
  ])("refuses /hotfix authorize from $name, once", async ({ author, permission, reply }) => {
    const { probot } = await auditProbot();
    const github = new GitHubMock().token().config(null).app();
    const audit = new AuditMock(github);
    if (permission) github.permission(author, permission).permission(author, permission);
    audit.listComments().createComment().listComments().listIssues("hotfix:audit-pending");
    const event = pullRequestCommentEvent("created", { id: 31, author, body: "/hotfix authorize", createdAt: "2026-11-23T14:30:00Z" }, { mergedAt: null });

    await probot.receive(event);
    await probot.receive(event);

    expectDone(github);
    const refusals = audit.comments.filter((c) => c.author === BOT);
    expect(refusals).toHaveLength(1);
    expect(refusals[0]?.body).toContain(`@${author} \`/hotfix authorize\` was not accepted: ${reply}`);
  });

  it("answers an unknown command with the ones it knows, and accepts an admin's authorize without a word", async () => {
    const { probot } = await auditProbot();
    const github = new GitHubMock().token().config(null).app();
    const audit = new AuditMock(github);
    github.permission(ADMIN, "admin");
    audit.listComments().createComment().listIssues("hotfix:audit-pending");

    await probot.receive(pullRequestCommentEvent("created", { id: 32, author: "senior-bob", body: "/hotfix approve", createdAt: "2026-11-23T14:30:00Z" }, { mergedAt: null }));
    await probot.receive(pullRequestCommentEvent("created", { id: 33, author: ADMIN, body: "/hotfix authorize", createdAt: "2026-11-23T14:31:00Z" }, { mergedAt: null }));

    expectDone(github);
    expect(audit.comments.map((c) => c.body)).toStrictEqual([expect.stringContaining("@senior-bob `/hotfix approve` was not accepted: the commands are `/hotfix authorize`, `/hotfix request-bypass`, `/hotfix grant-bypass`, `/hotfix deny-bypass`, `/hotfix skip-merge-back`, `/hotfix backport`.")]);
  });

  it("ignores comments that carry neither a command nor a justification", async () => {
    const { probot } = await auditProbot();
    const github = new GitHubMock();

    await probot.receive(pullRequestCommentEvent("created", { id: 34, author: "senior-bob", body: "LGTM, but `/hotfix authorize` is for admins", createdAt: "2026-11-23T14:30:00Z" }));

    expectDone(github);
  });
});

describe("safety", () => {
  it("writes one audit comment, one follow-up and no second label when the same closed delivery arrives twice", async () => {
    const { probot } = await auditProbot();
    const github = new GitHubMock();
    const audit = new AuditMock(github);
    firstAuditReads(github, audit, { runs: CI_FAILED });
    unjustifiedWrites(audit);
    const event = mergedHotfixEvent();
    await probot.receive(event);
    audit.pull(mergedPullObject({ labels: ["hotfix", "hotfix:bypass", "hotfix:bypass-unjustified"] })).listComments();
    github.reviews([BOB_APPROVAL]);

    await probot.receive(event);

    expectDone(github);
    expect(audit.auditComments()).toHaveLength(1);
    expect(audit.createdIssues()).toHaveLength(2);
    expect(audit.writes.map((w) => `${w.method} ${w.path}`)).toStrictEqual([
      "POST /repos/acme/payments/issues",
      "POST /repos/acme/payments/issues",
      "POST /repos/acme/payments/issues/42/labels",
      "POST /repos/acme/payments/issues/42/comments",
    ]);
  });

  it("writes each item once when two deliveries of the merge are processed at the same time", async () => {
    const { probot } = await auditProbot();
    const github = new GitHubMock();
    const audit = new AuditMock(github);
    firstAuditReads(github, audit, { runs: CI_FAILED });
    unjustifiedWrites(audit);
    audit.pull(mergedPullObject({ labels: ["hotfix", "hotfix:bypass", "hotfix:bypass-unjustified"] })).listComments();
    github.reviews([BOB_APPROVAL]);
    const event = mergedHotfixEvent();

    await Promise.all([probot.receive(event), probot.receive({ ...event })]);

    expectDone(github);
    expect(audit.auditComments()).toHaveLength(1);
    expect(audit.createdIssues()).toHaveLength(2);
  });

  it("reports a failed issue write as failed, fails the delivery, and completes on redelivery", async () => {
    const { probot } = await auditProbot();
    const github = new GitHubMock();
    const audit = new AuditMock(github);
    firstAuditReads(github, audit, { runs: CI_FAILED });
    audit.listIssues("hotfix:bypass-unjustified").createIssue("acme/payments", 500);
    followUpWrites(audit);
    audit.addLabels().createComment();
    const event = mergedHotfixEvent();

    await expect(probot.receive(event)).rejects.toThrow();

    expect(audit.auditComment()).toContain("- Audit issue: **could not be written** (audit issue in acme/payments: HTTP 500); it is retried when this audit runs again.");
    expect(audit.labelsAdded()).toStrictEqual(["hotfix", "hotfix:bypass", "hotfix:bypass-unjustified", "hotfix:audit-pending"]);
    expect(audit.createdIssues().map((i) => i.labels)).toStrictEqual([["hotfix:post-incident"]]);

    audit.pull(mergedPullObject({ labels: ["hotfix", "hotfix:bypass", "hotfix:bypass-unjustified", "hotfix:audit-pending"] })).listComments();
    github.reviews([BOB_APPROVAL]);
    audit.listIssues("hotfix:bypass-unjustified").createIssue().removeLabel("hotfix:audit-pending").updateComment(5000).listIssues("hotfix:audit-pending");

    await probot.receive(event);

    expectDone(github);
    expect(audit.auditComment()).toContain("- Audit issue: #101\n");
    expect(audit.createdIssues().map((i) => i.title)).toStrictEqual([
      "Post-incident review: hotfix(payments): default the currency code (hotfix #42)",
      "Unjustified hotfix bypass: acme/payments#42",
    ]);
  });

  it("asks the store's scheduler to audit again in 5 minutes while a write has failed", async () => {
    const scheduled: { kind: string; key: string; payload: unknown; runAt: Date }[] = [];
    const probot = new Probot(TEST_PROBOT_OPTIONS);
    const services = createServices({
      now: () => NOW,
      identity: { appId: APP_ID, appOctokit: () => probot.auth() },
      scheduler: { schedule: async (kind, key, payload, runAt) => (scheduled.push({ kind, key, payload, runAt }), true) },
    });
    await probot.load((app) => registerAuditOnly(app, services), { cwd: process.cwd(), addHandler: () => undefined });
    const github = new GitHubMock();
    const audit = new AuditMock(github);
    firstAuditReads(github, audit, { runs: CI_FAILED });
    audit.listIssues("hotfix:bypass-unjustified").createIssue("acme/payments", 500);
    followUpWrites(audit);
    audit.addLabels().createComment();

    await expect(probot.receive(mergedHotfixEvent())).rejects.toThrow();

    expectDone(github);
    expect(scheduled).toStrictEqual([
      {
        kind: MERGE_AUDIT_RECHECK,
        key: expect.stringMatching(/^merge-audit-recheck:acme\/payments#42@\d+$/),
        payload: { repo: { owner: "acme", repo: "payments" }, number: 42, installationId: 1 },
        runAt: new Date(NOW.getTime() + 5 * 60_000),
      },
    ]);
  });

  it("re-checks GitHub's rule-suite record on the next event in the repository, and records a late bypass", async () => {
    let clock = NOW;
    const { probot } = await auditProbot(() => clock);
    const github = new GitHubMock();
    const audit = new AuditMock(github);
    firstAuditReads(github, audit, { ruleSuites: [] });
    followUpWrites(audit);
    audit.addLabels().createComment().listIssues("hotfix:audit-pending");
    await probot.receive(mergedHotfixEvent());
    expect(audit.auditComment()).toContain("no ruleset bypass recorded yet; GitHub's record can lag the merge, so it is checked again on the next event in this repository.");
    expect(audit.labelsAdded()).toStrictEqual(["hotfix", "hotfix:audit-pending"]);

    clock = new Date("2026-11-23T15:20:00Z");
    audit.seedIssue({ number: 42, isPullRequest: true, labels: ["hotfix", "hotfix:audit-pending"], author: "dev-alice" });
    audit.listIssues("hotfix:post-incident").listIssues("hotfix:audit-pending");
    audit.pull(mergedPullObject({ labels: ["hotfix", "hotfix:audit-pending"] })).listComments();
    github.reviews([BOB_APPROVAL]);
    audit.ruleSuites([{ id: 9002, actor: ADMIN, afterSha: MERGE_SHA, pushedAt: "2026-11-23T14:50:03Z" }]);
    audit.listIssues("hotfix:bypass-unjustified").createIssue().addLabels().removeLabel("hotfix:audit-pending").updateComment(5000);

    await probot.receive(tagCreatedEvent("v0.0.9"));

    expectDone(github);
    const comment = audit.auditComment();
    expect(comment).toContain("## ❌ Hotfix merge audit: bypass, not justified");
    expect(comment).toContain("**GitHub's record:** GitHub recorded a ruleset bypass for the merge commit by @\u200bsre-admin");
    expect(audit.labelsAdded()).toStrictEqual(["hotfix", "hotfix:audit-pending", "hotfix:bypass", "hotfix:bypass-unjustified"]);
  });
});

describe("the central audit repository", () => {
  it("receives the audit issue of an unjustified bypass", async () => {
    const { probot } = await auditProbot();
    const github = new GitHubMock();
    const audit = new AuditMock(github);
    firstAuditReads(github, audit, { runs: CI_FAILED, config: "audit:\n  repository: acme/hotfix-audit\n" });
    unjustifiedWrites(audit, "acme/hotfix-audit");

    await probot.receive(mergedHotfixEvent());

    expectDone(github);
    expect(audit.auditComment()).toContain("- Audit issue: acme/hotfix-audit#100\n");
    expect(audit.createdIssues().find((i) => i.repo === "acme/hotfix-audit")?.title).toBe("Unjustified hotfix bypass: acme/payments#42");
  });
});

describe("a direct push to the production branch", () => {
  it("opens one audit issue naming the pusher and the commits outside any pull request", async () => {
    const { probot } = await auditProbot();
    const github = new GitHubMock().token().config(NOTIFY_CONFIG).app();
    const audit = new AuditMock(github);
    const commits = [
      { sha: "c".repeat(40), message: "Quick fix for checkout\n\nno time for a PR" },
      { sha: "d".repeat(40), message: "Fix the quick fix @security-team #12" },
    ];
    audit.commitPulls("d".repeat(40), []).commitPulls("c".repeat(40), [{ number: 40, base: "develop", merged: true }]);
    audit.listIssues("hotfix:bypass-unjustified").createIssue().listIssues("hotfix:audit-pending");
    const event = mainPushEvent(commits, { forced: true, pusher: "dev-mallory" });

    await probot.receive(event);
    audit.commitPulls("d".repeat(40), []).commitPulls("c".repeat(40), []).listIssues("hotfix:bypass-unjustified");
    await probot.receive(event);

    expectDone(github);
    expect(audit.createdIssues()).toHaveLength(1);
    const [issue] = audit.createdIssues();
    expect(issue).toMatchObject({ title: "Direct push to main outside any pull request: ddddddd", assignees: ["sec-lead"], labels: ["hotfix:bypass", "hotfix:bypass-unjustified"] });
    expect(issue?.body).toContain("@\u200bdev-mallory pushed directly to the production branch `main` at 2026-11-23 15:00 UTC (a **force push**): 2 commits belong to no merged pull request into `main`");
    expect(issue?.body).toContain("| `ccccccc` | Quick fix for checkout | dev-alice |");
    expect(issue?.body).toContain("| `ddddddd` | Fix the quick fix @\u200bsecurity-team #\u200b12 | dev-alice |");
    expect(issue?.body).toContain("cc @sec-lead @acme/admins");
  });

  it("says nothing about the push of a pull request's merge", async () => {
    const { probot } = await auditProbot();
    const github = new GitHubMock().token().config(null);
    const audit = new AuditMock(github);
    audit.commitPulls(MERGE_SHA, [{ number: 42, base: "main", merged: true }]).listIssues("hotfix:audit-pending");

    await probot.receive(mainPushEvent([{ sha: HEAD_SHA, message: "hotfix(payments): x" }, { sha: MERGE_SHA, message: "Merge pull request #42" }]));

    expectDone(github);
    expect(audit.writes).toStrictEqual([]);
  });
});

describe("protection changes", () => {
  it("are logged once each and appear in the audit of a merge made while protection was off", async () => {
    let clock = new Date("2026-11-23T14:45:00Z");
    const { probot } = await auditProbot(() => clock);
    const github = new GitHubMock().token().config(null).app();
    const audit = new AuditMock(github);
    audit.listIssues("hotfix:protection-log").createIssue().createComment(100).listIssues("hotfix:audit-pending");
    const switchedOff = protectionRuleEvent("deleted", "main");
    await probot.receive(switchedOff);
    audit.listIssues("hotfix:protection-log").listComments(100);
    await probot.receive(switchedOff);
    await probot.receive(rulesetEvent("created", { name: "release branches", include: ["refs/heads/release/*"] }));
    expect(audit.comments.filter((c) => c.issue === 100)).toHaveLength(1);

    clock = NOW;
    audit.pull(mergedPullObject()).listComments();
    github.reviews([BOB_APPROVAL]).files(FILES).tags(["v1.4.2"]).permission("senior-bob", "write");
    audit.rules(branchRules(1, ["ci", "Hotfix Guard"])).protection(404).checkRuns(HEAD_SHA, CHECKS_PASSED).listIssues("hotfix:protection-log").listComments(100).ruleSuites(403);
    unjustifiedWrites(audit);

    await probot.receive(mergedHotfixEvent());

    expectDone(github);
    const comment = audit.auditComment();
    expect(comment).toContain("## ❌ Hotfix merge audit: bypass, not justified");
    expect(comment).toContain("| ❌ | Protection unchanged while the hotfix was open |");
    expect(comment).toContain("branch protection rule `main` deleted by @\u200bsre-admin at 2026-11-23T14:45:00.000Z");
    expect(audit.issues.find((i) => i.number === 100)?.title).toBe("Hotfix Guard protection log: acme/payments");
  });
});

describe("approvals at the merge, counted as the pre-merge check counts them", () => {
  const APPROVED = "0badc0de".repeat(5);
  const BASE_SHA = "ba5e".repeat(10);
  const ON_BASE = { base: { ...mergedPullObject().base, sha: BASE_SHA } };
  const EARLIER_APPROVAL = { ...BOB_APPROVAL, commitId: APPROVED };
  const OWN_CHANGE = [
    { filename: "src/payments/charge.ts", sha: "c".repeat(40), patch: "@@ -1 +1 @@\n-a\n+b" },
    { filename: "src/payments/charge.test.ts", sha: "d".repeat(40), patch: "@@ -0,0 +1 @@\n+t" },
  ];

  function approvalsRow(comment: string): string {
    return comment.split("\n").find((line) => line.includes("| Approvals |")) ?? "";
  }

  /** Audits the merge with the scenario's reads and the given comparisons; returns the audit comment once nothing is pending. */
  async function auditAtMerge(scenario: FirstAudit, compares: (github: GitHubMock) => void, compliant: boolean): Promise<string> {
    const { probot } = await auditProbot();
    const github = new GitHubMock();
    const audit = new AuditMock(github);
    firstAuditReads(github, audit, scenario);
    compares(github);
    if (compliant) {
      followUpWrites(audit);
      audit.addLabels().createComment().listIssues("hotfix:audit-pending");
    } else unjustifiedWrites(audit);

    await probot.receive(mergedHotfixEvent());

    expectDone(github);
    return audit.auditComment();
  }

  it("keeps an approval across an 'Update branch' merge of the base: compliant at the merge", async () => {
    const comment = await auditAtMerge({ pull: ON_BASE, reviews: [EARLIER_APPROVAL] }, (github) => github.compare(BASE_SHA, HEAD_SHA, { files: OWN_CHANGE }).compare(BASE_SHA, APPROVED, { files: OWN_CHANGE }), true);

    expect(comment).toContain("## ✅ Hotfix merge audit: compliant");
    expect(approvalsRow(comment)).toContain("| ✅ | Approvals |");
    expect(approvalsRow(comment)).toContain("approval on 0badc0d kept: only the base branch was merged in since");
  });

  it("finds an approval stale when a real push followed it: a bypass, not justified", async () => {
    const pushed = [...OWN_CHANGE, { filename: "src/payments/refund.ts", sha: "e".repeat(40), patch: "@@ -1 +1 @@\n-x\n+y" }];
    const comment = await auditAtMerge({ pull: ON_BASE, reviews: [EARLIER_APPROVAL] }, (github) => github.compare(BASE_SHA, HEAD_SHA, { files: pushed }).compare(BASE_SHA, APPROVED, { files: OWN_CHANGE }), false);

    expect(comment).toContain("## ❌ Hotfix merge audit: bypass, not justified");
    expect(approvalsRow(comment)).toContain("| ❌ | Approvals |");
    expect(approvalsRow(comment)).toContain("approval given on 0badc0d, before the latest push");
  });

  it("keeps an approval across a listed bot's verified commits (approvals.keep_on_pushes_by)", async () => {
    const config = 'approvals:\n  keep_on_base_merge: false\n  keep_on_pushes_by: ["renovate[bot]"]\n';
    const comment = await auditAtMerge(
      { pull: ON_BASE, reviews: [EARLIER_APPROVAL], config },
      (github) =>
        github
          .compare(BASE_SHA, HEAD_SHA, { files: [] })
          .compare(BASE_SHA, APPROVED, { files: OWN_CHANGE })
          .compare(APPROVED, HEAD_SHA, { commits: [{ sha: "f".repeat(40), by: "renovate[bot]" }] }),
      true,
    );

    expect(comment).toContain("## ✅ Hotfix merge audit: compliant");
    expect(approvalsRow(comment)).toContain("kept: only verified commits by @\u200brenovate[bot] since");
  });

  it("does not count an approver whose review was requested again before the merge", async () => {
    const comment = await auditAtMerge({ pull: { requested_reviewers: [{ login: "Senior-Bob", id: 7, type: "User" }] } }, () => undefined, false);

    expect(comment).toContain("## ❌ Hotfix merge audit: bypass, not justified");
    expect(approvalsRow(comment)).toContain("review requested again since the approval");
  });
});
