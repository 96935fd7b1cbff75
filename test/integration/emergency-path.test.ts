/**
 * Seed 001's emergency path end to end on the durable app (issue 14): a hotfix nobody reviews,
 * the escalation ladder under a fake clock (asks @acme/seniors, then @acme/oncall, then tells the
 * chat), `/hotfix request-bypass` by the author, `/hotfix grant-bypass` by an administrator, the
 * merge by the administrator without an approval and with the justification form, the audit's
 * "justified bypass" (the grant as authority, the ladder as evidence), the deployment gate's
 * approval, and the hotfix log's timeline holding each step with its time. Then the forgeries: a
 * grant by the author, by someone without admin permission, edited after it was written, or for an
 * older commit leaves the bypass unjustified and the deployment rejected. A redelivery of every
 * event writes nothing more. GitHub is a small stateful fake on nock; the chat a local fake.
 */
import { describe, expect, it } from "vitest";
import { grantBindingMarker } from "../../src/model/records.js";
import { durableServerWithChat } from "../helpers/durable-chat.js";
import { COMPLETE_BODY, HEAD_SHA } from "../helpers/builders.js";
import { pullRequestEvent } from "../helpers/fixtures.js";
import { pullRequestCommentEvent } from "../helpers/audit-fixtures.js";
import { formMarkdown } from "../helpers/audit-builders.js";
import { EmergencyGitHub } from "../helpers/emergency-github.js";

const BOT = "hotfix-guard[bot]";
const ADMIN = "sre-admin";
const AUTHOR = "dev-alice";
const MERGE_SHA = "9".repeat(40);
const BASE_SHA = "ba5e".repeat(10);
const OPENED = new Date("2026-11-23T14:02:00Z");
const MINUTE = 60_000;
const CONFIG = `escalation:
  ladder:
    - { after_minutes: 0, request_review: [acme/seniors] }
    - { after_minutes: 30, request_review: [acme/oncall] }
    - { after_minutes: 60, notify: true }
merge_back:
  targets: [develop]
notifications:
  routes:
    - { events: [review-escalated, bypass-requested, bypass-justified, bypass-unjustified], to: [incidents] }
`;
const FORM = formMarkdown({ bypassReason: "No reviewer available within 2 hours", authorizedBy: `@${ADMIN}`, timestamp: "2026-11-23 16:08 UTC" });

type Delivery = { id: string; name: string; payload: any };

/** What a forgery changes in the grant step. */
interface GrantStep {
  /** Who writes `/hotfix grant-bypass`. */
  readonly by: string;
  /** The grant comment is edited a minute after it was written (and after the app answered it). */
  readonly editedAfter?: boolean;
  /** A commit is pushed after the grant, before the merge. */
  readonly pushAfter?: boolean;
}

