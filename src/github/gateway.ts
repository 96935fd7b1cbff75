/**
 * The only place that talks to GitHub. Each method is one REST call (or one paginated listing),
 * returns normalised data (review states upper-cased, logins as GitHub spells them) and turns
 * the 404s that carry meaning into values. Handlers and the snapshot loader depend on the
 * {@link GithubGateway} interface, so tests can watch exactly which requests an event costs.
 */
import type { ProbotOctokit } from "probot";
import type { ConfigFile } from "../config/load.js";
import { crossOwnerExtendsFrom, readConfigFiles } from "./config-files.js";
import { grantedPermissions, seesAllRepositories, type GrantedPermissions } from "./installation.js";
import type { ChangedFile, CommitFact, PullRequestFacts, PushedCommitFact, ReviewFact } from "../model/pull-request.js";
import type { ReviewRequestFact } from "../model/merge.js";
import { isNotFound } from "./errors.js";
import { NO_RETRY } from "./writes.js";
import { OctokitMergeBackGateway, type MergeBackGateway } from "./merge-back-gateway.js";
import type { CheckRunOutput } from "../model/check-run.js";
import type { CommentFact } from "../model/merge.js";
export type { CheckRunOutput };

/** Owner and name of a repository. */
export interface RepoRef {
  readonly owner: string;
  readonly repo: string;
}

/** `owner/name`. */
export function fullName(repo: RepoRef): string {
  return `${repo.owner}/${repo.repo}`;
}

/** The repository an `owner/name` string names. */
export function repoRef(name: string): RepoRef {
  const slash = name.indexOf("/");
  return { owner: name.slice(0, slash), repo: name.slice(slash + 1) };
}

/** A new issue. */
export interface NewIssue {
  readonly title: string;
  readonly body: string;
  readonly labels: readonly string[];
  readonly assignees: readonly string[];
}

/** The pull request fields the app reads. */
export interface PullRequestData extends PullRequestFacts {
  readonly state: "open" | "closed";
  readonly merged: boolean;
  /** How many comments the pull request's conversation has (GitHub's count), to skip reading none. */
  readonly commentCount: number;
}

/** A timeline entry as far as review requests go. */
interface TimelineReviewRequest {
  readonly event?: string;
  readonly created_at?: string;
  readonly actor?: { login: string } | null;
  readonly review_requester?: { login: string } | null;
  readonly requested_reviewer?: { login: string } | null;
  readonly requested_team?: { slug: string } | null;
}

/** GitHub lists at most this many files in a comparison; a list that long may be cut. */
const COMPARE_FILE_LIMIT = 300;

/** A file of a comparison. */
export interface ComparedFile {
  readonly filename: string;
  readonly sha: string | null;
  readonly status: string;
  readonly patch: string | null;
}

/** A three-dot comparison as far as the app needs it. */
export interface Comparison {
  /** `ahead`, `behind`, `identical` or `diverged`: the head against the base. */
  readonly status: string;
  /** The changed files (name, blob, status, patch); null when GitHub's list may be cut. */
  readonly files: readonly ComparedFile[] | null;
  /** The commits after the merge base; null when GitHub listed them only in part. */
  readonly commits: readonly PushedCommitFact[] | null;
}

/** The latest check run of a name on a commit, as far as the app needs it. */
export interface ExistingCheckRun {
  readonly id: number;
  readonly conclusion: string | null;
  readonly summary: string | null;
}

export { ConfigFetchError, ConfigReadError } from "./config-files.js";

