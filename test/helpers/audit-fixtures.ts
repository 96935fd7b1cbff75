/**
 * Merge-audit scenarios as webhook deliveries: a merged hotfix, its description edited after the
 * merge, comments on it, a direct push to main, protection changes and a release tag. Each starts
 * from a real payload in `@octokit/webhooks-examples` (via fixtures.ts, or directly for the
 * events fixtures.ts does not cover) and is adjusted to acme/payments.
 */
import { createRequire } from "node:module";
import { DEVELOPER, pullRequestEvent, pullRequestObject, pushEvent, type PullRequestShape } from "./fixtures.js";
import { ADMIN, MERGED_AT, MERGE_SHA, OPENED_AT } from "./audit-builders.js";

const require = createRequire(import.meta.url);
const examples = require("@octokit/webhooks-examples/api.github.com/index.json") as { name: string; examples: Record<string, unknown>[] }[];

function example(name: string, action?: string): Record<string, any> {
  const found = examples.find((e) => e.name === name)?.examples.find((e) => action === undefined || e.action === action);
  if (!found) throw new Error(`no ${name}.${action} example`);
  return structuredClone(found) as Record<string, any>;
}

const INSTALLATION = { id: 1, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ==" };

function repository(base: Record<string, any>, name = "payments"): Record<string, any> {
  return { ...base, name, full_name: `acme/${name}`, default_branch: "main", owner: { ...base.owner, login: "acme", type: "Organization" } };
}

function deliveryId(kind: string): string {
  return `delivery-${kind}-${Math.random().toString(16).slice(2)}`;
}

/** The merge facts of a merged pull request. */
export interface MergeShape {
  readonly mergedAt?: string;
  readonly mergeSha?: string;
  readonly mergedBy?: string;
}

/** The REST pull request (`GET /pulls/{n}`) of a merged hotfix. */
export function mergedPullObject(shape: PullRequestShape = {}, merge: MergeShape = {}): Record<string, any> {
  const pr = pullRequestObject(shape);
  return {
    ...pr,
    state: "closed",
    merged: true,
    created_at: OPENED_AT,
    merged_at: merge.mergedAt ?? MERGED_AT,
    closed_at: merge.mergedAt ?? MERGED_AT,
    merge_commit_sha: merge.mergeSha ?? MERGE_SHA,
    merged_by: { ...pr.user, login: merge.mergedBy ?? ADMIN },
  };
}

/** A `pull_request.closed` delivery of a merged hotfix (by the admin, at 14:50). */
export function mergedHotfixEvent(shape: PullRequestShape = {}, merge: MergeShape = {}): ReturnType<typeof pullRequestEvent> {
  return pullRequestEvent("closed", shape, { pull_request: mergedPullObject(shape, merge), sender: { ...DEVELOPER, login: merge.mergedBy ?? ADMIN } });
}

/** A `pull_request.edited` delivery: the description of the merged hotfix changed. */
export function mergedBodyEditedEvent(shape: PullRequestShape = {}): ReturnType<typeof pullRequestEvent> {
  return pullRequestEvent("edited", shape, { pull_request: mergedPullObject(shape), changes: { body: { from: "before" } } });
}

/** A comment on a pull request. */
export interface CommentShape {
  readonly id: number;
  readonly author: string;
  readonly body: string;
  readonly createdAt: string;
  readonly updatedAt?: string;
}

/** An `issue_comment` delivery on pull request #42 (merged at 14:50 unless `mergedAt` is null). */
export function pullRequestCommentEvent(
  action: "created" | "edited" | "deleted",
  comment: CommentShape,
  options: { mergedAt?: string | null; prAuthor?: string; previousBody?: string } = {},
): { id: string; name: "issue_comment"; payload: any } {
  const base = example("issue_comment", action);
  const mergedAt = options.mergedAt === undefined ? MERGED_AT : options.mergedAt;
  return {
    id: deliveryId(`comment-${action}`),
    name: "issue_comment",
    payload: {
      ...base,
      action,
      issue: {
        ...base.issue,
        number: 42,
        state: mergedAt ? "closed" : "open",
        user: { ...base.issue.user, login: options.prAuthor ?? "dev-alice" },
        pull_request: { url: "https://api.github.com/repos/acme/payments/pulls/42", html_url: "https://github.com/acme/payments/pull/42", merged_at: mergedAt },
      },
      comment: {
        ...base.comment,
        id: comment.id,
        body: comment.body,
        user: { ...base.comment.user, login: comment.author, type: comment.author.endsWith("[bot]") ? "Bot" : "User" },
        created_at: comment.createdAt,
        updated_at: comment.updatedAt ?? comment.createdAt,
      },
      ...(action === "edited" ? { changes: { body: { from: options.previousBody ?? "" } } } : {}),
      repository: repository(base.repository),
      sender: { ...base.sender, login: comment.author, type: comment.author.endsWith("[bot]") ? "Bot" : "User" },
      installation: INSTALLATION,
    },
  };
}

/** A `push` delivery to main with the given commits (the last one is the head). */
export function mainPushEvent(commits: { sha: string; message: string }[], options: { forced?: boolean; pusher?: string } = {}): ReturnType<typeof pushEvent> {
  const last = commits.at(-1);
  if (!last) throw new Error("a push has at least one commit");
  const event = pushEvent("main", { modified: ["src/payments/charge.ts"] }, last.sha);
  const template = event.payload.commits[0];
  const payloadCommits = commits.map((commit) => ({ ...template, id: commit.sha, message: commit.message, author: { name: "Alice", email: "alice@example.com", username: "dev-alice" } }));
  const pusher = options.pusher ?? "dev-alice";
  return {
    ...event,
    payload: { ...event.payload, commits: payloadCommits, head_commit: payloadCommits.at(-1), forced: options.forced ?? false, sender: { ...DEVELOPER, login: pusher }, pusher: { name: pusher, email: null } },
  };
}

/** A `branch_protection_rule` delivery for a rule with the given branch pattern. */
export function protectionRuleEvent(action: "created" | "edited" | "deleted", pattern: string, actor = ADMIN): { id: string; name: "branch_protection_rule"; payload: any } {
  const base = example("branch_protection_rule", action);
  return {
    id: deliveryId("protection"),
    name: "branch_protection_rule",
    payload: { ...base, action, rule: { ...base.rule, name: pattern }, repository: repository(base.repository), sender: { ...base.sender, login: actor, type: "User" }, installation: INSTALLATION },
  };
}

/**
 * A `repository_ruleset` delivery. The examples package has no such payload, so it is built from
 * the branch protection example's repository and sender and the ruleset fields of GitHub's schema.
 */
export function rulesetEvent(action: "created" | "edited" | "deleted", ruleset: { name: string; include: string[]; exclude?: string[]; enforcement?: string }, actor = ADMIN): { id: string; name: "repository_ruleset"; payload: any } {
  const base = example("branch_protection_rule", "created");
  return {
    id: deliveryId("ruleset"),
    name: "repository_ruleset",
    payload: {
      action,
      repository_ruleset: {
        id: 42,
        name: ruleset.name,
        target: "branch",
        source_type: "Repository",
        source: "acme/payments",
        enforcement: ruleset.enforcement ?? "active",
        conditions: { ref_name: { include: ruleset.include, exclude: ruleset.exclude ?? [] } },
        rules: [{ type: "pull_request" }],
      },
      repository: repository(base.repository),
      sender: { ...base.sender, login: actor, type: "User" },
      installation: INSTALLATION,
    },
  };
}

/** A `create` delivery for a tag. */
export function tagCreatedEvent(tag: string): { id: string; name: "create"; payload: any } {
  const base = example("create");
  return {
    id: deliveryId("tag"),
    name: "create",
    payload: { ...base, ref: tag, ref_type: "tag", master_branch: "main", repository: repository(base.repository), sender: { ...DEVELOPER, login: ADMIN }, installation: INSTALLATION },
  };
}
