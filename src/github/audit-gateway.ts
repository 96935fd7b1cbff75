/**
 * What the merge-time audit asks of GitHub, beyond what the pre-merge check already reads. Each
 * method is one REST call (or one paginated listing) and returns normalised data; the statuses
 * that carry meaning (403: the app may not read this, 404: there is none) become values, so the
 * audit can say "not verified" or "not permitted" instead of failing or, worse, passing. It
 * extends {@link OctokitGateway}, so permission, team membership, reviews, files and commits are
 * read exactly as the pre-merge check reads them.
 */
import type { ProbotOctokit } from "probot";
import type { CheckRunFact, ClassicProtection, MergedPullRequest, RuleSuiteLookup, RulesetRequirements, StatusFact } from "../model/merge.js";
import { statusOf } from "./errors.js";
import { NO_RETRY } from "./writes.js";
import type { ConfigFile } from "../config/load.js";
import { readOrganisationFloor } from "./config-files.js";
import { OctokitGateway, pullRequestFacts, type AppIdentity, type GithubGateway, type NewIssue, type RepoRef } from "./gateway.js";
import type { RepositoryTextFile } from "../model/repository-file.js";

/** An issue (or pull request) as the issues list returns it. */
export interface IssueFact {
  readonly number: number;
  readonly title: string;
  readonly body: string;
  readonly state: "open" | "closed";
  readonly author: string;
  readonly labels: readonly string[];
  readonly isPullRequest: boolean;
}

/** A pull request a commit belongs to. */
export interface CommitPullRequest {
  readonly number: number;
  readonly baseRef: string;
  readonly merged: boolean;
}

/** A repository as the `audit` command reads it first, to tell a missing repository from other failures. */
export interface RepositoryFact {
  /** `owner/name` as GitHub spells it. */
  readonly fullName: string;
  readonly defaultBranch: string;
}

/** A merged pull request as the pull request list gives it: enough to classify it, not to audit it. */
export interface MergedPullRequestSummary {
  readonly number: number;
  readonly title: string;
  readonly url: string;
  readonly baseRef: string;
  readonly headRef: string;
  /** The head commit when listed. */
  readonly headSha: string;
  readonly labels: readonly string[];
  readonly createdAt: string;
  readonly mergedAt: string;
  /** False when the head branch lives in a fork. */
  readonly headInRepository: boolean;
}

/** An open pull request as the pull request list gives it: enough to classify it. */
export type OpenPullRequestSummary = Pick<MergedPullRequestSummary, "number" | "title" | "url" | "baseRef" | "headRef" | "headSha" | "labels">;

/** A merged pull request with everything the audit reads from it. */
export interface MergedPullRequestData extends MergedPullRequest {
  readonly merged: boolean;
  /**
   * The base branch's commit GitHub recorded for the pull request (`base.sha`): from before the
   * merge, so comparisons against it show the pull request's own change; absent when not read.
   */
  readonly baseSha?: string;
}

/** The largest repository text file read (the post-incident template): 32 KiB, half an issue body. */
export const TEXT_FILE_LIMIT = 32 * 1024;

