/**
 * The release guard's re-check of a repository's open release pull requests, run from the
 * durable queue ({@link RELEASE_RECHECK}) when the repository's open hotfixes changed without an
 * event of those pull requests: a hotfix merged into production, a back-merge merged into a
 * target, a target skipped. One listing of the open pull requests into production, then each
 * non-hotfix one the guard watches evaluated as its own event would (its check run written only
 * when its verdict changed), so a job run twice writes nothing twice.
 */
import type { Logger, ProbotOctokit } from "probot";
import { OctokitAuditGateway } from "../github/audit-gateway.js";
import { fullName, type RepoRef } from "../github/gateway.js";
import { classifyPullRequest } from "../rules/classify.js";
import { releaseLevel } from "../rules/release-guard.js";
import type { ReleaseRecheckJob } from "./merge-back.js";
import { evaluatePullRequest } from "./pull-request.js";
import { configFor, type Services } from "./services.js";

/** Runs a release re-check job with the installation's Octokit; returns the pull requests it evaluated. */
export async function runReleaseRecheck(octokit: ProbotOctokit, job: ReleaseRecheckJob, services: Services, log: Logger): Promise<number[]> {
  const repo: RepoRef = { owner: job.owner, repo: job.repo };
  const gateway = new OctokitAuditGateway(octokit, services.identity);
  const config = await configFor(gateway, repo, services);
  if (!config.ok) return [];
  const { policy } = config;
  const production = policy.config.branches.production;
  const watched = (await gateway.listOpenPullRequestsInto(repo, production)).filter((pr) => classifyPullRequest(pr, policy).kind === "not-hotfix" && releaseLevel(pr.headRef, policy) !== "off");
  for (const pr of watched) {
    const ref = { repo, fullName: fullName(repo), defaultBranch: job.defaultBranch, number: pr.number, baseRef: production, headSha: pr.headSha, installationId: job.installationId };
    await evaluatePullRequest(gateway, ref, services, log);
  }
  log.info({ repo: fullName(repo), pullRequests: watched.map((pr) => pr.number) }, "release pull requests re-checked");
  return watched.map((pr) => pr.number);
}
