/**
 * What merge-back tracking asks of GitHub, one method per REST call (or one bounded paginated
 * listing), behind an interface so tests can watch exactly which requests an event costs. The
 * 404s and 422s that carry meaning (a branch that does not exist, a pull request or branch that
 * already exists) become values; every other failure is thrown, so a failed write is never taken
 * for a success.
 */
import type { ProbotOctokit } from "probot";
import type { ChangeSet, CompareStatus, MergedPullRequest, TargetCommit } from "../model/merge-back.js";
import { isNotFound, statusOf } from "./errors.js";
import type { NewIssue, RepoRef } from "./gateway.js";
import { NO_RETRY } from "./writes.js";

/** GitHub lists at most this many files in a comparison; a list this long may be cut. */
const COMPARE_FILE_LIMIT = 300;
/** GitHub lists at most this many files of a pull request. */
const PULL_REQUEST_FILE_LIMIT = 3000;
/** Listings that grow with the repository's activity stop after this many pages of 100. */
const MAX_PAGES = 10;

/** A comparison `base...head`. */
export interface Comparison {
  readonly status: CompareStatus;
  /** Files changed on the head side since the merge base; null when GitHub may have cut the list. */
  readonly files: readonly string[] | null;
}

/** A commit of the hotfix pull request. */
export interface PullRequestCommit {
  readonly sha: string;
  readonly merge: boolean;
  /** Committer date (ISO 8601), or null when GitHub did not give one. */
  readonly date: string | null;
}

/** An issue carrying the reminder label. */
export interface LabelledIssue {
  readonly number: number;
  readonly state: "open" | "closed";
  readonly body: string;
  /** Who opened it: a reminder counts only when the app's own bot login opened it. */
  readonly author: string;
  /** How many comments it has; null when GitHub did not say. */
  readonly comments: number | null;
}

/** A comment on an issue or pull request. */
export interface IssueComment {
  readonly id: number;
  readonly author: string;
  readonly body: string;
}

/** A pull request as merge-back tracking reads it. */
export interface PullRequestStatus {
  readonly number: number;
  readonly state: "open" | "closed" | "merged";
  readonly head: string;
  /** Whether GitHub can merge it cleanly; null while GitHub is still computing it. */
  readonly mergeable: boolean | null;
}

/** The outcome of opening a pull request. */
export type OpenPullRequestResult = { readonly kind: "created"; readonly pullRequest: PullRequestStatus } | { readonly kind: "exists" };

