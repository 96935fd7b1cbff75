/**
 * Back-merge pull requests (a hotfix into develop or a release branch, whoever opened it) → the
 * "Hotfix Guard: back-merge" check on the head commit: failing while GitHub reports conflicts or
 * the diff adds conflict-marker lines. A back-merge the app opened that conflicts is also
 * labelled and assigned to the hotfix's author, once. The app's own `opened` event is handled
 * too: it only writes the check and the label, which start no further work.
 */
import type { Context, Probot } from "probot";
import { publishCheckRun } from "../github/check-runs.js";
import { addedConflictMarkers, backMergedHotfix, isBackMerge, judgeBackMerge } from "../rules/back-merge-check.js";
import { CONFLICT_LABEL, renderBackMergeCheck } from "../render/release-guard.js";
import { configFor, gatewayFor, isForeignDelivery, ownBotLogin, repoOf, type Services } from "./services.js";

/** Checks one back-merge pull request's head. */
export async function checkBackMerge(context: Context<"pull_request.opened" | "pull_request.synchronize" | "pull_request.reopened">, services: Services): Promise<void> {
  const { pull_request: pr } = context.payload;
  if (pr.state !== "open" || (await isForeignDelivery(context, services))) return;
  const github = gatewayFor(context, services);
  const repo = repoOf(context);
  const config = await configFor(github, repo, services);
  const candidate = { baseRef: pr.base.ref, headRef: pr.head.ref, body: pr.body ?? "" };
  if (!config.ok || !isBackMerge(candidate, config.policy)) return;
  const gateway = github.mergeBack();
  const [status, patches] = await Promise.all([gateway.getPullRequestStatus(repo, pr.number), gateway.listPullRequestPatches(repo, pr.number)]);
  const markers = addedConflictMarkers(patches);
  const verdict = judgeBackMerge(status.mergeable, markers);
  const hotfix = backMergedHotfix(candidate);
  await publishCheckRun(github, repo, pr.head.sha, renderBackMergeCheck(hotfix, verdict.conflicting, markers));
  context.log.info({ pr: pr.number, conclusion: verdict.conclusion, markers: markers.length }, "back-merge check");
  const labelled = pr.labels.some((label) => label.name === CONFLICT_LABEL);
  if (!verdict.conflicting || labelled || hotfix === null || pr.user?.login !== (await ownBotLogin(github, services))) return;
  const author = (await github.getPullRequest(repo, hotfix)).author;
  await gateway.addLabels(repo, pr.number, [CONFLICT_LABEL]);
  await gateway.addAssignees(repo, pr.number, [author]);
}

/** Registers the back-merge check. */
export function registerBackMergeCheckHandlers(app: Probot, services: Services): void {
  app.on(["pull_request.opened", "pull_request.synchronize", "pull_request.reopened"], (context) => checkBackMerge(context, services));
}
