/**
 * One pipeline for a merged pull request (`pull_request.closed`): guard once (merged, not the
 * app's own event), read the configuration once and classify once, then run the steps in a fixed
 * order: the merge audit (with its post-incident review issue), then merge-back. Every step runs
 * even when an earlier one failed, and the delivery fails afterwards with every failure, so the
 * queue retries it (each step finds what an earlier attempt wrote). An invalid configuration is
 * not only logged: the merge commit gets the failing invalid-configuration check run.
 */
import type { Context } from "probot";
import type { Policy } from "../config/policy.js";
import { publishCheckRun } from "../github/check-runs.js";
import type { AuditGateway } from "../github/audit-gateway.js";
import type { RepoRef } from "../github/gateway.js";
import { renderInvalidConfigCheck } from "../render/check-run.js";
import { classifyPullRequest, type Classification } from "../rules/classify.js";
import { auditGatewayFor } from "./audit-run.js";
import { productionBranchOf } from "./pull-request.js";
import { configFor, isOwnEvent, repoOf, type Services } from "./services.js";

/** A merged pull request, guarded, with its repository's policy and its classification. */
export interface MergedEvent {
  readonly context: Context<"pull_request.closed">;
  /** The GitHub door for the event's installation. */
  readonly github: AuditGateway;
  readonly repo: RepoRef;
  readonly policy: Policy;
  readonly classification: Classification;
  readonly installationId?: number;
}

/** One step of the pipeline. */
export type MergedStep = (event: MergedEvent, services: Services) => Promise<void>;

/** Makes an invalid configuration visible on a merge into the production branch: the failing check run on the merge commit. */
async function reportInvalidConfig(context: Context<"pull_request.closed">, github: AuditGateway, repo: RepoRef, services: Services): Promise<void> {
  const config = await configFor(github, repo, services);
  if (config.ok) return;
  const { pull_request: pr, repository } = context.payload;
  if (!pr.merge_commit_sha || pr.base.ref !== productionBranchOf(config, repository.default_branch)) return;
  const result = await publishCheckRun(github, repo, pr.merge_commit_sha, renderInvalidConfigCheck(config.problems, config.files));
  context.log.warn({ pr: pr.number, result, problems: config.problems.length }, "invalid hotfix-guard configuration; merged pull request not audited nor tracked");
}

/**
 * The handler of `pull_request.closed`: the guard, the configuration and the classification
 * once, then `steps` in order (the app runs the audit, then merge-back).
 */
export function mergedPullRequestHandler(services: Services, steps: readonly MergedStep[]): (context: Context<"pull_request.closed">) => Promise<void> {
  return async (context) => {
    const { pull_request: pr } = context.payload;
    if (!pr.merged) return;
    const github = auditGatewayFor(context, services);
    if (await isOwnEvent(context, github, services)) return;
    await services.hotfixLog?.mergedPullRequest(context.payload.repository.full_name, pr);
    const repo = repoOf(context);
    const config = await configFor(github, repo, services);
    if (!config.ok) return reportInvalidConfig(context, github, repo, services);
    const classification = classifyPullRequest({ baseRef: pr.base.ref, headRef: pr.head.ref, labels: pr.labels.map((label) => label.name) }, config.policy);
    const installationId = context.payload.installation?.id;
    const event: MergedEvent = { context, github, repo, policy: config.policy, classification, ...(installationId === undefined ? {} : { installationId }) };
    const failures: unknown[] = [];
    for (const step of steps) {
      try {
        await step(event, services);
      } catch (error) {
        failures.push(error);
      }
    }
    if (failures.length === 1) throw failures[0];
    if (failures.length > 1) throw new AggregateError(failures, `merged pull request #${pr.number}: ${failures.length} steps failed`);
  };
}
