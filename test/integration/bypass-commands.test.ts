/**
 * Bypass commands on an open hotfix, end to end against nock: a request asks the repository's
 * administrators once (a redelivery writes nothing twice) and the check run says "Bypass
 * requested"; an admin's grant gets the reply that records its commit and the check says who
 * granted it, until when, for which commit; the author granting their own bypass is refused.
 */
import { describe, expect, it } from "vitest";
import { HEAD_SHA } from "../helpers/builders.js";
import { GitHubMock, probotWith } from "../helpers/app.js";
import { pullRequestObject } from "../helpers/fixtures.js";
import { pullRequestCommentEvent } from "../helpers/audit-fixtures.js";
import { AuditMock, BOT } from "../helpers/audit-mocks.js";
import { ADMIN, AUTHOR } from "../helpers/audit-builders.js";
import { registerBypassCommandHandlers } from "../../src/handlers/bypass-commands.js";
import { bypassRequestMarker, grantBindingMarker } from "../../src/model/records.js";

const FILES = [
  { filename: "src/payments/charge.ts", additions: 4, deletions: 3 },
  { filename: "src/payments/charge.test.ts", additions: 8, deletions: 0 },
];
const REQUEST = { id: 71, author: AUTHOR, body: "/hotfix request-bypass Production completely down", createdAt: "2026-11-23T14:00:00Z" };
const GRANT = { id: 72, author: ADMIN, body: "/hotfix grant-bypass 90m", createdAt: "2026-11-23T14:10:00Z" };
const open = { mergedAt: null };

function withComments<T extends Record<string, unknown>>(pr: T, count: number): T {
  return { ...pr, comments: count };
}

/** `GET /activity?ref=refs/heads/<hotfix branch>`: the branch's pushes (newest first), or an error status. */
function branchActivity(github: GitHubMock, pushes: { sha: string; at: string }[] | number): GitHubMock {
  const interceptor = github.scope.get("/repos/acme/payments/activity").query((query) => query.ref === "refs/heads/hotfix/v1.4.3-default-currency");
  if (typeof pushes === "number") interceptor.reply(pushes, { message: "Resource not accessible by integration" });
  else interceptor.reply(200, pushes.map((push, i) => ({ id: i + 1, before: "0".repeat(40), after: push.sha, ref: "refs/heads/hotfix/v1.4.3-default-currency", timestamp: push.at, activity_type: "push", actor: { login: AUTHOR } })));
  return github;
}

describe("/hotfix request-bypass", () => {
  it("asks the repository administrators once, and the check run says Bypass requested; a redelivery writes nothing twice", async () => {
    const probot = await probotWith(registerBypassCommandHandlers);
    const github = new GitHubMock().token().config(null).app();
    const audit = new AuditMock(github).seedComment({ ...REQUEST });
    github.scope.get("/repos/acme/payments/pulls/42").times(4).reply(200, withComments(pullRequestObject({}), 1));
    github.scope.get("/repos/acme/payments/collaborators").query({ permission: "admin", per_page: "100" }).reply(200, [
      { login: ADMIN, type: "User" },
      { login: "deploy-bot[bot]", type: "Bot" },
    ]);
    audit.listComments(42, "acme/payments", 4).createComment();
    github.files(FILES).files(FILES).reviews([]).reviews([]).tags(["v1.4.2"]).tags(["v1.4.2"]).reviewRequests(["2026-11-23T13:30:00Z"]).reviewRequests(["2026-11-23T13:30:00Z"]);
    github.listCheckRuns(HEAD_SHA, 2).createCheckRun();

    const event = pullRequestCommentEvent("created", REQUEST, open);
    await probot.receive(event);
    await probot.receive(event);

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    const replies = audit.comments.filter((c) => c.author === BOT);
    expect(replies).toHaveLength(1);
    expect(replies[0]?.body).toContain(`@${ADMIN}: @\u200b${AUTHOR} requests an emergency bypass of the hotfix policy: **Production completely down**.`);
    expect(replies[0]?.body).not.toContain("deploy-bot");
    expect(replies[0]?.body).toContain(bypassRequestMarker(71));
    const run = github.lastWrite();
    expect(run.output.title).toMatch(/· Bypass requested$/);
    expect(run.output.summary).toContain("| ⚠️ | Bypass requested | bypass requested by @");
    expect(run.output.summary).toContain("| ⚠️ | Bypass justification | no justification form yet");
  });

  it("refuses a request with a reason that is not allowed, once, and asks no one", async () => {
    const probot = await probotWith(registerBypassCommandHandlers);
    const github = new GitHubMock().token().config(null).app();
    const bad = { ...REQUEST, body: "/hotfix request-bypass the release train leaves at five" };
    const audit = new AuditMock(github).seedComment({ ...bad });
    github.scope.get("/repos/acme/payments/pulls/42").times(2).reply(200, withComments(pullRequestObject({}), 1));
    audit.listComments(42, "acme/payments", 3).createComment();
    github.files(FILES).reviews([]).tags(["v1.4.2"]).reviewRequests(["2026-11-23T13:30:00Z"]).listCheckRuns(HEAD_SHA).createCheckRun();

    await probot.receive(pullRequestCommentEvent("created", bad, open));

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    const replies = audit.comments.filter((c) => c.author === BOT);
    expect(replies.map((c) => c.body)).toStrictEqual([expect.stringContaining('`/hotfix request-bypass` was not accepted: "the release train leaves at five" is not an allowed reason')]);
    expect(github.lastWrite().output.summary).toContain("did not count");
  });
});

