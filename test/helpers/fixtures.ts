/**
 * Webhook payloads for the scenarios, each built from a real example in
 * `@octokit/webhooks-examples` and adjusted to the test repository acme/payments.
 */
import { createRequire } from "node:module";
import { COMPLETE_BODY, HEAD_SHA } from "./builders.js";

const require = createRequire(import.meta.url);
const examples = require("@octokit/webhooks-examples/api.github.com/index.json") as { name: string; examples: Record<string, unknown>[] }[];

function example(name: string, action?: string): Record<string, any> {
  const found = examples.find((e) => e.name === name)?.examples.find((e) => action === undefined || e.action === action);
  if (!found) throw new Error(`no ${name}.${action} example`);
  return structuredClone(found) as Record<string, any>;
}

/** The test repository, in the shape of the examples' repository objects. */
function repository(base: Record<string, any>): Record<string, any> {
  return {
    ...base,
    name: "payments",
    full_name: "acme/payments",
    default_branch: "main",
    owner: { ...base.owner, login: "acme", type: "Organization" },
  };
}

/** A human sender. */
export const DEVELOPER = { login: "dev-alice", id: 5001, type: "User" };

/** The pull request fields a scenario may set. */
export interface PullRequestShape {
  number?: number;
  headRef?: string;
  headSha?: string;
  baseRef?: string;
  body?: string;
  title?: string;
  labels?: string[];
  author?: string;
  state?: "open" | "closed";
  additions?: number;
  deletions?: number;
  changedFiles?: number;
}

/** A REST pull request object (`GET /pulls/{n}`), from the example's pull request. */
export function pullRequestObject(shape: PullRequestShape = {}): Record<string, any> {
  const pr = example("pull_request", "opened").pull_request as Record<string, any>;
  const repo = repository(example("pull_request", "opened").repository);
  const author = { ...pr.user, login: shape.author ?? "dev-alice" };
  return {
    ...pr,
    number: shape.number ?? 42,
    state: shape.state ?? "open",
    merged: false,
    title: shape.title ?? "hotfix(payments): default the currency code",
    body: shape.body ?? COMPLETE_BODY,
    user: author,
    labels: (shape.labels ?? []).map((name, i) => ({ id: i + 1, name, color: "d73a4a", default: false })),
    head: { ...pr.head, ref: shape.headRef ?? "hotfix/v1.4.3-default-currency", sha: shape.headSha ?? HEAD_SHA, repo },
    base: { ...pr.base, ref: shape.baseRef ?? "main", repo },
    additions: shape.additions ?? 12,
    deletions: shape.deletions ?? 3,
    changed_files: shape.changedFiles ?? 2,
  };
}

const INSTALLATION = { id: 1, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ==" };

/** A `pull_request` delivery. */
export function pullRequestEvent(action: string, shape: PullRequestShape = {}, extra: Record<string, unknown> = {}): { id: string; name: "pull_request"; payload: any } {
  const base = example("pull_request", action === "edited" || action === "synchronize" ? undefined : action);
  const payload = {
    ...base,
    action,
    number: shape.number ?? 42,
    pull_request: pullRequestObject(shape),
    repository: repository(base.repository),
    sender: DEVELOPER,
    installation: INSTALLATION,
    ...extra,
  };
  return { id: `delivery-${action}-${Math.random().toString(16).slice(2)}`, name: "pull_request", payload };
}

/** A `pull_request_review` delivery. */
export function reviewEvent(action: string, review: { reviewer: string; state: string; commitId?: string }, shape: PullRequestShape = {}): { id: string; name: "pull_request_review"; payload: any } {
  const base = example("pull_request_review", action);
  const { additions: _a, deletions: _d, changed_files: _c, ...simplePr } = pullRequestObject(shape);
  return {
    id: `delivery-review-${Math.random().toString(16).slice(2)}`,
    name: "pull_request_review",
    payload: {
      ...base,
      action,
      review: { ...base.review, user: { ...base.review.user, login: review.reviewer }, state: review.state, commit_id: review.commitId ?? HEAD_SHA },
      pull_request: simplePr,
      repository: repository(base.repository),
      sender: { ...DEVELOPER, login: review.reviewer },
      installation: INSTALLATION,
    },
  };
}

/** A `create` delivery for a branch. */
export function branchCreatedEvent(branch: string): { id: string; name: "create"; payload: any } {
  const base = example("create");
  return {
    id: `delivery-create-${Math.random().toString(16).slice(2)}`,
    name: "create",
    payload: { ...base, ref: branch, ref_type: "branch", master_branch: "main", repository: repository(base.repository), sender: DEVELOPER, installation: INSTALLATION },
  };
}

/** A `push` delivery to a branch, with the files each commit touched. */
export function pushEvent(branch: string, files: { added?: string[]; modified?: string[]; removed?: string[] }, after = "f".repeat(40), repoName = "payments"): { id: string; name: "push"; payload: any } {
  const base = example("push");
  const commit = { ...(base.commits[0] ?? {}), id: after, added: files.added ?? [], modified: files.modified ?? [], removed: files.removed ?? [] };
  const repo = repository(base.repository);
  return {
    id: `delivery-push-${Math.random().toString(16).slice(2)}`,
    name: "push",
    payload: {
      ...base,
      ref: `refs/heads/${branch}`,
      before: "e".repeat(40),
      after,
      forced: false,
      commits: [commit],
      head_commit: commit,
      repository: { ...repo, name: repoName, full_name: `acme/${repoName}` },
      sender: DEVELOPER,
      installation: INSTALLATION,
    },
  };
}

/** A `check_run.rerequested` delivery for a check run of the given name and app on a pull request. */
export function checkRunRerequestedEvent(name: string, appId: number, pr: { number: number; baseRef: string; headSha: string }): { id: string; name: "check_run"; payload: any } {
  const base = example("check_run", "rerequested");
  const pullRequests = [{ number: pr.number, id: 1, url: "", head: { ref: "hotfix/x", sha: pr.headSha, repo: {} }, base: { ref: pr.baseRef, sha: "3".repeat(40), repo: {} } }];
  return {
    id: `delivery-rerun-${Math.random().toString(16).slice(2)}`,
    name: "check_run",
    payload: {
      ...base,
      check_run: { ...base.check_run, name, head_sha: pr.headSha, app: { ...base.check_run.app, id: appId }, pull_requests: pullRequests },
      repository: repository(base.repository),
      sender: DEVELOPER,
      installation: INSTALLATION,
    },
  };
}