/** Everything the merge audit asks of GitHub. */
export interface AuditGateway extends GithubGateway {
  /** The pull request with its merge facts (`GET /pulls/{n}`). */
  getMergedPullRequest(repo: RepoRef, number: number): Promise<MergedPullRequestData>;
  /** What the rulesets require of a branch (`GET /rules/branches/{branch}`). */
  getBranchRules(repo: RepoRef, branch: string): Promise<RulesetRequirements>;
  /** Classic branch protection (`GET /branches/{branch}/protection`): 404 none, 403 unknown. */
  getClassicProtection(repo: RepoRef, branch: string): Promise<ClassicProtection>;
  /** Every check run on a commit, every attempt (`GET /commits/{sha}/check-runs?filter=all`). */
  listCheckRuns(repo: RepoRef, sha: string): Promise<CheckRunFact[]>;
  /** Every commit status on a commit (`GET /commits/{sha}/statuses`). */
  listStatuses(repo: RepoRef, sha: string): Promise<StatusFact[]>;
  /** GitHub's bypass record for the push that created `afterSha` on `ref` (rule suites). */
  findRuleSuiteBypass(repo: RepoRef, ref: string, afterSha: string, sinceMs: number): Promise<RuleSuiteLookup>;
  createComment(repo: RepoRef, number: number, body: string): Promise<number>;
  updateComment(repo: RepoRef, commentId: number, body: string): Promise<void>;
  addLabels(repo: RepoRef, number: number, labels: readonly string[]): Promise<void>;
  removeLabel(repo: RepoRef, number: number, label: string): Promise<void>;
  /** Issues and pull requests carrying the label, open and closed, updated since the given time. */
  listIssuesWithLabel(repo: RepoRef, label: string, options?: { since?: string; state?: "open" | "all" }): Promise<IssueFact[]>;
  createIssue(repo: RepoRef, issue: NewIssue): Promise<number>;
  updateIssue(repo: RepoRef, number: number, changes: { body?: string; state?: "open" | "closed" }): Promise<void>;
  /** Every `vX.Y.Z` tag name (`GET /git/matching-refs/tags/v`). */
  listVersionTags(repo: RepoRef): Promise<string[]>;
  /** The commit a tag points at, peeling an annotated tag (`GET /git/ref/tags/{tag}`), or null when it does not exist. */
  getTagCommit(repo: RepoRef, tag: string): Promise<string | null>;
  /** The pull requests a commit belongs to (`GET /commits/{sha}/pulls`). */
  listPullRequestsOfCommit(repo: RepoRef, sha: string): Promise<CommitPullRequest[]>;
  /**
   * A text file of the default branch (`GET /contents/{path}`), at most {@link TEXT_FILE_LIMIT}
   * bytes: found, missing (404 for the path) or failed with the reason. Never throws.
   */
  readTextFile(repo: RepoRef, path: string): Promise<RepositoryTextFile>;
  /** The parent shas of a commit (`GET /git/commits/{sha}`), to tell a merge commit from a squash or rebase. */
  getCommitParents(repo: RepoRef, sha: string): Promise<string[]>;
  /** The repository (`GET /repos/{owner}/{repo}`), or null when it does not exist or the token cannot see it. */
  getRepository(repo: RepoRef): Promise<RepositoryFact | null>;
  /**
   * Pull requests merged into `base` at or after `since`, most recently updated first
   * (`GET /pulls?state=closed&base=…&sort=updated`). Paging stops at the first page that reaches
   * back before `since`: a pull request merged since then was updated since then too.
   */
  listMergedPullRequestsInto(repo: RepoRef, base: string, since: string): Promise<MergedPullRequestSummary[]>;
  /** Open pull requests into `base`, enough to classify each (the command line's `preview`). */
  listOpenPullRequestsInto(repo: RepoRef, base: string): Promise<OpenPullRequestSummary[]>;
  /** The organisation's `.github` configuration file, for its floor alone; null when there is none. */
  getOrganisationFloor(owner: string, path: string): Promise<ConfigFile | null>;
}

function denied(error: unknown): boolean {
  const status = statusOf(error);
  return status === 403 || status === 404;
}

function reasonOf(error: unknown, permission: string): string {
  const status = statusOf(error);
  return status === 403 ? `HTTP 403: the app needs the ${permission} permission` : `HTTP ${status ?? "error"}`;
}

/**
 * Why GitHub's rule-suite record was not read: GitHub's permission tables list
 * `GET /repos/{owner}/{repo}/rulesets/rule-suites` under Administration write, which the app does
 * not request by default. Asked only when the installation's token carries it.
 */
const RULE_SUITES_PERMISSION = "the installation lacks Administration write";

/** `time_period` of the rule-suites API that covers a moment `ageMs` ago. */
function timePeriodFor(ageMs: number): "hour" | "day" | "week" | "month" {
  const hour = 3_600_000;
  if (ageMs < 50 * 60_000) return "hour";
  if (ageMs < 23 * hour) return "day";
  if (ageMs < 6.5 * 24 * hour) return "week";
  return "month";
}

