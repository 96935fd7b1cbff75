/**
 * The merge audit's step of the merged-hotfix pipeline (`merged-hotfix.ts`: assessed read-only by
 * the command line's `audit`, assessed and published by the app), and its own routes.
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
import {
  assessAudit,
  auditGatewayFor,
  auditLockKey,
  auditMergedPullRequest,
  publishAudit,
  recheckPendingAudits,
  type AuditAssessment,
  type AuditRef,
} from "./audit-run.js";
import { registerDirectPushHandler } from "./direct-push.js";
import { registerProtectionChangeHandlers } from "./protection-changes.js";
import type { MergedEvent, MergedStep } from "./merged-hotfix.js";
import { isOwnEvent, type Services } from "./services.js";

/**
 * The audit step of a merged pull request (the merged-hotfix pipeline has read the configuration).
 * Assessing reads the pull request afresh and judges the merge; publishing writes the verdict
 * under the pull request's lock, then re-checks any pending audits of the repository.
 */
export const auditMerge: MergedStep<AuditAssessment | null> = {
  assess(event, services) {
    return assessAudit(event.github, refOf(event), event.policy, services, event.read);
  },
  async publish(event, services, assessed) {
    const ref = refOf(event);
    await services.locks.run(auditLockKey(ref), async () => {
      const assessment = await assessed();
      if (assessment) await publishAudit(event.github, ref, event.policy, assessment, services, event.log);
    });
    await recheckPendingAudits(event.github, event.repo, services, event.log, event.pr.number);
  },
};

function refOf(event: MergedEvent): AuditRef {
  const { repo, pr, installationId } = event;
  return { repo, number: pr.number, ...(installationId === undefined ? {} : { installationId }) };
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
