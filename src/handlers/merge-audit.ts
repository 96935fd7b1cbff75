/**
 * A hotfix merged into the production branch → the merge audit. Admins must be able to trust
 * what it says, so it never reads `reviewDecision` after the merge: it rebuilds what was required
 * and what was present at `merged_at`, verifies any bypass justification and its authoriser, and
 * records the verdict in one audit comment per merge (updated, never duplicated), with labels, an
 * audit issue for an unjustified bypass and a post-incident review issue (`audit-run.ts`).
 * Guard: merged pull requests only (an `edited` event only when the description changed, so a
 * later edit of a justification is flagged at once); not the app's own events. Also registered
 * here: comments (justifications, `/hotfix authorize`), direct pushes, protection changes and
 * release tags, each in its own module.
 */
import type { Context, Probot } from "probot";
import { repoRef } from "../github/gateway.js";
import { registerAuditCommentHandlers } from "./audit-comments.js";
import { auditGatewayFor, auditMergedPullRequest, recheckPendingAudits } from "./audit-run.js";
import { registerDirectPushHandler } from "./direct-push.js";
import { registerProtectionChangeHandlers } from "./protection-changes.js";
import { registerReleaseTagHandler } from "./release-tag.js";
import { isOwnEvent, type Services } from "./services.js";

/** Audits the merged pull request of a `closed` or `edited` event, then any pending audits of the repository. */
export async function handleMergedPullRequest(context: Context<"pull_request.closed" | "pull_request.edited">, services: Services): Promise<void> {
  const { pull_request: pr } = context.payload;
  if (!pr.merged) return;
  if (context.payload.action === "edited" && !("body" in ((context.payload as { changes?: object }).changes ?? {}))) return;
  const gateway = auditGatewayFor(context, services);
  if (await isOwnEvent(context, gateway, services)) return;
  const repo = repoRef(context.payload.repository.full_name);
  if (context.payload.action === "closed") await services.hotfixLog?.mergedPullRequest(context.payload.repository.full_name, pr);
  const installationId = (context.payload as { installation?: { id: number } }).installation?.id;
  await auditMergedPullRequest(gateway, { repo, number: pr.number, ...(installationId === undefined ? {} : { installationId }) }, services, context.log);
  await recheckPendingAudits(gateway, repo, services, context.log, pr.number);
}

/** Registers the merge audit and its companions: comments, direct pushes, protection changes, release tags. */
export function registerMergeAuditHandlers(app: Probot, services: Services): void {
  app.on(["pull_request.closed", "pull_request.edited"], (context) => handleMergedPullRequest(context, services));
  registerAuditCommentHandlers(app, services);
  registerDirectPushHandler(app, services);
  registerProtectionChangeHandlers(app, services);
  registerReleaseTagHandler(app, services);
}