describe("seed 001's emergency path, end to end", () => {
  const h = durableServerWithChat(OPENED);

  function chat(): string[] {
    return h.fake.to("/slack/incidents").map((request) => (JSON.parse(request.body) as { text: string }).text.split("\n")[0] ?? "");
  }

  /** Delivers an event and runs every job due now (the delivery, timed steps, chat messages). */
  async function deliver(delivery: Delivery): Promise<void> {
    expect((await h.server.deliver(delivery)).status).toBe(202);
    await h.server.runtime.worker.drain();
  }

  /** Moves the clock to `iso` and runs what is due then. */
  async function at(iso: string): Promise<void> {
    h.clock.advance(Date.parse(iso) - h.clock.now().getTime());
    await h.server.runtime.worker.drain();
  }

  function reviewRequested(github: EmergencyGitHub, team: string): Delivery {
    return pullRequestEvent("review_requested", {}, { pull_request: github.pullObject(), requested_team: { slug: team, name: team }, sender: { login: BOT, type: "Bot" } });
  }

  /** Runs the path up to the merge and the deployment; returns the deliveries in order. */
  async function emergencyPath(github: EmergencyGitHub, grant: GrantStep): Promise<Delivery[]> {
    const deliveries: Delivery[] = [];
    const send = async (delivery: Delivery) => {
      deliveries.push(delivery);
      await deliver(delivery);
    };
    await send(pullRequestEvent("opened", {}, { pull_request: github.pullObject() }));
    await send(reviewRequested(github, "seniors"));
    await at("2026-11-23T14:32:00Z");
    await send(reviewRequested(github, "oncall"));
    await at("2026-11-23T15:02:00Z");

    await at("2026-11-23T15:10:00Z");
    const request = github.comment(AUTHOR, "/hotfix request-bypass No reviewer available within 2 hours", h.clock.now().toISOString());
    await send(pullRequestCommentEvent("created", { id: request.id, author: AUTHOR, body: request.body, createdAt: request.createdAt }, { mergedAt: null }));

    await at("2026-11-23T16:05:00Z");
    const granted = github.comment(grant.by, "/hotfix grant-bypass 2h", h.clock.now().toISOString());
    await send(pullRequestCommentEvent("created", { id: granted.id, author: grant.by, body: granted.body, createdAt: granted.createdAt }, { mergedAt: null }));
    if (grant.editedAfter) {
      await at("2026-11-23T16:06:00Z");
      const before = granted.body;
      Object.assign(granted, { body: "/hotfix grant-bypass 8h", updatedAt: h.clock.now().toISOString() });
      await send(pullRequestCommentEvent("edited", { id: granted.id, author: grant.by, body: granted.body, createdAt: granted.createdAt, updatedAt: granted.updatedAt }, { mergedAt: null, previousBody: before }));
    }
    if (grant.pushAfter) {
      await at("2026-11-23T16:07:00Z");
      github.push("5eed".repeat(10));
      await send(pullRequestEvent("synchronize", {}, { pull_request: github.pullObject(), before: HEAD_SHA, after: github.pull.headSha }));
    }

    await at("2026-11-23T16:08:00Z");
    const withoutForm = github.pull.body;
    github.pull.body = `${COMPLETE_BODY}\n${FORM.replace("@sre-admin", `@${grant.by}`)}`;
    await send(pullRequestEvent("edited", {}, { pull_request: github.pullObject(), changes: { body: { from: withoutForm } } }));

    await at("2026-11-23T16:10:00Z");
    Object.assign(github.pull, { state: "closed", mergedAt: h.clock.now().toISOString(), mergedBy: ADMIN, mergeCommitSha: MERGE_SHA });
    await send(pullRequestEvent("closed", {}, { pull_request: github.pullObject(), sender: { login: ADMIN, type: "User" } }));

    await at("2026-11-23T16:20:00Z");
    await send(deploymentEvent(github));
    return deliveries;
  }

  function deploymentEvent(github: EmergencyGitHub): Delivery {
    const base = pullRequestEvent("opened", {}, { pull_request: github.pullObject() }).payload;
    return {
      id: "delivery-deployment-production",
      name: "deployment_protection_rule",
      payload: {
        action: "requested",
        environment: "production",
        event: "push",
        deployment_callback_url: "https://api.github.com/repos/acme/payments/actions/runs/555/deployment_protection_rule",
        deployment: { id: 1, sha: MERGE_SHA, ref: "main", environment: "production" },
        pull_requests: [],
        repository: base.repository,
        installation: base.installation,
        sender: base.sender,
      },
    };
  }

  function newGitHub(): EmergencyGitHub {
    const github = new EmergencyGitHub(
      { body: COMPLETE_BODY, headSha: HEAD_SHA, baseSha: BASE_SHA, state: "open", mergedAt: null, mergedBy: null, mergeCommitSha: null, requestedTeams: [], labels: [] },
      CONFIG,
      h.clock.now,
      [ADMIN],
    );
    Object.assign(github.permissions, { [ADMIN]: "admin", [AUTHOR]: "write", "senior-bob": "write" });
    return github;
  }

  function auditComment(github: EmergencyGitHub): string {
    const found = github.comments.filter((comment) => comment.author === BOT && comment.body.includes("<!-- hotfix-guard:audit pr=42 -->"));
    expect(found).toHaveLength(1);
    return found[0]?.body ?? "";
  }

  it("no reviewer, escalation, request, grant, merge, justification, deployment: each step verified and timestamped, nothing written twice", async () => {
    const github = newGitHub();

    const deliveries = await emergencyPath(github, { by: ADMIN });

    expect(github.unknown).toStrictEqual([]);
    expect(github.timeline.map((entry) => `${entry.team} at ${entry.at} by ${entry.by}`)).toStrictEqual([
      `seniors at 2026-11-23T14:02:00.000Z by ${BOT}`,
      `oncall at 2026-11-23T14:32:00.000Z by ${BOT}`,
    ]);
    expect(chat()).toStrictEqual(["*📣 HOTFIX STILL WAITING FOR REVIEW: ESCALATED*", "*🙋 EMERGENCY BYPASS REQUESTED*", "*🛡️ HOTFIX MERGED WITH A JUSTIFIED EMERGENCY BYPASS*"]);
    const replies = github.comments.filter((comment) => comment.author === BOT && comment.issue === 42);
    expect(replies.some((reply) => reply.body.includes(grantBindingMarker(github.comments.find((c) => c.author === ADMIN)?.id ?? 0, HEAD_SHA)))).toBe(true);

    const audit = auditComment(github);
    expect(audit).toContain("## ⚠️ Hotfix merge audit: bypass, justified");
    expect(audit).toContain(`@\u200b${ADMIN} granted the bypass (\`/hotfix grant-bypass\`) at 2026-11-23 16:05 UTC`);
    expect(audit).toContain("requests (the escalation ladder): team seniors at 2026-11-23 14:02 UTC by @\u200bhotfix-guard[bot], team oncall at 2026-11-23 14:32 UTC by @\u200bhotfix-guard[bot]");
    expect(github.deploymentAnswers).toStrictEqual([{ environment_name: "production", state: "approved", comment: expect.stringContaining("Hotfix Guard approves 9999999 for production") }]);

    const store = h.server.runtime.services.hotfixLog?.store;
    const record = await store?.byPullRequest("acme/payments", 42);
    const detail = record ? await store?.get("acme/payments", record.id) : null;
    expect(record?.audit?.verdict).toBe("justified-bypass");
    expect(record?.authoriser).toBe(ADMIN);
    expect(detail?.timeline.map((event) => `${event.at} ${event.kind} ${event.actor ?? ""}`.trim())).toStrictEqual([
      `2026-11-23T13:55:00.000Z pr-opened ${AUTHOR}`,
      "2026-11-23T14:02:00.000Z check-verdict",
      `2026-11-23T14:02:00.000Z review-requested ${BOT}`,
      `2026-11-23T14:32:00.000Z review-requested ${BOT}`,
      `2026-11-23T15:02:00.000Z escalated ${BOT}`,
      `2026-11-23T15:10:00.000Z bypass-requested ${AUTHOR}`,
      `2026-11-23T16:05:00.000Z bypass-granted ${ADMIN}`,
      "2026-11-23T16:10:00.000Z merge-back-done",
      `2026-11-23T16:10:00.000Z merged ${ADMIN}`,
      "2026-11-23T16:10:00.000Z post-incident-opened",
      "2026-11-23T16:20:00.000Z deployment-gate",
    ]);
    const details = new Map(detail?.timeline.map((event) => [event.kind, event.detail]));
    expect(details.get("escalated")).toBe("approvals still short 60 minutes into the ladder: asked @acme/seniors at 14:02 UTC, @acme/oncall at 14:32 UTC");
    expect(details.get("bypass-granted")).toBe("granted until 2026-11-23 18:05 UTC for commit a1b2c3d");
    expect(details.get("merged")).toBe("merged: justified bypass");

    const writes = github.writes.length;
    const messages = h.fake.received.length;
    // GitHub's redeliveries keep their ids; a handler run again (a duplicate under a new id) must find its own writes too.
    for (const delivery of deliveries) await deliver(delivery);
    for (const delivery of deliveries) await deliver({ ...delivery, id: `${delivery.id}-again` });
    expect(github.writtenPaths().slice(writes)).toStrictEqual([]);
    expect(h.fake.received.length).toBe(messages);
    expect(github.unknown).toStrictEqual([]);
    const again = record ? await store?.get("acme/payments", record.id) : null;
    expect(again?.timeline).toStrictEqual(detail?.timeline);
  });

  it.each([
    { name: "the author", grant: { by: AUTHOR }, why: "@\u200bdev-alice opened the pull request and cannot authorise its bypass" },
    { name: "a collaborator without admin permission", grant: { by: "senior-bob" }, why: "@\u200bsenior-bob has write permission; only repository administrators may authorise a bypass" },
    { name: "an administrator, edited after it was answered", grant: { by: ADMIN, editedAfter: true }, why: "did not count: the comment was edited at 2026-11-23 16:06 UTC, after it was written" },
    { name: "an administrator, for a commit pushed over since", grant: { by: ADMIN, pushAfter: true }, why: "for commit a1b2c3d, but the head is now 5eed5ee: a push needs a new grant" },
  ])("a grant by $name is no authority: the bypass is unjustified and the deployment rejected", async ({ grant, why }) => {
    const github = newGitHub();

    await emergencyPath(github, grant);

    expect(github.unknown).toStrictEqual([]);
    const audit = auditComment(github);
    expect(audit).toContain("## ❌ Hotfix merge audit: bypass, not justified");
    expect(audit).toContain(why);
    expect(github.deploymentAnswers).toStrictEqual([{ environment_name: "production", state: "rejected", comment: expect.stringContaining("#42 was merged as an unjustified bypass") }]);
    expect(chat()).toContain("*🚫 HOTFIX MERGED WITH AN UNJUSTIFIED BYPASS*");
  });
});
