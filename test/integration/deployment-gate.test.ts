/**
 * The deployment gate through `probot.receive`, GitHub served by nock: a deployment of a commit
 * carrying an unjustified bypass or a failing hotfix check is rejected with why and how to clear
 * it, anything else approved; a redelivery is answered once (GitHub's "already decided" is done),
 * a 5xx fails the delivery so the queue retries, and an environment outside the config is left alone.
 */
import { describe, expect, it } from "vitest";
import { recordBlock } from "../../src/model/records.js";
import { auditMarker } from "../../src/render/audit.js";
import { auditRecord } from "../helpers/audit-builders.js";
import { HEAD_SHA } from "../helpers/builders.js";
import { GitHubMock, testProbot } from "../helpers/app.js";
import { pullRequestEvent, pullRequestObject } from "../helpers/fixtures.js";

const MERGE_SHA = "9".repeat(40);
const REPO = "/repos/acme/payments";
const GATE = `${REPO}/actions/runs/555/deployment_protection_rule`;

function deploymentEvent(environment = "production", sha = MERGE_SHA): { id: string; name: "deployment_protection_rule"; payload: any } {
  const base = pullRequestEvent("opened").payload;
  return {
    id: `delivery-gate-${environment}-${sha.slice(0, 4)}`,
    name: "deployment_protection_rule",
    payload: {
      action: "requested",
      environment,
      event: "push",
      deployment_callback_url: `https://api.github.com${GATE}`,
      deployment: { id: 1, sha, ref: "main", environment },
      pull_requests: [],
      repository: base.repository,
      installation: base.installation,
      sender: base.sender,
    },
  };
}

function auditComment(unmet: boolean): { id: number; user: { login: string; type: string }; body: string; created_at: string; updated_at: string } {
  const record = auditRecord(MERGE_SHA, {
    requirements: [{ source: "policy", title: "Approvals", required: "1 approval", present: unmet ? "none" : "1", status: unmet ? "unmet" : "met" }],
  });
  const body = `${auditMarker(42)}\naudit\n${recordBlock(record)}`;
  return { id: 5, user: { login: "hotfix-guard[bot]", type: "Bot" }, body, created_at: "2026-11-23T15:00:00Z", updated_at: "2026-11-23T15:00:00Z" };
}

/** The reads of a deployment of MERGE_SHA, which merged hotfix #42 (or carries open #42). */
function deploymentReads(github: GitHubMock, options: { merged?: boolean; unmet?: boolean; check?: string; comments?: boolean; appKnown?: boolean } = {}): GitHubMock {
  const merged = options.merged ?? true;
  const pr = { ...pullRequestObject(), state: merged ? "closed" : "open", merged_at: merged ? "2026-11-23T14:59:00Z" : null };
  github.scope.get(`${REPO}/commits/${MERGE_SHA}/pulls`).query(true).reply(200, [pr]);
  github.seedCheckRun({ head_sha: HEAD_SHA, name: "Hotfix Guard", conclusion: options.check ?? "success", output: { title: "t", summary: "s" } });
  github.listCheckRuns(HEAD_SHA);
  if (merged) {
    if (!options.appKnown) github.app();
    github.scope.get(`${REPO}/issues/42/comments`).query(true).reply(200, options.comments === false ? [] : [auditComment(options.unmet ?? false)]);
  }
  return github;
}

function answer(github: GitHubMock, answers: unknown[], status = 204): GitHubMock {
  github.scope.post(GATE).reply(status, (_uri, body) => {
    answers.push(body);
    return status >= 300 ? { message: status === 422 ? "No pending custom deployment requests to approve or reject" : "Server Error" } : "";
  });
  return github;
}

describe("the deployment gate", () => {
  it("approves a deployment of a compliant hotfix", async () => {
    const probot = await testProbot();
    const answers: unknown[] = [];
    const github = answer(deploymentReads(new GitHubMock().token().config(null)), answers);

    await probot.receive(deploymentEvent());

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(answers).toStrictEqual([{ environment_name: "production", state: "approved", comment: expect.stringContaining("approves 9999999 for production: hotfix #42") }]);
  });

  it("rejects a deployment of a hotfix merged as an unjustified bypass, saying how to clear it", async () => {
    const probot = await testProbot();
    const answers: { state: string; comment: string }[] = [];
    const github = answer(deploymentReads(new GitHubMock().token().config(null), { unmet: true }), answers);

    await probot.receive(deploymentEvent());

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(answers).toHaveLength(1);
    expect(answers[0]?.state).toBe("rejected");
    expect(answers[0]?.comment).toContain("#42 was merged as an unjustified bypass. To clear it, complete the EMERGENCY BYPASS JUSTIFICATION form");
  });

  it("rejects a deployment of a hotfix whose check fails", async () => {
    const probot = await testProbot();
    const answers: { state: string; comment: string }[] = [];
    const github = answer(deploymentReads(new GitHubMock().token().config(null), { merged: false, check: "failure" }), answers);

    await probot.receive(deploymentEvent());

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(answers[0]?.state).toBe("rejected");
    expect(answers[0]?.comment).toContain("The Hotfix Guard check of #42 fails");
  });

  it("treats GitHub's 'already decided' on a redelivery as done", async () => {
    const probot = await testProbot();
    const answers: unknown[] = [];
    const github = answer(deploymentReads(new GitHubMock().token().config(null)), answers);
    await probot.receive(deploymentEvent());
    answer(deploymentReads(github, { appKnown: true }), answers, 422);

    await expect(probot.receive(deploymentEvent())).resolves.not.toThrow();
    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(answers).toHaveLength(2);
  });

  it("fails the delivery on a 5xx, so the queue retries it", async () => {
    const probot = await testProbot();
    const github = answer(deploymentReads(new GitHubMock().token().config(null)), [], 502);

    await expect(probot.receive(deploymentEvent())).rejects.toThrow();
    expect(github.scope.pendingMocks()).toStrictEqual([]);
  });

  it("waits (fails the delivery for a retry) while a merged hotfix's audit is not recorded yet", async () => {
    const probot = await testProbot();
    const github = deploymentReads(new GitHubMock().token().config(null), { comments: false });

    await expect(probot.receive(deploymentEvent())).rejects.toThrow(/not recorded yet/);
    expect(github.scope.pendingMocks()).toStrictEqual([]);
  });

  it("leaves an environment outside deployment_gate.environments to other rules", async () => {
    const probot = await testProbot();
    const github = new GitHubMock().token().config(null);

    await probot.receive(deploymentEvent("staging"));

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(github.requests.filter((request) => request.startsWith("POST /repos"))).toStrictEqual([]);
  });
});