/** Everything Hotfix Guard asks of GitHub. */
export interface GithubGateway {
  /**
   * The configuration file of the repository, the organisation fallback and `_extends` bases, from
   * default branches; throws `ConfigFetchError` when a read failed, `ConfigReadError` when a file is unusable.
   */
  getConfigFiles(repo: RepoRef, path: string): Promise<ConfigFile[]>;
  getPullRequest(repo: RepoRef, number: number): Promise<PullRequestData>;
  listPullRequestFiles(repo: RepoRef, number: number): Promise<ChangedFile[]>;
  listPullRequestCommits(repo: RepoRef, number: number): Promise<CommitFact[]>;
  listReviews(repo: RepoRef, number: number): Promise<ReviewFact[]>;
  /** Review requests and their withdrawals, oldest first, with who made them, from the timeline (`GET /issues/{n}/timeline`). */
  listReviewRequests(repo: RepoRef, number: number): Promise<ReviewRequestFact[]>;
  /** `GET /compare/{base}...{head}`: the three-dot comparison (from the merge base). */
  compareCommits(repo: RepoRef, base: string, head: string): Promise<Comparison>;
  /** The highest `vX.Y.Z` tag, or null when there is none. */
  getLatestVersionTag(repo: RepoRef): Promise<string | null>;
  /** The comments of an issue or pull request, oldest first, optionally only those updated since. */
  listIssueComments(repo: RepoRef, number: number, since?: string): Promise<CommentFact[]>;
  /** The user's permission on the repository (admin, maintain, write, triage, read, none). */
  getPermission(repo: RepoRef, login: string): Promise<string>;
  /** The logins of the repository's administrators who are people, not bots (`GET /collaborators?permission=admin`). */
  listAdmins(repo: RepoRef): Promise<string[]>;
  /** Whether the user is an active member of the team; throws when the app may not read the team. */
  isTeamMember(org: string, teamSlug: string, login: string): Promise<boolean>;
  /** The commit a branch points at, or null when the branch no longer exists. */
  getBranchHead(repo: RepoRef, branch: string): Promise<string | null>;
  findCheckRun(repo: RepoRef, sha: string, name: string): Promise<ExistingCheckRun | null>;
  createCheckRun(repo: RepoRef, sha: string, output: CheckRunOutput): Promise<number>;
  updateCheckRun(repo: RepoRef, id: number, output: CheckRunOutput): Promise<void>;
  /** The app's own slug (`hotfix-guard`), to recognise events the app caused. */
  getAppSlug(): Promise<string>;
  /** The installation's granted permissions, from its access token (no request); null when not an installation's token. */
  getGrantedPermissions(): Promise<GrantedPermissions | null>;
  /** The merge-back door of the same installation (the release guard reads merge-back facts). */
  mergeBack(): MergeBackGateway;
}

const REVIEW_STATES = new Set<ReviewFact["state"]>(["APPROVED", "CHANGES_REQUESTED", "COMMENTED", "DISMISSED", "PENDING"]);

/** Upper-cases a review state from a webhook (`approved`) or the REST API (`APPROVED`). */
export function normaliseReviewState(state: string): ReviewFact["state"] {
  const upper = state.toUpperCase() as ReviewFact["state"];
  return REVIEW_STATES.has(upper) ? upper : "COMMENTED";
}

const VERSION_TAG = /^refs\/tags\/v(\d{1,9})\.(\d{1,9})\.(\d{1,9})$/;

/** The highest of the given tag refs that reads `refs/tags/vX.Y.Z`, as `vX.Y.Z`. */
export function highestVersionTag(refs: readonly string[]): string | null {
  let best: [number, number, number] | null = null;
  for (const ref of refs) {
    const match = VERSION_TAG.exec(ref);
    if (!match) continue;
    const version: [number, number, number] = [Number(match[1]), Number(match[2]), Number(match[3])];
    if (!best || version[0] > best[0] || (version[0] === best[0] && (version[1] > best[1] || (version[1] === best[1] && version[2] > best[2])))) {
      best = version;
    }
  }
  return best ? `v${best.join(".")}` : null;
}

/** A pull request as `GET /pulls/{number}` returns it. */
export type PullRequestResponse = Awaited<ReturnType<ProbotOctokit["rest"]["pulls"]["get"]>>["data"];

/** The fields every reader of a pull request uses, from the REST response. */
export function pullRequestFacts(data: PullRequestResponse): PullRequestFacts {
  return {
    number: data.number,
    title: data.title,
    body: data.body ?? "",
    author: data.user.login,
    headRef: data.head.ref,
    headSha: data.head.sha,
    baseRef: data.base.ref,
    labels: data.labels.map((label) => label.name),
    additions: data.additions,
    deletions: data.deletions,
    changedFiles: data.changed_files,
  };
}