describe("/hotfix grant-bypass", () => {
  it("by an admin: a reply records the head commit, and the check run says who granted it, until when, for which commit", async () => {
    const probot = await probotWith(registerBypassCommandHandlers);
    const github = new GitHubMock().token().config(null).app();
    const audit = new AuditMock(github).seedComment({ ...REQUEST }).seedComment({ ...GRANT });
    github.scope.get("/repos/acme/payments/pulls/42").times(2).reply(200, withComments(pullRequestObject({}), 2));
    github.permission(ADMIN, "admin").permission(ADMIN, "admin");
    audit.listComments(42, "acme/payments", 2).createComment();
    branchActivity(github, [{ sha: HEAD_SHA, at: "2026-11-23T13:00:00Z" }]);
    github.files(FILES).reviews([]).tags(["v1.4.2"]).reviewRequests(["2026-11-23T13:30:00Z"]).listCheckRuns(HEAD_SHA).createCheckRun();

    await probot.receive(pullRequestCommentEvent("created", GRANT, open));

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    const replies = audit.comments.filter((c) => c.author === BOT);
    expect(replies).toHaveLength(1);
    expect(replies[0]?.body).toContain(`Bypass granted by @\u200b${ADMIN} at 2026-11-23 14:10 UTC, until 2026-11-23 15:40 UTC, for commit \`${HEAD_SHA.slice(0, 7)}\``);
    expect(replies[0]?.body).toContain(grantBindingMarker(72, HEAD_SHA));
    const run = github.lastWrite();
    expect(run.output.title).toMatch(/· Bypass granted$/);
    expect(run.output.summary).toContain(`| ✅ | Bypass granted | bypass granted by @`);
    expect(run.output.summary).toContain("until 2026-11-23 15:40 UTC, for commit a1b2c3d");
  });

  it.each([
    { name: "a push that landed seconds after the grant was written", activity: [{ sha: "5eed".repeat(10), at: "2026-11-23T14:10:04Z" }, { sha: HEAD_SHA, at: "2026-11-23T13:00:00Z" }], bound: HEAD_SHA, title: /· Bypass grant for an older commit$/ },
    { name: "an unreadable push record (the window of a few seconds stays open)", activity: 403, bound: "5eed".repeat(10), title: /· Bypass granted$/ },
  ])("is bound to the commit the branch pointed at when it was written, despite $name", async ({ activity, bound, title }) => {
    const probot = await probotWith(registerBypassCommandHandlers);
    const github = new GitHubMock().token().config(null).app();
    const audit = new AuditMock(github).seedComment({ ...GRANT });
    const pushed = withComments(pullRequestObject({ headSha: "5eed".repeat(10) }), 1);
    github.scope.get("/repos/acme/payments/pulls/42").times(2).reply(200, pushed);
    github.permission(ADMIN, "admin").permission(ADMIN, "admin");
    audit.listComments(42, "acme/payments", 2).createComment();
    branchActivity(github, activity);
    github.files(FILES).reviews([]).tags(["v1.4.2"]).reviewRequests(["2026-11-23T13:30:00Z"]).listCheckRuns("5eed".repeat(10)).createCheckRun();

    await probot.receive(pullRequestCommentEvent("created", GRANT, open));

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    const replies = audit.comments.filter((c) => c.author === BOT);
    expect(replies.map((reply) => reply.body)).toStrictEqual([expect.stringContaining(grantBindingMarker(72, bound))]);
    expect(github.lastWrite().output.title).toMatch(title);
  });

  it("by the pull request's author: refused, no commit recorded, no grant shown", async () => {
    const probot = await probotWith(registerBypassCommandHandlers);
    const github = new GitHubMock().token().config(null).app();
    const own = { ...GRANT, author: AUTHOR };
    const audit = new AuditMock(github).seedComment({ ...own });
    github.scope.get("/repos/acme/payments/pulls/42").times(2).reply(200, withComments(pullRequestObject({}), 1));
    audit.listComments(42, "acme/payments", 3).createComment();
    branchActivity(github, [{ sha: HEAD_SHA, at: "2026-11-23T13:00:00Z" }]);
    github.files(FILES).reviews([]).tags(["v1.4.2"]).reviewRequests(["2026-11-23T13:30:00Z"]).listCheckRuns(HEAD_SHA).createCheckRun();

    await probot.receive(pullRequestCommentEvent("created", own, open));

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    const replies = audit.comments.filter((c) => c.author === BOT).map((c) => c.body);
    expect(replies).toStrictEqual([expect.stringContaining("`/hotfix grant-bypass` was not accepted: the pull request's author cannot grant or deny a bypass of their own hotfix.")]);
    expect(github.lastWrite().output.title).toMatch(/· Bypass commands$/);
  });

  it("by a bot: no reply at all, the command is not one", async () => {
    const probot = await probotWith(registerBypassCommandHandlers);
    const github = new GitHubMock().token().config(null).app();
    const bot = { ...GRANT, author: "deploy-bot[bot]" };
    const audit = new AuditMock(github).seedComment({ ...bot });
    github.scope.get("/repos/acme/payments/pulls/42").times(2).reply(200, withComments(pullRequestObject({}), 1));
    audit.listComments(42, "acme/payments", 2);
    github.files(FILES).reviews([]).tags(["v1.4.2"]).reviewRequests(["2026-11-23T13:30:00Z"]).listCheckRuns(HEAD_SHA).createCheckRun();

    await probot.receive(pullRequestCommentEvent("created", bot, open));

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(audit.comments.filter((c) => c.author === BOT)).toStrictEqual([]);
    expect(github.lastWrite().output.summary).toContain("written by a bot; a bot's command never counts");
  });

  it("edited: no reply, and the re-evaluated check says the edited grant counts for nothing", async () => {
    const probot = await probotWith(registerBypassCommandHandlers);
    const github = new GitHubMock().token().config(null).app();
    const edited = { ...GRANT, updatedAt: "2026-11-23T14:20:00Z" };
    const audit = new AuditMock(github).seedComment({ ...edited }).seedComment({ id: 900, author: BOT, body: grantBindingMarker(72, HEAD_SHA), createdAt: GRANT.createdAt });
    github.scope.get("/repos/acme/payments/pulls/42").times(2).reply(200, withComments(pullRequestObject({}), 2));
    github.permission(ADMIN, "admin");
    audit.listComments();
    github.files(FILES).reviews([]).tags(["v1.4.2"]).reviewRequests(["2026-11-23T13:30:00Z"]).listCheckRuns(HEAD_SHA).createCheckRun();

    await probot.receive(pullRequestCommentEvent("edited", edited, { ...open, previousBody: "/hotfix grant-bypass 2h" }));

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(audit.comments.filter((c) => c.author === BOT && c.id !== 900)).toStrictEqual([]);
    const run = github.lastWrite();
    expect(run.output.title).toMatch(/· Bypass commands$/);
    expect(run.output.summary).toContain("an edited command counts for nothing");
  });
});
