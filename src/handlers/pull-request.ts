/**
 * Pull request and review events → the "Hotfix Guard" check run of the head commit.
 * 1. Guard: relevant actions only, not the app's own events, `edited` only when the title, body
 *    or base changed, open pull requests into the production branch only.
 * 2. Fetch: the pull request afresh (deliveries arrive late and out of order; the payload may be
 *    stale), then one snapshot of what the rules need.
 * 3. Evaluate with the pure rules, render, and write only when the check run would change. A
 *    non-hotfix pull request (a release) gets the release guard's verdict instead of "Not a hotfix"
 *    when it would drop a hotfix (src/handlers/release-guard.ts).
 */
import type { Context, Logger, Probot } from "probot";
import type { CheckRunOutput, GithubGateway, PullRequestData, RepoRef } from "../github/gateway.js";
import { publishCheckRun } from "../github/check-runs.js";
import { loadSnapshot } from "../facts/snapshot.js";
import { classifyPullRequest } from "../rules/classify.js";
import { evaluateHotfix, type Evaluation } from "../rules/index.js";
import { reviewWaitDeadline } from "../rules/approvals.js";
import { grantExpiry } from "../rules/bypass-grant.js";
import { loadBypassFacts } from "../facts/bypass-facts.js";
import { renderHotfixCheck, renderInvalidConfigCheck, renderNotHotfixCheck } from "../render/check-run.js";
import type { ConfigResult } from "../config/load.js";
import { isEvaluating, type Policy } from "../config/policy.js";
import type { PullRequestSnapshot } from "../rules/types.js";
import { evaluateModeCheck } from "../render/evaluate.js";
import { notifyEvaluated } from "../notify/hooks.js";
import { releasePullRequestCheck } from "./release-guard.js";
import { configFor, gatewayFor, isOwnEvent, ownBotLogin, PULL_REQUEST_RECHECK, refOf, type Services } from "./services.js";
import { startEscalation } from "./escalation.js";

/** Pull request actions that can change the verdict. */
export const PULL_REQUEST_ACTIONS = ["opened", "edited", "synchronize", "reopened", "ready_for_review", "labeled", "unlabeled"] as const;
/** Review request actions: they start the review wait or withdraw an approval (the hotfix log records them on its own route). */
export const REVIEW_REQUEST_ACTIONS = ["review_requested", "review_request_removed"] as const;
/** Review actions that can change the verdict. */
export const REVIEW_ACTIONS = ["submitted", "edited", "dismissed"] as const;

type PullRequestContext = Context<"pull_request" | "pull_request_review">;

/** What an event says about the pull request to check, before it is read afresh. */
export interface PullRequestRef {
  readonly repo: RepoRef;
  readonly fullName: string;
  readonly defaultBranch: string;
  readonly number: number;
  readonly baseRef: string;
  readonly headSha: string;
  /** Write the check run even when it would say the same (a re-run was requested). */
  readonly force?: boolean;
  /** The installation, for re-checks that run later from the queue. */
  readonly installationId?: number;
}

/** The production branch an invalid configuration names, else the repository's default branch. */
export function productionBranchOf(config: Extract<ConfigResult, { ok: false }>, defaultBranch: string): string {
  const production = (config.raw as { branches?: { production?: unknown } } | undefined)?.branches?.production;
  return typeof production === "string" && production ? production : defaultBranch;
}

function editChangedNothingChecked(context: PullRequestContext): boolean {
  if (context.name !== "pull_request" || context.payload.action !== "edited") return false;
  const changes = (context.payload as { changes?: Record<string, unknown> }).changes ?? {};
  return !("title" in changes || "body" in changes || "base" in changes);
}

/**
 * Evaluates one pull request and publishes its check run: the invalid-configuration check, "Not
 * a hotfix", or the hotfix verdict. The caller has guarded the event; this reads afresh.
 */
export async function evaluatePullRequest(gateway: GithubGateway, ref: PullRequestRef, services: Services, log: Logger): Promise<void> {
  const config = await configFor(gateway, ref.repo, services);
  await services.locks.run(`${ref.fullName}#${ref.number}`, async () => {
    if (!config.ok) {
      if (ref.baseRef !== productionBranchOf(config, ref.defaultBranch)) return;
      const result = await publishCheckRun(gateway, ref.repo, ref.headSha, renderInvalidConfigCheck(config.problems, config.files), ref.force);
      log.warn({ pr: ref.number, result, problems: config.problems.length }, "invalid hotfix-guard configuration");
      return;
    }
    const { policy } = config;
    if (ref.baseRef !== policy.config.branches.production) return;

    const pr = await gateway.getPullRequest(ref.repo, ref.number);
    if (pr.state === "closed") return;
    const check = await pullRequestCheck(gateway, ref.repo, pr, policy, services.now(), () => ownBotLogin(gateway, services));
    if (!check) return;
    const { classification, snapshot } = check;
    const release = classification.kind === "not-hotfix" ? await releasePullRequestCheck(gateway, ref.repo, pr, policy, services, log) : null;
    const output = release ? (isEvaluating(policy) ? evaluateModeCheck(release) : release) : check.output;
    if (snapshot) {
      await scheduleReviewWait(ref, pr.headSha, reviewWaitDeadline(snapshot, policy), services);
      await scheduleReviewWait(ref, pr.headSha, grantExpiry(snapshot, policy, services.now()), services);
      await notifyEvaluated(services, { repo: ref.fullName, ...(ref.installationId === undefined ? {} : { installationId: ref.installationId }) }, pr, snapshot, policy);
      await startEscalation({ ...ref, headSha: pr.headSha }, snapshot, policy, services);
    }
    const result = await publishCheckRun(gateway, ref.repo, pr.headSha, output, ref.force);
    if (classification.kind === "hotfix") await services.hotfixLog?.checkVerdict(ref.fullName, pr.number, { sha: pr.headSha, conclusion: output.conclusion, title: output.title });
    log.info({ pr: pr.number, sha: pr.headSha, conclusion: output.conclusion, result }, output.title);
  });
}

