/**
 * Pull request and review events → the "Hotfix Guard" check run of the head commit.
 * 1. Guard: relevant actions only, not the app's own events, `edited` only when the title, body
 *    or base changed, open pull requests into the production branch only.
 * 2. Fetch: the pull request afresh (deliveries arrive late and out of order; the payload may be
 *    stale), then one snapshot of what the rules need.
 * 3. Evaluate with the pure rules, render, and write only when the check run would change.
 */
import type { Context, Probot } from "probot";
import { publishCheckRun } from "../github/check-runs.js";
import { loadSnapshot } from "../github/snapshot.js";
import { classifyPullRequest } from "../rules/classify.js";
import { evaluateHotfix } from "../rules/index.js";
import { renderHotfixCheck, renderInvalidConfigCheck, renderNotHotfixCheck } from "../render/check-run.js";
import type { ConfigResult } from "../config/load.js";
import { configFor, gatewayFor, isOwnEvent, repoOf, type Services } from "./services.js";

/** Pull request actions that can change the verdict. */
export const PULL_REQUEST_ACTIONS = ["opened", "edited", "synchronize", "reopened", "ready_for_review", "labeled", "unlabeled"] as const;
/** Review actions that can change the verdict. */
export const REVIEW_ACTIONS = ["submitted", "edited", "dismissed"] as const;

type PullRequestContext = Context<"pull_request" | "pull_request_review">;

/** The production branch an invalid configuration names, else the repository's default branch. */
function productionBranchOf(config: Extract<ConfigResult, { ok: false }>, defaultBranch: string): string {
  const production = (config.raw as { branches?: { production?: unknown } } | undefined)?.branches?.production;
  return typeof production === "string" && production ? production : defaultBranch;
}

function editChangedNothingChecked(context: PullRequestContext): boolean {
  if (context.name !== "pull_request" || context.payload.action !== "edited") return false;
  const changes = (context.payload as { changes?: Record<string, unknown> }).changes ?? {};
  return !("title" in changes || "body" in changes || "base" in changes);
}

/** Evaluates the pull request of a pull request or review event and publishes its check run. */
export async function checkPullRequest(context: PullRequestContext, services: Services): Promise<void> {
  const { pull_request: payloadPr, repository } = context.payload;
  if (payloadPr.state === "closed" || editChangedNothingChecked(context)) return;
  const gateway = gatewayFor(context, services);
  if (await isOwnEvent(context, gateway, services)) return;
  const repo = repoOf(context);
  const config = await configFor(gateway, repo, services);

  await services.locks.run(`${repository.full_name}#${payloadPr.number}`, async () => {
    if (!config.ok) {
      if (payloadPr.base.ref !== productionBranchOf(config, repository.default_branch)) return;
      const result = await publishCheckRun(gateway, repo, payloadPr.head.sha, renderInvalidConfigCheck(config.problems, config.files));
      context.log.warn({ pr: payloadPr.number, result, problems: config.problems.length }, "invalid hotfix-guard configuration");
      return;
    }
    const { policy } = config;
    if (payloadPr.base.ref !== policy.config.branches.production) return;

    const pr = await gateway.getPullRequest(repo, payloadPr.number);
    const classification = classifyPullRequest(pr, policy);
    if (pr.state === "closed" || classification.kind === "not-into-production") return;
    const output =
      classification.kind === "not-hotfix"
        ? renderNotHotfixCheck(pr, policy.config.hotfix.prefix, policy.config.hotfix.label, policy.source)
        : renderHotfixCheck(
            pr,
            evaluateHotfix(await loadSnapshot(gateway, repo, pr, policy), policy, services.now()),
            {
              ...(classification.byBranch ? { prefix: policy.config.hotfix.prefix } : {}),
              ...(classification.byLabel ? { label: policy.config.hotfix.label } : {}),
            },
            policy.source,
          );
    const result = await publishCheckRun(gateway, repo, pr.headSha, output);
    context.log.info({ pr: pr.number, sha: pr.headSha, conclusion: output.conclusion, result }, output.title);
  });
}

/** Registers the pull request and review handlers. */
export function registerPullRequestHandlers(app: Probot, services: Services): void {
  app.on(
    PULL_REQUEST_ACTIONS.map((action) => `pull_request.${action}` as const),
    (context) => checkPullRequest(context, services),
  );
  app.on(
    REVIEW_ACTIONS.map((action) => `pull_request_review.${action}` as const),
    (context) => checkPullRequest(context, services),
  );
}
