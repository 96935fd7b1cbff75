/**
 * A branch is created → when it looks like a hotfix branch but breaks the naming policy, a
 * failing "Hotfix Guard: branch name" check on its head commit with the corrected name, so the
 * developer learns before opening a pull request. Well-named branches get nothing: there is
 * nothing to say, and the head commit is often the production branch's own.
 */
import type { Context, Probot } from "probot";
import { publishCheckRun } from "../github/check-runs.js";
import { renderBranchCheck } from "../render/check-run.js";
import { evaluateModeCheck } from "../render/evaluate.js";
import { isEvaluating } from "../config/policy.js";
import { checkBranchName, looksLikeHotfixBranch, needsLatestTag } from "../rules/branch-name.js";
import { configFor, gatewayFor, isOwnEvent, repoOf, type Services } from "./services.js";

/** Checks the name of a newly created branch. */
export async function checkCreatedBranch(context: Context<"create">, services: Services): Promise<void> {
  const { ref: branch, ref_type: refType } = context.payload;
  if (refType !== "branch") return;
  const gateway = gatewayFor(context, services);
  if (await isOwnEvent(context, gateway, services)) return;
  const repo = repoOf(context);
  const config = await configFor(gateway, repo, services);
  if (!config.ok || !looksLikeHotfixBranch(branch, config.policy)) return;
  await services.hotfixLog?.branchCreated(context.payload.repository.full_name, branch, context.payload.sender.login);
  const latestTag = needsLatestTag(branch, config.policy) ? await gateway.getLatestVersionTag(repo) : null;
  const finding = checkBranchName(branch, config.policy, latestTag, services.now());
  if (finding.status !== "fail") return;
  const sha = await gateway.getBranchHead(repo, branch);
  if (!sha) return;
  const output = renderBranchCheck(branch, finding);
  const result = await publishCheckRun(gateway, repo, sha, isEvaluating(config.policy) ? evaluateModeCheck(output) : output);
  context.log.info({ branch, sha, result }, "mis-named hotfix branch");
}

/** Registers the branch-created handler. */
export function registerBranchCreatedHandler(app: Probot, services: Services): void {
  app.on("create", (context) => checkCreatedBranch(context, services));
}