/** Who the app is, for telling its own check runs and events from others'. */
export interface AppIdentity {
  /** The app id (APP_ID); without it a same-named check run of another app could be mistaken for ours. */
  readonly appId?: number;
  /** An Octokit authenticated as the app itself (JWT), for `GET /app`. */
  readonly appOctokit?: () => Promise<ProbotOctokit>;
}

/** The gateway over an authenticated Octokit (an installation's, or a token's for the CLI). */
export class OctokitGateway implements GithubGateway {
  constructor(
    private readonly octokit: ProbotOctokit,
    private readonly identity: AppIdentity = {},
  ) {}

  mergeBack(): MergeBackGateway {
    return new OctokitMergeBackGateway(this.octokit);
  }

  getConfigFiles(repo: RepoRef, path: string): Promise<ConfigFile[]> {
    return readConfigFiles(this.octokit, repo, path, { crossOwner: crossOwnerExtendsFrom(process.env), seesAllRepositories: () => seesAllRepositories(this.octokit) });
  }

  async getPullRequest(repo: RepoRef, number: number): Promise<PullRequestData> {
    const { data } = await this.octokit.rest.pulls.get({ ...repo, pull_number: number });
    const requestedReviewers = (data.requested_reviewers ?? []).map((user) => user.login);
    return { ...pullRequestFacts(data), requestedReviewers, state: data.state === "closed" ? "closed" : "open", merged: data.merged, commentCount: data.comments };
  }

  async listPullRequestFiles(repo: RepoRef, number: number): Promise<ChangedFile[]> {
    const files = await this.octokit.paginate(this.octokit.rest.pulls.listFiles, { ...repo, pull_number: number, per_page: 100 });
    return files.map((file) => ({ filename: file.filename, status: file.status, additions: file.additions, deletions: file.deletions }));
  }

  async listPullRequestCommits(repo: RepoRef, number: number): Promise<CommitFact[]> {
    const commits = await this.octokit.paginate(this.octokit.rest.pulls.listCommits, { ...repo, pull_number: number, per_page: 100 });
    return commits.map((commit) => ({ sha: commit.sha, message: commit.commit.message, parents: commit.parents.length }));
  }

  async listReviews(repo: RepoRef, number: number): Promise<ReviewFact[]> {
    const reviews = await this.octokit.paginate(this.octokit.rest.pulls.listReviews, { ...repo, pull_number: number, per_page: 100 });
    return reviews.flatMap((review) =>
      review.user
        ? [{ reviewer: review.user.login, reviewerType: review.user.type, state: normaliseReviewState(review.state), commitId: review.commit_id ?? null, submittedAt: review.submitted_at ?? null }]
        : [],
    );
  }

  async listReviewRequests(repo: RepoRef, number: number): Promise<ReviewRequestFact[]> {
    const events = await this.octokit.paginate(this.octokit.rest.issues.listEventsForTimeline, { ...repo, issue_number: number, per_page: 100 });
    return events
      .flatMap((event): ReviewRequestFact[] => {
        const entry = event as TimelineReviewRequest;
        if ((entry.event !== "review_requested" && entry.event !== "review_request_removed") || !entry.created_at) return [];
        const kind = entry.event === "review_requested" ? "requested" : "removed";
        const requester = entry.review_requester?.login ?? entry.actor?.login ?? null;
        return [{ kind, at: entry.created_at, reviewer: entry.requested_reviewer?.login ?? null, team: entry.requested_team?.slug ?? null, requester }];
      })
      .sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  }

  async compareCommits(repo: RepoRef, base: string, head: string): Promise<Comparison> {
    const { data } = await this.octokit.rest.repos.compareCommitsWithBasehead({ ...repo, basehead: `${base}...${head}`, per_page: 100 });
    const files = data.files ?? [];
    return {
      status: data.status,
      files: files.length >= COMPARE_FILE_LIMIT ? null : files.map((file) => ({ filename: file.filename, sha: file.sha ?? null, status: file.status, patch: file.patch ?? null })),
      commits:
        data.commits.length < data.total_commits
          ? null
          : data.commits.map((commit) => ({
              sha: commit.sha,
              author: commit.author?.login ?? null,
              committer: commit.committer?.login ?? null,
              verified: commit.commit.verification?.verified === true,
            })),
    };
  }

