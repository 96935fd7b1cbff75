/**
 * Post-incident follow-up (seed 001 "Post-Incident Review", step 6 "tag the merge commit"):
 * - a hotfix merged → one post-incident review issue, due by severity, with the release tag the
 *   branch names as an item (opened by the merge audit's run, which records it), laid out by the
 *   team's own template (`post_incident.template`) when the repository has one;
 * - a `vX.Y.Z` tag created → tick the release-tag item of the post-incident issue that waits for
 *   it. The item is ticked only when the tag points at that hotfix's merge commit; a tag on
 *   another commit is noted instead.
 * The rules are `src/rules/post-incident.ts`, the issue's text `src/render/post-incident.ts`.
 */
import type { Context, Probot } from "probot";
import type { Policy } from "../config/policy.js";
import type { AuditGateway, MergedPullRequestData } from "../github/audit-gateway.js";
import { findOrCreateIssue, ownIssue, type IssueResult } from "../github/audit-publish.js";
import { fullName, repoRef, type RepoRef } from "../github/gateway.js";
import { POST_INCIDENT_LABEL, postIncidentMarker, renderPostIncidentIssue, withTagState } from "../render/post-incident.js";
import { trackedTag } from "../model/records.js";
import type { MergeAudit } from "../rules/merge-audit.js";
import { expectedTag, tagStateOf, type TagState } from "../rules/post-incident.js";
import type { ReviewFact } from "../rules/types.js";
import { auditGatewayFor, recheckPendingAudits } from "./audit-run.js";
import { configFor, isOwnEvent, ownBotLogin, type Services } from "./services.js";

const VERSION_TAG = /^v\d{1,9}\.\d{1,9}\.\d{1,9}$/;

/** Where and as whom the post-incident issue is written. */
export interface PostIncidentRun {
  readonly gateway: AuditGateway;
  readonly repo: RepoRef;
  readonly policy: Policy;
  readonly ownLogin: string;
}

/** The release tag the hotfix branch names and where it stands, when the policy asks for one. */
async function releaseTag(run: PostIncidentRun, pr: MergedPullRequestData): Promise<{ name: string; state: TagState } | null> {
  const tag = run.policy.config.post_incident.require_tag ? expectedTag(pr.headRef, run.policy) : null;
  if (!tag || !pr.mergeCommitSha) return null;
  return { name: tag, state: tagStateOf(await run.gateway.getTagCommit(run.repo, tag), pr.mergeCommitSha) };
}

/** Opens the post-incident review issue of a merge once, through the write policy (found again by its marker). */
export function openPostIncidentIssue(run: PostIncidentRun, pr: MergedPullRequestData, audit: MergeAudit, reviews: readonly ReviewFact[]): Promise<IssueResult> {
  return findOrCreateIssue(run.gateway, run.repo, {
    marker: postIncidentMarker(pr.number),
    label: POST_INCIDENT_LABEL,
    since: pr.createdAt,
    ownLogin: run.ownLogin,
    create: async () => {
      const path = run.policy.config.post_incident.template;
      const [tag, template] = await Promise.all([releaseTag(run, pr), path === null ? null : run.gateway.readTextFile(run.repo, path)]);
      const issue = renderPostIncidentIssue({ repo: fullName(run.repo), pr, audit, reviews, policy: run.policy, tag, template });
      return { ...issue, labels: [POST_INCIDENT_LABEL], assignees: [pr.author] };
    },
  });
}

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
      const state = tagStateOf(sha, mergeSha);
      const body = withTagState(issue.body, state);
      if (body !== issue.body) await gateway.updateIssue(repo, issue.number, { body });
      context.log.info({ issue: issue.number, tag, state: state.kind }, "release tag checked");
    }
  }
  await recheckPendingAudits(gateway, repo, services, context.log);
}

/** Registers the post-incident handler of created tags. */
export function registerPostIncidentHandlers(app: Probot, services: Services): void {
  app.on("create", (context) => handleTagCreated(context, services));
}