/** Everything merge-back tracking asks of GitHub. */
export interface MergeBackGateway {
  /** Branches whose name starts with the prefix (`git/matching-refs/heads/<prefix>`), by name. */
  listBranches(repo: RepoRef, prefix: string): Promise<string[]>;
  /** `GET /compare/{base}...{head}`; null when either side does not exist. */
  compare(repo: RepoRef, base: string, head: string): Promise<Comparison | null>;
  /**
   * The changed files with their patches of `base...head` (the head side since the merge base),
   * from the comparison's first page; null when either side does not exist.
   */
  compareChanges(repo: RepoRef, base: string, head: string): Promise<ChangeSet | null>;
  /** The changed files of a pull request with their patches, and whether GitHub listed them all. */
  pullRequestChange(repo: RepoRef, number: number): Promise<ChangeSet>;
  /** The parents of a commit. */
  getCommitParents(repo: RepoRef, sha: string): Promise<string[]>;
  listPullRequestCommits(repo: RepoRef, number: number): Promise<PullRequestCommit[]>;
  /** Pull requests merged into any branch and updated since the given time, newest first. */
  listMergedPullRequests(repo: RepoRef, since: string): Promise<MergedPullRequest[]>;
  /** Commits of a branch since the given time. */
  listCommitsSince(repo: RepoRef, branch: string, since: string): Promise<TargetCommit[]>;
  /** Issues (never pull requests) with the label: the open ones, or all updated since a time. */
  listLabelledIssues(repo: RepoRef, label: string, filter: { readonly state: "open" } | { readonly state: "all"; readonly since: string }): Promise<LabelledIssue[]>;
  /** Creates an issue; assignees GitHub refuses (no access to the repository) are left out. */
  createIssue(repo: RepoRef, issue: NewIssue): Promise<number>;
  updateIssue(repo: RepoRef, number: number, change: { readonly body: string; readonly state?: "closed" }): Promise<void>;
  /** Creates a comment (sent once, never retried by the client); returns its id. */
  createComment(repo: RepoRef, issueNumber: number, body: string): Promise<number>;
  /** The comments on an issue or pull request. */
  listComments(repo: RepoRef, issueNumber: number): Promise<IssueComment[]>;
  /** The open pull request from the branch (of this repository) into the base, or null. */
  findOpenPullRequest(repo: RepoRef, head: string, base: string): Promise<PullRequestStatus | null>;
  /** Opens a pull request; `exists` when GitHub says one from head into base already exists. */
  openPullRequest(repo: RepoRef, pr: { readonly head: string; readonly base: string; readonly title: string; readonly body: string }): Promise<OpenPullRequestResult>;
  getPullRequestStatus(repo: RepoRef, number: number): Promise<PullRequestStatus>;
  /** The commit a branch points at, or null when it does not exist. */
  getBranchHead(repo: RepoRef, branch: string): Promise<string | null>;
  /** Creates a branch at the commit; `exists` when a branch of that name already exists. */
  createBranch(repo: RepoRef, branch: string, sha: string): Promise<"created" | "exists">;
  /** Deletes a branch; `gone` when it no longer exists. */
  deleteBranch(repo: RepoRef, branch: string): Promise<"deleted" | "gone">;
  /** The changed files of a pull request with their patches (null where GitHub gives none: binary or too large). */
  listPullRequestPatches(repo: RepoRef, number: number): Promise<FilePatch[]>;
  /** Adds labels to an issue or pull request (GitHub keeps each label once). */
  addLabels(repo: RepoRef, number: number, labels: readonly string[]): Promise<void>;
  /** Adds assignees to an issue or pull request (GitHub keeps each once and ignores those it refuses). */
  addAssignees(repo: RepoRef, number: number, assignees: readonly string[]): Promise<void>;
}

/** A changed file of a pull request with its unified-diff patch. */
export interface FilePatch {
  readonly filename: string;
  readonly patch: string | null;
}

interface HttpError {
  readonly status?: number;
  readonly message?: string;
  readonly response?: { readonly data?: { readonly message?: string; readonly errors?: readonly { readonly field?: string; readonly message?: string }[] } };
}

function httpError(error: unknown): HttpError {
  return typeof error === "object" && error !== null ? (error as HttpError) : {};
}

/** GitHub's explanation of a 422, message and error details together. */
function validationText(error: unknown): string {
  const data = httpError(error).response?.data;
  return [data?.message ?? httpError(error).message ?? "", ...(data?.errors ?? []).map((detail) => detail.message ?? "")].join(" ");
}

function isStatus(error: unknown, status: number): boolean {
  return statusOf(error) === status;
}

function pullRequestStatus(data: { number: number; state: string; merged_at: string | null; merged?: boolean; mergeable?: boolean | null; head: { ref: string } }): PullRequestStatus {
  const merged = data.merged === true || data.merged_at !== null;
  return { number: data.number, state: merged ? "merged" : data.state === "closed" ? "closed" : "open", head: data.head.ref, mergeable: data.mergeable ?? null };
}

/** The merge-back gateway over an installation's Octokit. */
export class OctokitMergeBackGateway implements MergeBackGateway {
  constructor(private readonly octokit: ProbotOctokit) {}