type RuleEntry = { type: string; parameters?: Record<string, unknown> };

function rulesetRequirements(rules: readonly RuleEntry[]): RulesetRequirements {
  let requiredApprovals = 0;
  let dismissStale = false;
  const requiredChecks = new Set<string>();
  for (const rule of rules) {
    const parameters = rule.parameters ?? {};
    if (rule.type === "pull_request") {
      requiredApprovals = Math.max(requiredApprovals, Number(parameters.required_approving_review_count ?? 0));
      dismissStale ||= parameters.dismiss_stale_reviews_on_push === true;
    }
    if (rule.type === "required_status_checks") {
      for (const entry of (parameters.required_status_checks as { context: string }[] | undefined) ?? []) requiredChecks.add(entry.context);
    }
  }
  return { status: "read", ruleCount: rules.length, requiredApprovals, dismissStale, requiredChecks: [...requiredChecks] };
}

/** The audit gateway over an installation's Octokit. */
export class OctokitAuditGateway extends OctokitGateway implements AuditGateway {
  constructor(
    private readonly client: ProbotOctokit,
    identity: AppIdentity = {},
  ) {
    super(client, identity);
  }

  async getMergedPullRequest(repo: RepoRef, number: number): Promise<MergedPullRequestData> {
    const { data } = await this.client.rest.pulls.get({ ...repo, pull_number: number });
    return {
      ...pullRequestFacts(data),
      requestedReviewers: (data.requested_reviewers ?? []).map((user) => user.login),
      baseSha: data.base.sha,
      merged: data.merged,
      createdAt: data.created_at,
      mergedAt: data.merged_at ?? "",
      mergeCommitSha: data.merge_commit_sha,
      mergedBy: data.merged_by?.login ?? null,
    };
  }

  async getBranchRules(repo: RepoRef, branch: string): Promise<RulesetRequirements> {
    try {
      const rules = await this.client.paginate(this.client.rest.repos.getBranchRules, { ...repo, branch, per_page: 100 });
      return rulesetRequirements(rules as RuleEntry[]);
    } catch (error) {
      if (denied(error)) return { status: "unreadable", reason: reasonOf(error, "Metadata read") };
      throw error;
    }
  }

  async getClassicProtection(repo: RepoRef, branch: string): Promise<ClassicProtection> {
    try {
      const { data } = await this.client.rest.repos.getBranchProtection({ ...repo, branch });
      const checks = data.required_status_checks;
      const reviews = data.required_pull_request_reviews;
      return {
        status: "protected",
        requiredApprovals: reviews?.required_approving_review_count ?? 0,
        dismissStale: reviews?.dismiss_stale_reviews ?? false,
        requiredChecks: [...new Set([...(checks?.contexts ?? []), ...(checks?.checks ?? []).map((c) => c.context)])],
      };
    } catch (error) {
      if (statusOf(error) === 404) return { status: "none" };
      if (statusOf(error) === 403) return { status: "unknown", reason: reasonOf(error, "Administration read") };
      throw error;
    }
  }

  async listCheckRuns(repo: RepoRef, sha: string): Promise<CheckRunFact[]> {
    const runs = await this.client.paginate(this.client.rest.checks.listForRef, { ...repo, ref: sha, filter: "all", per_page: 100 });
    return runs.map((run) => ({ name: run.name, status: run.status, conclusion: run.conclusion, startedAt: run.started_at, completedAt: run.completed_at }));
  }

  async listStatuses(repo: RepoRef, sha: string): Promise<StatusFact[]> {
    const statuses = await this.client.paginate(this.client.rest.repos.listCommitStatusesForRef, { ...repo, ref: sha, per_page: 100 });
    return statuses.map((status) => ({ context: status.context, state: status.state, createdAt: status.created_at }));
  }

