/**
 * The GitHub calls of the emergency path beyond the audit's: asking reviewers for the escalation
 * ladder, which commit a branch pointed at when a bypass was granted, the pull requests a deployed
 * commit belongs to, and answering a deployment protection rule. Part of the one door: handlers
 * see facts and typed outcomes, never Octokit.
 */
import type { ProbotOctokit } from "probot";
import { OctokitAuditGateway, type AuditGateway } from "./audit-gateway.js";
import type { AppIdentity, RepoRef } from "./gateway.js";
import { NO_RETRY } from "./writes.js";

/** A pull request a commit belongs to, as far as the deployment gate needs it. */
export interface CommitPullRequest {
  readonly number: number;
  readonly state: "open" | "closed";
  readonly merged: boolean;
  readonly baseRef: string;
  readonly headRef: string;
  readonly headSha: string;
  readonly labels: readonly string[];
  readonly title: string;
  readonly body: string;
  readonly author: string;
}

/** The repository activities that move a branch to a new commit. */
const BRANCH_UPDATES: ReadonlySet<string> = new Set(["push", "force_push", "branch_creation", "merge_queue_merge"]);

/** The decision on a deployment protection rule, as GitHub took it. */
export type DeploymentReviewOutcome = "recorded" | "already-decided";

/** What the escalation ladder and the deployment gate ask of GitHub. */
export interface EmergencyGateway extends AuditGateway {
  /** `POST /pulls/{n}/requested_reviewers`: asks users (logins) and teams (slugs) for a review. */
  requestReviewers(repo: RepoRef, number: number, users: readonly string[], teams: readonly string[]): Promise<void>;
  /**
   * The commit `branch` pointed at, at `at`, from GitHub's record of the branch's pushes
   * (`GET /activity?ref=refs/heads/{branch}`, its latest 100): null when the record cannot be
   * read or holds no push, creation or force push up to that time.
   */
  branchHeadAt(repo: RepoRef, branch: string, at: string): Promise<string | null>;
  /** `GET /commits/{sha}/pulls`: the pull requests that contain or merged the commit. */
  listPullRequestsForCommit(repo: RepoRef, sha: string): Promise<CommitPullRequest[]>;
  /**
   * `POST /repos/{o}/{r}/actions/runs/{run_id}/deployment_protection_rule` (the event's
   * `deployment_callback_url`): approves or rejects the environment's deployment. A rule GitHub
   * already considers decided (it answers 422) is `already-decided`; other failures throw, so the
   * queue retries a 5xx.
   */
  reviewDeployment(repo: RepoRef, runId: number, environment: string, state: "approved" | "rejected", comment: string): Promise<DeploymentReviewOutcome>;
}

/** The emergency gateway over an installation's Octokit. */
export class OctokitEmergencyGateway extends OctokitAuditGateway implements EmergencyGateway {
  constructor(
    private readonly github: ProbotOctokit,
    identity: AppIdentity = {},
  ) {
    super(github, identity);
  }

  async requestReviewers(repo: RepoRef, number: number, users: readonly string[], teams: readonly string[]): Promise<void> {
    await this.github.rest.pulls.requestReviewers({ ...repo, pull_number: number, reviewers: [...users], team_reviewers: [...teams], request: NO_RETRY });
  }

  async branchHeadAt(repo: RepoRef, branch: string, at: string): Promise<string | null> {
    try {
      const { data } = await this.github.rest.repos.listActivities({ ...repo, ref: `refs/heads/${branch}`, direction: "desc", per_page: 100 });
      const until = Date.parse(at);
      const updates = data.filter((activity) => BRANCH_UPDATES.has(activity.activity_type) && Date.parse(activity.timestamp) <= until);
      const latest = updates.reduce<(typeof updates)[number] | null>((best, activity) => (!best || Date.parse(activity.timestamp) > Date.parse(best.timestamp) ? activity : best), null);
      return latest?.after ?? null;
    } catch (error) {
      const status = (error as { status?: number }).status;
      if (status === 403 || status === 404 || status === 422) return null;
      throw error;
    }
  }

  async listPullRequestsForCommit(repo: RepoRef, sha: string): Promise<CommitPullRequest[]> {
    const pulls = await this.github.paginate(this.github.rest.repos.listPullRequestsAssociatedWithCommit, { ...repo, commit_sha: sha, per_page: 100 });
    return pulls.map((pr) => ({
      number: pr.number,
      state: pr.state === "closed" ? "closed" : "open",
      merged: pr.merged_at !== null && pr.merged_at !== undefined,
      baseRef: pr.base.ref,
      headRef: pr.head.ref,
      headSha: pr.head.sha,
      labels: pr.labels.map((label) => label.name),
      title: pr.title,
      body: pr.body ?? "",
      author: pr.user?.login ?? "",
    }));
  }

  async reviewDeployment(repo: RepoRef, runId: number, environment: string, state: "approved" | "rejected", comment: string): Promise<DeploymentReviewOutcome> {
    try {
      await this.github.rest.actions.reviewCustomGatesForRun({ ...repo, run_id: runId, environment_name: environment, state, comment, request: NO_RETRY });
      return "recorded";
    } catch (error) {
      if ((error as { status?: number }).status === 422) return "already-decided";
      throw error;
    }
  }
}
