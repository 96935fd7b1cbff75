/**
 * A `vX.Y.Z` tag created → tick the release-tag item of the post-incident issue that waits for it
 * (seed 001 step 6: tag the merge commit right after the merge). The item is ticked only when the
 * tag points at that hotfix's merge commit; a tag on another commit is noted instead.
 */
import type { Context, Probot } from "probot";
import { ownIssue } from "../github/audit-publish.js";
import { repoRef } from "../github/gateway.js";
import { POST_INCIDENT_LABEL, trackedTag, withTagState, type TagState } from "../render/post-incident.js";
import { auditGatewayFor, recheckPendingAudits } from "./audit-run.js";
import { configFor, isOwnEvent, ownBotLogin, type Services } from "./services.js";

const VERSION_TAG = /^v\d{1,9}\.\d{1,9}\.\d{1,9}$/;

/** Updates the post-incident issues that track the created tag. */
export async function handleTagCreated(context: Context<"create">, services: Services): Promise<void> {
  const { ref: tag, ref_type: refType, repository } = context.payload;
  if (refType !== "tag" || !VERSION_TAG.test(tag)) return;
  const gateway = auditGatewayFor(context, services);
  if (await isOwnEvent(context, gateway, services)) return;
  await services.hotfixLog?.tagged(repository.full_name, tag, context.payload.sender.login);
  const repo = repoRef(repository.full_name);
  const config = await configFor(gateway, repo, services);
  if (!config.ok) return;
  const open = await gateway.listIssuesWithLabel(repo, POST_INCIDENT_LABEL, { state: "open" });
  const tracking = open.filter((issue) => trackedTag(issue.body)?.tag === tag);
  const ownLogin = tracking.length > 0 ? await ownBotLogin(gateway, services) : "";
  const waiting = tracking.filter((issue) => ownIssue([issue], ownLogin, "hotfix-guard:post-incident"));
  if (waiting.length > 0) {
    const sha = await gateway.getTagCommit(repo, tag);
    for (const issue of waiting) {
      const mergeSha = trackedTag(issue.body)?.mergeSha;
      const state: TagState = sha === null ? { kind: "missing" } : sha === mergeSha ? { kind: "on-merge-commit" } : { kind: "elsewhere", sha };
      const body = withTagState(issue.body, state);
      if (body !== issue.body) await gateway.updateIssue(repo, issue.number, { body });
      context.log.info({ issue: issue.number, tag, state: state.kind }, "release tag checked");
    }
  }
  await recheckPendingAudits(gateway, repo, services, context.log);
}

/** Registers the release tag handler. */
export function registerReleaseTagHandler(app: Probot, services: Services): void {
  app.on("create", (context) => handleTagCreated(context, services));
}