  async findRuleSuiteBypass(repo: RepoRef, ref: string, afterSha: string, sinceMs: number): Promise<RuleSuiteLookup> {
    const granted = await this.getGrantedPermissions();
    if (granted !== null && granted.administration !== "write") return { status: "not-permitted", reason: RULE_SUITES_PERMISSION };
    try {
      const suites = await this.client.paginate(this.client.rest.repos.getRepoRuleSuites, {
        ...repo,
        ref,
        rule_suite_result: "bypass",
        time_period: timePeriodFor(sinceMs),
        per_page: 100,
      });
      const match = suites.find((suite) => suite.after_sha === afterSha);
      return match ? { status: "bypass", id: match.id ?? 0, actor: match.actor_name ?? null, pushedAt: match.pushed_at ?? null } : { status: "none" };
    } catch (error) {
      if (statusOf(error) === 403) return { status: "not-permitted", reason: RULE_SUITES_PERMISSION };
      if (statusOf(error) === 404) return { status: "unavailable", reason: reasonOf(error, "Administration write") };
      throw error;
    }
  }

  async createComment(repo: RepoRef, number: number, body: string): Promise<number> {
    const { data } = await this.client.rest.issues.createComment({ ...repo, issue_number: number, body, request: NO_RETRY });
    return data.id;
  }

  async updateComment(repo: RepoRef, commentId: number, body: string): Promise<void> {
    await this.client.rest.issues.updateComment({ ...repo, comment_id: commentId, body });
  }

  async addLabels(repo: RepoRef, number: number, labels: readonly string[]): Promise<void> {
    await this.client.rest.issues.addLabels({ ...repo, issue_number: number, labels: [...labels], request: NO_RETRY });
  }

  async removeLabel(repo: RepoRef, number: number, label: string): Promise<void> {
    try {
      await this.client.rest.issues.removeLabel({ ...repo, issue_number: number, name: label });
    } catch (error) {
      if (statusOf(error) !== 404) throw error;
    }
  }

  async listIssuesWithLabel(repo: RepoRef, label: string, options: { since?: string; state?: "open" | "all" } = {}): Promise<IssueFact[]> {
    const issues = await this.client.paginate(this.client.rest.issues.listForRepo, {
      ...repo,
      labels: label,
      state: options.state ?? "all",
      per_page: 100,
      ...(options.since ? { since: options.since } : {}),
    });
    return issues.map((issue) => ({
      number: issue.number,
      title: issue.title,
      body: issue.body ?? "",
      state: issue.state === "closed" ? "closed" : "open",
      author: issue.user?.login ?? "",
      labels: issue.labels.map((entry) => (typeof entry === "string" ? entry : (entry.name ?? ""))),
      isPullRequest: issue.pull_request !== undefined,
    }));
  }

  async createIssue(repo: RepoRef, issue: NewIssue): Promise<number> {
    const { data } = await this.client.rest.issues.create({
      ...repo,
      title: issue.title,
      body: issue.body,
      labels: [...issue.labels],
      assignees: [...issue.assignees],
      request: NO_RETRY,
    });
    return data.number;
  }

  async updateIssue(repo: RepoRef, number: number, changes: { body?: string; state?: "open" | "closed" }): Promise<void> {
    await this.client.rest.issues.update({ ...repo, issue_number: number, ...changes, ...(changes.state === "closed" ? { state_reason: "completed" as const } : {}) });
  }