  async getLatestVersionTag(repo: RepoRef): Promise<string | null> {
    const refs = await this.octokit.paginate(this.octokit.rest.git.listMatchingRefs, { ...repo, ref: "tags/v", per_page: 100 });
    return highestVersionTag(refs.map((ref) => ref.ref));
  }

  async listIssueComments(repo: RepoRef, number: number, since?: string): Promise<CommentFact[]> {
    const comments = await this.octokit.paginate(this.octokit.rest.issues.listComments, { ...repo, issue_number: number, per_page: 100, ...(since ? { since } : {}) });
    return comments.map((comment) => ({
      id: comment.id,
      author: comment.user?.login ?? "",
      ...(comment.user?.type ? { authorType: comment.user.type } : {}),
      body: comment.body ?? "",
      createdAt: comment.created_at,
      updatedAt: comment.updated_at,
    }));
  }

  async listAdmins(repo: RepoRef): Promise<string[]> {
    const collaborators = await this.octokit.paginate(this.octokit.rest.repos.listCollaborators, { ...repo, permission: "admin", per_page: 100 });
    return collaborators.filter((user) => user.type !== "Bot").map((user) => user.login);
  }

  async getPermission(repo: RepoRef, login: string): Promise<string> {
    try {
      const { data } = await this.octokit.rest.repos.getCollaboratorPermissionLevel({ ...repo, username: login });
      return data.role_name ?? data.permission;
    } catch (error) {
      if (isNotFound(error)) return "none";
      throw error;
    }
  }

  async isTeamMember(org: string, teamSlug: string, login: string): Promise<boolean> {
    try {
      const { data } = await this.octokit.rest.teams.getMembershipForUserInOrg({ org, team_slug: teamSlug, username: login });
      return data.state === "active";
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  async getBranchHead(repo: RepoRef, branch: string): Promise<string | null> {
    try {
      const { data } = await this.octokit.rest.git.getRef({ ...repo, ref: `heads/${branch}` });
      return data.object.sha;
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  async findCheckRun(repo: RepoRef, sha: string, name: string): Promise<ExistingCheckRun | null> {
    const { appId } = this.identity;
    const { data } = await this.octokit.rest.checks.listForRef({
      ...repo,
      ref: sha,
      check_name: name,
      filter: "latest",
      per_page: 100,
      ...(appId ? { app_id: appId } : {}),
    });
    const own = data.check_runs.find((run) => !appId || run.app?.id === appId);
    return own ? { id: own.id, conclusion: own.conclusion, summary: own.output.summary } : null;
  }

  async createCheckRun(repo: RepoRef, sha: string, output: CheckRunOutput): Promise<number> {
    const { data } = await this.octokit.rest.checks.create({ ...repo, head_sha: sha, status: "completed", ...checkRunBody(output), request: NO_RETRY });
    return data.id;
  }

  async updateCheckRun(repo: RepoRef, id: number, output: CheckRunOutput): Promise<void> {
    await this.octokit.rest.checks.update({ ...repo, check_run_id: id, status: "completed", ...checkRunBody(output) });
  }

  getGrantedPermissions(): Promise<GrantedPermissions | null> {
    return grantedPermissions(this.octokit);
  }

  async getAppSlug(): Promise<string> {
    if (!this.identity.appOctokit) throw new Error("the app's own identity is unknown without app credentials");
    const app = await this.identity.appOctokit();
    const { data } = await app.rest.apps.getAuthenticated();
    return data?.slug ?? "";
  }
}

function checkRunBody(output: CheckRunOutput) {
  return {
    name: output.name,
    conclusion: output.conclusion,
    output: { title: output.title, summary: output.summary, ...(output.text ? { text: output.text } : {}) },
  };
}
