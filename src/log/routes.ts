/**
 * The events only the hotfix log listens to, each recorded with one call: a review requested, a
 * successful deployment to a production environment (`deployment_status`), the post-incident
 * issue closed or reopened, and the app installed on repositories (which queues their backfill).
 * Every other event the log records is heard by the handler that already handles it.
 */
import type { Context, Probot } from "probot";
import { repoRef } from "../github/gateway.js";
import { POST_INCIDENT_LABEL } from "../render/post-incident.js";
import { configFor, gatewayFor, isOwnEvent, type Services } from "../handlers/services.js";
import { notifyDeployed } from "../notify/hooks.js";
import { scheduleBackfills } from "./backfill-job.js";

/** A review was requested on a pull request: recorded when it is a hotfix. */
export async function recordReviewRequested(context: Context<"pull_request.review_requested">, services: Services): Promise<void> {
  if (!services.hotfixLog) return;
  const gateway = gatewayFor(context, services);
  const repo = repoRef(context.payload.repository.full_name);
  await services.hotfixLog.pullRequestEvent(context.payload.repository.full_name, context.payload, await configFor(gateway, repo, services));
}

/** A deployment succeeded: recorded when its environment is one of the repository's production environments. */
export async function recordDeployment(context: Context<"deployment_status">, services: Services): Promise<void> {
  const { deployment_status: status, deployment, repository } = context.payload;
  if (!services.hotfixLog || status.state !== "success") return;
  const config = await configFor(gatewayFor(context, services), repoRef(repository.full_name), services);
  const environments = config.ok ? config.policy.config.metrics.deploy_environments : ["production"];
  const environment = status.environment ?? deployment.environment;
  if (!environments.some((name) => name.toLowerCase() === environment.toLowerCase())) return;
  const url = status.target_url || status.environment_url || null;
  const deployed = await services.hotfixLog.deployed(repository.full_name, {
    id: deployment.id,
    sha: deployment.sha,
    ref: deployment.ref,
    environment,
    at: status.created_at,
    actor: status.creator?.login ?? null,
    url,
  });
  if (config.ok) await notifyDeployed(services, repository.full_name, deployed, config.policy, { environment, at: status.created_at, url });
}

/** An issue with the post-incident label was closed or reopened: the log updates the hotfix that recorded it. */
export async function recordPostIncidentIssue(context: Context<"issues.closed" | "issues.reopened">, services: Services): Promise<void> {
  const { issue, repository, sender } = context.payload;
  if (!services.hotfixLog || !issue.labels?.some((label) => label?.name === POST_INCIDENT_LABEL)) return;
  if (await isOwnEvent(context, gatewayFor(context, services), services)) return;
  const closedAt = context.payload.action === "closed" ? (issue.closed_at ?? issue.updated_at) : null;
  await services.hotfixLog.postIncidentClosed(repository.full_name, { number: issue.number, closedAt, at: issue.updated_at, actor: sender.login, url: issue.html_url });
}

/** The app was installed, or repositories were added: queue each repository's backfill. */
export async function queueBackfills(context: Context<"installation.created" | "installation_repositories.added">, services: Services): Promise<void> {
  if (!services.hotfixLog || !services.scheduler) return;
  const payload = context.payload;
  const repositories = "repositories_added" in payload ? payload.repositories_added : (payload.repositories ?? []);
  const queued = await scheduleBackfills(services.scheduler, payload.installation.id, repositories.map((repository) => repository.full_name), services.now());
  context.log.info({ installation: payload.installation.id, queued }, "hotfix log backfill queued");
}

/** Registers the log's own routes. */
export function registerHotfixLogRoutes(app: Probot, services: Services): void {
  app.on("pull_request.review_requested", (context) => recordReviewRequested(context, services));
  app.on("deployment_status", (context) => recordDeployment(context, services));
  app.on(["issues.closed", "issues.reopened"], (context) => recordPostIncidentIssue(context, services));
  app.on(["installation.created", "installation_repositories.added"], (context) => queueBackfills(context, services));
}