/** What the check run of a pull request into the production branch says, and what it stands on. */
export interface PullRequestCheck {
  readonly output: CheckRunOutput;
  readonly classification: ReturnType<typeof classifyPullRequest>;
  /** The facts the hotfix rules judged; null for a pull request that is not a hotfix. */
  readonly snapshot: PullRequestSnapshot | null;
  /** What the rules found (as enforce mode judges it); null for a pull request that is not a hotfix. */
  readonly evaluation: Evaluation | null;
}

/**
 * The check run a pull request gets, reading only: "Not a hotfix", or the pre-merge rules'
 * verdict (neutral, saying what enforce mode would conclude, in evaluate mode). Null for a pull
 * request that is not into the production branch. The app publishes it; `preview` prints it.
 * `ownLogin` names the app's bot, whose replies record which commit a bypass grant is for.
 */
export async function pullRequestCheck(
  gateway: GithubGateway,
  repo: RepoRef,
  pr: PullRequestData,
  policy: Policy,
  now: Date,
  ownLogin: () => Promise<string>,
): Promise<PullRequestCheck | null> {
  const classification = classifyPullRequest(pr, policy);
  if (classification.kind === "not-into-production") return null;
  if (classification.kind === "not-hotfix") {
    return { output: renderNotHotfixCheck(pr, policy.config.hotfix.prefix, policy.config.hotfix.label, policy.source), classification, snapshot: null, evaluation: null };
  }
  const bypass = await loadBypassFacts(gateway, repo, pr, policy, ownLogin);
  const snapshot = { ...(await loadSnapshot(gateway, repo, pr, policy, ownLogin)), ...(bypass ? { bypass } : {}) };
  const reason = {
    ...(classification.byBranch ? { prefix: policy.config.hotfix.prefix } : {}),
    ...(classification.byLabel ? { label: policy.config.hotfix.label } : {}),
  };
  const evaluation = evaluateHotfix(snapshot, policy, now);
  const output = renderHotfixCheck(pr, evaluation, reason, policy.source);
  return { output: isEvaluating(policy) ? evaluateModeCheck(output) : output, classification, snapshot, evaluation };
}

/**
 * Asks the scheduler to evaluate the pull request again when its review wait runs out (or its
 * bypass grant expires), so the check says "bypass permitted" (or "expired") on time even if no
 * event arrives. Without a store, the next
 * event does it. Keyed by head commit and deadline, so repeated evaluations schedule it once.
 */
async function scheduleReviewWait(ref: PullRequestRef, headSha: string, deadline: Date | null, services: Services): Promise<void> {
  if (!deadline || deadline <= services.now() || !services.scheduler || ref.installationId === undefined) return;
  const { force: _force, ...recheck } = ref;
  const key = `${PULL_REQUEST_RECHECK}:${ref.fullName}#${ref.number}@${headSha}:${deadline.toISOString()}`;
  await services.scheduler.schedule(PULL_REQUEST_RECHECK, key, { ...recheck, headSha }, deadline);
}

/** Guards a pull request or review event, then evaluates its pull request. */
export async function checkPullRequest(context: PullRequestContext, services: Services): Promise<void> {
  const { pull_request: pr, repository } = context.payload;
  if (pr.state === "closed" || editChangedNothingChecked(context)) return;
  const gateway = gatewayFor(context, services);
  if (await isOwnEvent(context, gateway, services)) return;
  const ref = { ...refOf(context), number: pr.number, baseRef: pr.base.ref, headSha: pr.head.sha };
  await evaluatePullRequest(gateway, ref, services, context.log);
  await services.hotfixLog?.pullRequestEvent(ref.fullName, context.payload, await configFor(gateway, ref.repo, services));
}

/** Guards a review request event, then evaluates its pull request (the hotfix log hears the event on its own route). */
async function recheckOnReviewRequest(context: Context<"pull_request">, services: Services): Promise<void> {
  const { pull_request: pr } = context.payload;
  if (pr.state === "closed") return;
  const gateway = gatewayFor(context, services);
  if (await isOwnEvent(context, gateway, services)) return;
  await evaluatePullRequest(gateway, { ...refOf(context), number: pr.number, baseRef: pr.base.ref, headSha: pr.head.sha }, services, context.log);
}

/** Registers the pull request and review handlers. */
export function registerPullRequestHandlers(app: Probot, services: Services): void {
  app.on(
    PULL_REQUEST_ACTIONS.map((action) => `pull_request.${action}` as const),
    (context) => checkPullRequest(context, services),
  );
  app.on(
    REVIEW_REQUEST_ACTIONS.map((action) => `pull_request.${action}` as const),
    (context) => recheckOnReviewRequest(context, services),
  );
  app.on(
    REVIEW_ACTIONS.map((action) => `pull_request_review.${action}` as const),
    (context) => checkPullRequest(context, services),
  );
}