  async listVersionTags(repo: RepoRef): Promise<string[]> {
    const refs = await this.client.paginate(this.client.rest.git.listMatchingRefs, { ...repo, ref: "tags/v", per_page: 100 });
    return refs.map((ref) => ref.ref.replace(/^refs\/tags\//, ""));
  }

  async getTagCommit(repo: RepoRef, tag: string): Promise<string | null> {
    try {
      const { data } = await this.client.rest.git.getRef({ ...repo, ref: `tags/${tag}` });
      if (data.object.type !== "tag") return data.object.sha;
      const { data: annotated } = await this.client.rest.git.getTag({ ...repo, tag_sha: data.object.sha });
      return annotated.object.sha;
    } catch (error) {
      if (statusOf(error) === 404) return null;
      throw error;
    }
  }

  async listPullRequestsOfCommit(repo: RepoRef, sha: string): Promise<CommitPullRequest[]> {
    const { data } = await this.client.rest.repos.listPullRequestsAssociatedWithCommit({ ...repo, commit_sha: sha, per_page: 100 });
    return data.map((pr) => ({ number: pr.number, baseRef: pr.base.ref, merged: pr.merged_at !== null }));
  }

  async readTextFile(repo: RepoRef, path: string): Promise<RepositoryTextFile> {
    let data: unknown;
    try {
      ({ data } = await this.client.rest.repos.getContent({ ...repo, path }));
    } catch (error) {
      const status = statusOf(error);
      if (status === 404) return { kind: "missing", path };
      return { kind: "failed", path, reason: status === undefined ? `the request failed (${(error as Error).message})` : `GitHub answered HTTP ${status}` };
    }
    const file = data as { type?: string; size?: number; content?: string; encoding?: string };
    if (Array.isArray(data) || file.type !== "file") return { kind: "failed", path, reason: "it is not a file" };
    if ((file.size ?? 0) > TEXT_FILE_LIMIT || file.encoding !== "base64") {
      return { kind: "failed", path, reason: `it is larger than ${TEXT_FILE_LIMIT / 1024} KiB (${file.size ?? "unknown"} bytes)` };
    }
    return { kind: "found", path, text: Buffer.from(file.content ?? "", "base64").toString("utf8") };
  }

  async getCommitParents(repo: RepoRef, sha: string): Promise<string[]> {
    const { data } = await this.client.rest.git.getCommit({ ...repo, commit_sha: sha });
    return data.parents.map((parent) => parent.sha);
  }

  async getRepository(repo: RepoRef): Promise<RepositoryFact | null> {
    try {
      const { data } = await this.client.rest.repos.get({ ...repo });
      return { fullName: data.full_name, defaultBranch: data.default_branch };
    } catch (error) {
      if (statusOf(error) === 404) return null;
      throw error;
    }
  }

  getOrganisationFloor(owner: string, path: string): Promise<ConfigFile | null> {
    return readOrganisationFloor(this.client, owner, path);
  }

  async listOpenPullRequestsInto(repo: RepoRef, base: string): Promise<OpenPullRequestSummary[]> {
    const pulls = await this.client.paginate(this.client.rest.pulls.list, { ...repo, state: "open", base, per_page: 100 });
    return pulls.map((pr) => ({ number: pr.number, title: pr.title, url: pr.html_url, baseRef: pr.base.ref, headRef: pr.head.ref, headSha: pr.head.sha, labels: pr.labels.map((label) => label.name) }));
  }

  async listMergedPullRequestsInto(repo: RepoRef, base: string, since: string): Promise<MergedPullRequestSummary[]> {
    const sinceTime = Date.parse(since);
    const pulls = await this.client.paginate(
      this.client.rest.pulls.list,
      { ...repo, state: "closed", base, sort: "updated", direction: "desc", per_page: 100 },
      (response, done) => {
        const last = response.data.at(-1);
        if (!last || Date.parse(last.updated_at) < sinceTime) done();
        return response.data;
      },
    );
    const repository = `${repo.owner}/${repo.repo}`.toLowerCase();
    return pulls.flatMap((pr) =>
      pr.merged_at !== null && Date.parse(pr.merged_at) >= sinceTime
        ? [
            {
              number: pr.number,
              title: pr.title,
              url: pr.html_url,
              baseRef: pr.base.ref,
              headRef: pr.head.ref,
              headSha: pr.head.sha,
              labels: pr.labels.map((label) => label.name),
              createdAt: pr.created_at,
              mergedAt: pr.merged_at,
              headInRepository: pr.head.repo?.full_name.toLowerCase() === repository,
            },
          ]
        : [],
    );
  }
}