  async listBranches(repo: RepoRef, prefix: string): Promise<string[]> {
    const refs = await this.octokit.paginate(this.octokit.rest.git.listMatchingRefs, { ...repo, ref: `heads/${prefix}`, per_page: 100 });
    return refs.map((ref) => ref.ref.replace(/^refs\/heads\//, ""));
  }

  async compare(repo: RepoRef, base: string, head: string): Promise<Comparison | null> {
    try {
      const { data } = await this.octokit.rest.repos.compareCommitsWithBasehead({ ...repo, basehead: `${base}...${head}`, per_page: 1 });
      const files = (data.files ?? []).map((file) => file.filename);
      return { status: data.status, files: files.length < COMPARE_FILE_LIMIT ? files : null };
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  async compareChanges(repo: RepoRef, base: string, head: string): Promise<ChangeSet | null> {
    try {
      const { data } = await this.octokit.rest.repos.compareCommitsWithBasehead({ ...repo, basehead: `${base}...${head}`, per_page: 1 });
      const files = (data.files ?? []).map((file) => ({ filename: file.filename, previousFilename: file.previous_filename ?? null, patch: file.patch ?? null }));
      return { files, complete: files.length < COMPARE_FILE_LIMIT };
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  async pullRequestChange(repo: RepoRef, number: number): Promise<ChangeSet> {
    const files = await this.listPullRequestPatches(repo, number);
    return { files, complete: files.length < PULL_REQUEST_FILE_LIMIT };
  }

  async getCommitParents(repo: RepoRef, sha: string): Promise<string[]> {
    const { data } = await this.octokit.rest.git.getCommit({ ...repo, commit_sha: sha });
    return data.parents.map((parent) => parent.sha);
  }

  async listPullRequestCommits(repo: RepoRef, number: number): Promise<PullRequestCommit[]> {
    const commits = await this.octokit.paginate(this.octokit.rest.pulls.listCommits, { ...repo, pull_number: number, per_page: 100 });
    return commits.map((commit) => ({ sha: commit.sha, merge: commit.parents.length > 1, date: commit.commit.committer?.date ?? null }));
  }

  async listMergedPullRequests(repo: RepoRef, since: string): Promise<MergedPullRequest[]> {
    const sinceTime = Date.parse(since);
    let pages = 0;
    const pulls = await this.octokit.paginate(
      this.octokit.rest.pulls.list,
      { ...repo, state: "closed", sort: "updated", direction: "desc", per_page: 100 },
      (response, done) => {
        pages += 1;
        const last = response.data.at(-1);
        if (pages >= MAX_PAGES || !last || Date.parse(last.updated_at) < sinceTime) done();
        return response.data;
      },
    );
    return pulls
      .filter((pr) => pr.merged_at !== null && Date.parse(pr.updated_at) >= sinceTime)
      .map((pr) => ({ number: pr.number, base: pr.base.ref, headRef: pr.head.ref, title: pr.title, body: pr.body ?? "" }));
  }

  async listCommitsSince(repo: RepoRef, branch: string, since: string): Promise<TargetCommit[]> {
    let pages = 0;
    const commits = await this.octokit.paginate(this.octokit.rest.repos.listCommits, { ...repo, sha: branch, since, per_page: 100 }, (response, done) => {
      pages += 1;
      if (pages >= MAX_PAGES) done();
      return response.data;
    });
    return commits.map((commit) => ({ sha: commit.sha, message: commit.commit.message }));
  }

  async listLabelledIssues(repo: RepoRef, label: string, filter: { readonly state: "open" } | { readonly state: "all"; readonly since: string }): Promise<LabelledIssue[]> {
    const issues = await this.octokit.paginate(this.octokit.rest.issues.listForRepo, { ...repo, labels: label, per_page: 100, ...filter });
    return issues
      .filter((issue) => !issue.pull_request)
      .map((issue) => ({
        number: issue.number,
        state: issue.state === "closed" ? "closed" : "open",
        body: issue.body ?? "",
        author: issue.user?.login ?? "",
        comments: typeof issue.comments === "number" ? issue.comments : null,
      }));
  }

  async createIssue(repo: RepoRef, issue: NewIssue): Promise<number> {
    const request = { ...repo, title: issue.title, body: issue.body, labels: [...issue.labels] };
    try {
      const { data } = await this.octokit.rest.issues.create({ ...request, assignees: [...issue.assignees], request: NO_RETRY });
      return data.number;
    } catch (error) {
      const refusedAssignee = isStatus(error, 422) && (httpError(error).response?.data?.errors ?? []).some((detail) => detail.field === "assignees");
      if (!refusedAssignee || issue.assignees.length === 0) throw error;
      const { data } = await this.octokit.rest.issues.create({ ...request, request: NO_RETRY });
      return data.number;
    }
  }

  async updateIssue(repo: RepoRef, number: number, change: { readonly body: string; readonly state?: "closed" }): Promise<void> {
    await this.octokit.rest.issues.update({ ...repo, issue_number: number, body: change.body, ...(change.state ? { state: change.state, state_reason: "completed" as const } : {}) });
  }

  async createComment(repo: RepoRef, issueNumber: number, body: string): Promise<number> {
    const { data } = await this.octokit.rest.issues.createComment({ ...repo, issue_number: issueNumber, body, request: NO_RETRY });
    return data.id;
  }

  async listComments(repo: RepoRef, issueNumber: number): Promise<IssueComment[]> {
    const comments = await this.octokit.paginate(this.octokit.rest.issues.listComments, { ...repo, issue_number: issueNumber, per_page: 100 });
    return comments.map((comment) => ({ id: comment.id, author: comment.user?.login ?? "", body: comment.body ?? "" }));
  }

  async findOpenPullRequest(repo: RepoRef, head: string, base: string): Promise<PullRequestStatus | null> {
    const { data } = await this.octokit.rest.pulls.list({ ...repo, state: "open", head: `${repo.owner}:${head}`, base, per_page: 1 });
    const found = data[0];
    return found ? pullRequestStatus(found) : null;
  }

  async openPullRequest(repo: RepoRef, pr: { readonly head: string; readonly base: string; readonly title: string; readonly body: string }): Promise<OpenPullRequestResult> {
    try {
      const { data } = await this.octokit.rest.pulls.create({ ...repo, ...pr, maintainer_can_modify: false, request: NO_RETRY });
      return { kind: "created", pullRequest: pullRequestStatus(data) };
    } catch (error) {
      if (isStatus(error, 422) && /pull request already exists/i.test(validationText(error))) return { kind: "exists" };
      throw error;
    }
  }

  async getPullRequestStatus(repo: RepoRef, number: number): Promise<PullRequestStatus> {
    const { data } = await this.octokit.rest.pulls.get({ ...repo, pull_number: number });
    return pullRequestStatus(data);
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

  async createBranch(repo: RepoRef, branch: string, sha: string): Promise<"created" | "exists"> {
    try {
      await this.octokit.rest.git.createRef({ ...repo, ref: `refs/heads/${branch}`, sha, request: NO_RETRY });
      return "created";
    } catch (error) {
      if (isStatus(error, 422) && /already exists/i.test(validationText(error))) return "exists";
      throw error;
    }
  }

  async listPullRequestPatches(repo: RepoRef, number: number): Promise<FilePatch[]> {
    const files = await this.octokit.paginate(this.octokit.rest.pulls.listFiles, { ...repo, pull_number: number, per_page: 100 });
    return files.map((file) => ({ filename: file.filename, patch: file.patch ?? null }));
  }

  async addLabels(repo: RepoRef, number: number, labels: readonly string[]): Promise<void> {
    await this.octokit.rest.issues.addLabels({ ...repo, issue_number: number, labels: [...labels] });
  }

  async addAssignees(repo: RepoRef, number: number, assignees: readonly string[]): Promise<void> {
    await this.octokit.rest.issues.addAssignees({ ...repo, issue_number: number, assignees: [...assignees] });
  }

  async deleteBranch(repo: RepoRef, branch: string): Promise<"deleted" | "gone"> {
    try {
      await this.octokit.rest.git.deleteRef({ ...repo, ref: `heads/${branch}` });
      return "deleted";
    } catch (error) {
      if (isNotFound(error) || (isStatus(error, 422) && /does not exist/i.test(validationText(error)))) return "gone";
      throw error;
    }
  }
}
