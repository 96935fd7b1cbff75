/**
 * The merge audit's step of the merged-hotfix pipeline (`merged-hotfix.ts`), and its own routes.
 * A hotfix merged into the production branch → the merge audit. Admins must be able to trust
 * what it says, so it never reads `reviewDecision` after the merge: it rebuilds what was required
 * and what was present at `merged_at`, verifies any bypass justification and its authoriser, and
 * records the verdict in one audit comment per merge (updated, never duplicated), with labels, an
 * audit issue for an unjustified bypass and a post-incident review issue (`audit-run.ts`).
 * An edited description of a merged pull request is audited again at once (only when the
 * description changed, and not for the app's own events), so a later edit of a justification is
 * flagged. Also registered here: comments (justifications, `/hotfix authorize`), direct pushes
 * and protection changes, each in its own module.
 */
import type { Context, Probot } from "probot";
import { repoRef } from "../github/gateway.js";
import { registerAuditCommentHandlers } from "./audit-comments.js";
import { auditGatewayFor, auditMergedPullRequest, recheckPendingAudits } from "./audit-run.js";
import { registerDirectPushHandler } from "./direct-push.js";
import { registerProtectionChangeHandlers } from "./protection-changes.js";
import type { MergedEvent } from "./merged-hotfix.js";
import { isOwnEvent, type Services } from "./services.js";

/**
 * The audit step of a merged pull request (the merged-hotfix pipeline has guarded it and read the
 * configuration): audits it, then any pending audits of the repository.
 */
export async function auditMerge(event: MergedEvent, services: Services): Promise<void> {
  const { context, github, repo, installationId } = event;
  const { number } = context.payload.pull_request;
  await auditMergedPullRequest(github, { repo, number, ...(installationId === undefined ? {} : { installationId }) }, services, context.log);
  await recheckPendingAudits(github, repo, services, context.log, number);
}

/** A merged pull request's description was edited: audit it again, then any pending audits of the repository. */
export async function handleEditedMergedPullRequest(context: Context<"pull_request.edited">, services: Services): Promise<void> {
  const { pull_request: pr } = context.payload;
  if (!pr.merged) return;
  if (!("body" in ((context.payload as { changes?: object }).changes ?? {}))) return;
  const gateway = auditGatewayFor(context, services);
  if (await isOwnEvent(context, gateway, services)) return;
  const repo = repoRef(context.payload.repository.full_name);
  const installationId = (context.payload as { installation?: { id: number } }).installation?.id;
  await auditMergedPullRequest(gateway, { repo, number: pr.number, ...(installationId === undefined ? {} : { installationId }) }, services, context.log);
  await recheckPendingAudits(gateway, repo, services, context.log, pr.number);
}

/**
 * Registers the merge audit's own routes (an edited description, comments, direct pushes,
 * protection changes); the merge itself comes through the merged-hotfix pipeline
 * ({@link auditMerge}), release tags through the post-incident handler.
 */
export function registerMergeAuditHandlers(app: Probot, services: Services): void {
  app.on("pull_request.edited", (context) => handleEditedMergedPullRequest(context, services));
  registerAuditCommentHandlers(app, services);
  registerDirectPushHandler(app, services);
  registerProtectionChangeHandlers(app, services);
}
