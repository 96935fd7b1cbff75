/**
 * `deployment_protection_rule` → the app's answer as a custom deployment protection rule.
 * 1. Guard: a foreign delivery, an environment outside `deployment_gate.environments` (left to
 *    other rules: the app answers nothing there).
 * 2. Facts: the hotfix pull requests the deployed commit belongs to, each one's merge-audit
 *    verdict from the app's own audit record (its comment, written by its bot) and the
 *    conclusion of its Hotfix Guard check.
 * 3. Decide with the pure gate rule and answer through the run's deployment protection rule
 *    endpoint. A redelivery answers again and GitHub says it is decided already (422): done. A
 *    5xx throws, so the queue retries; a merged hotfix whose audit is not recorded yet also
 *    throws, and the retry finds the audit. Each decision is a hotfix log timeline event.
 */
import type { Context, Probot } from "probot";
import { readAuditRecord } from "../model/records.js";
import { auditMarker } from "../render/audit.js";
import { ownComment } from "../github/audit-publish.js";
import { CHECK_NAME } from "../render/check-run.js";
import { OctokitEmergencyGateway, type CommitPullRequest, type EmergencyGateway } from "../github/emergency-gateway.js";
import { repoRef, type RepoRef } from "../github/gateway.js";
import { classifyPullRequest } from "../rules/classify.js";
import { decideDeployment, gatedEnvironment, type GatedHotfix } from "../rules/deployment-gate.js";
import type { Policy } from "../config/policy.js";
import { configFor, isForeignDelivery, ownBotLogin, type Services } from "./services.js";

/** What the gate reads from a `deployment_protection_rule` delivery. */
export interface DeploymentRequest {
  readonly repo: RepoRef;
  readonly fullName: string;
  readonly environment: string;
  readonly sha: string;
  readonly runId: number;
}

const INVALID_CONFIG = "Hotfix Guard's configuration is invalid (the failing Hotfix Guard check says where): fix .github/hotfix-guard.yml on the default branch, then re-run this deployment.";
const CALLBACK = /\/repos\/[^/]+\/[^/]+\/actions\/runs\/(\d+)\/deployment_protection_rule$/;

/** The request a delivery carries, or null when it names no environment, commit or workflow run. */
export function deploymentRequestOf(payload: { environment?: string; deployment_callback_url?: string; deployment?: { sha?: string } | null; repository?: { full_name: string } }): DeploymentRequest | null {
  const runId = Number(CALLBACK.exec(payload.deployment_callback_url ?? "")?.[1]);
  const sha = payload.deployment?.sha;
  if (!payload.environment || !sha || !payload.repository || !Number.isSafeInteger(runId)) return null;
  return { repo: repoRef(payload.repository.full_name), fullName: payload.repository.full_name, environment: payload.environment, sha, runId };
}

async function gatedHotfix(gateway: EmergencyGateway, repo: RepoRef, pr: CommitPullRequest, ownLogin: () => Promise<string>): Promise<GatedHotfix> {
  const [check, audit] = await Promise.all([
    gateway.findCheckRun(repo, pr.headSha, CHECK_NAME),
    pr.merged ? gateway.listIssueComments(repo, pr.number).then(async (comments) => ownComment(comments, await ownLogin(), auditMarker(pr.number))) : undefined,
  ]);
  const record = audit ? readAuditRecord(audit.body) : null;
  return { number: pr.number, merged: pr.merged, audit: record ? { unmet: record.requirements.filter((r) => r.status === "unmet").length, justified: record.justification?.verdict.valid === true } : null, check: check?.conclusion ?? null };
}

/** Decides one deployment and answers GitHub; returns what was answered, or why nothing was. */
export async function gateDeployment(gateway: EmergencyGateway, request: DeploymentRequest, policy: Policy, services: Services): Promise<string> {
  if (!gatedEnvironment(request.environment, policy)) return `ignored: ${request.environment} is not gated`;
  const pulls = await gateway.listPullRequestsForCommit(request.repo, request.sha);
  const hotfixes = pulls.filter((pr) => classifyPullRequest(pr, policy).kind === "hotfix");
  const facts = await Promise.all(hotfixes.map((pr) => gatedHotfix(gateway, request.repo, pr, () => ownBotLogin(gateway, services))));
  const decision = decideDeployment(request.environment, request.sha, facts, policy);
  if (decision.kind === "ignore") return `ignored: ${decision.reason}`;
  if (decision.kind === "wait") throw new Error(`deployment of ${request.sha.slice(0, 7)} to ${request.environment} not decided yet: ${decision.reason}`);
  const outcome = await gateway.reviewDeployment(request.repo, request.runId, request.environment, decision.state, decision.comment);
  const at = services.now().toISOString();
  for (const hotfix of facts) {
    await services.hotfixLog?.deploymentGate(request.fullName, hotfix.number, { runId: request.runId, environment: request.environment, sha: request.sha, state: decision.state, at });
  }
  return `${decision.state} (${outcome})`;
}

/** Registers the deployment gate. */
export function registerDeploymentGateHandler(app: Probot, services: Services): void {
  app.on("deployment_protection_rule.requested", async (context: Context<"deployment_protection_rule.requested">) => {
    if (await isForeignDelivery(context, services)) return;
    const request = deploymentRequestOf(context.payload as Parameters<typeof deploymentRequestOf>[0]);
    if (!request) {
      context.log.warn("deployment protection rule request without environment, commit or workflow run: not answered");
      return;
    }
    const gateway = new OctokitEmergencyGateway(context.octokit, services.identity);
    const config = await configFor(gateway, request.repo, services);
    if (!config.ok) {
      // Fail closed: the app was made a protection rule of this environment, and cannot tell what it gates.
      await gateway.reviewDeployment(request.repo, request.runId, request.environment, "rejected", INVALID_CONFIG);
      return;
    }
    const result = await gateDeployment(gateway, request, config.policy, services);
    context.log.info({ environment: request.environment, sha: request.sha, run: request.runId, result }, "deployment gate");
  });
}
