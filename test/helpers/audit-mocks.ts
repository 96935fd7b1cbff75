/**
 * Typed nock helpers for the endpoints the merge audit calls, added to a {@link GitHubMock}'s
 * scope, and a Probot running only the audit's handlers (the other features' handlers hear the
 * same events and are tested on their own). Comments and issues live in a small in-memory
 * GitHub, so a listing answers with what was seeded or written earlier in the test; every write
 * is recorded with its body. Each helper mocks one request (or `times` requests), so a test that
 * ends with no pending mocks has made exactly the requests it set up.
 */
import { Probot } from "probot";
import { auditMerge, registerMergeAuditHandlers } from "../../src/handlers/merge-audit.js";
import { mergedPullRequestHandler } from "../../src/handlers/merged-hotfix.js";
import { registerPostIncidentHandlers } from "../../src/handlers/post-incident.js";
import { createServices, type Services } from "../../src/handlers/services.js";
import { APP_ID, TEST_PROBOT_OPTIONS, type GitHubMock } from "./app.js";
import { NOW } from "./builders.js";

/** The app's bot login in tests. */
export const BOT = "hotfix-guard[bot]";

/** The merge audit's routes alone: its own handlers, the post-incident tag handler, and the merged-pull-request pipeline with the audit as its only step. */
export function registerAuditOnly(app: Probot, services: Services): void {
  app.on("pull_request.closed", mergedPullRequestHandler(services, [auditMerge]));
  registerMergeAuditHandlers(app, services);
  registerPostIncidentHandlers(app, services);
}

/** A Probot with only the merge audit's handlers, on a pinned clock. */
export async function auditProbot(now: () => Date = () => NOW): Promise<{ probot: Probot; services: Services }> {
  const probot = new Probot(TEST_PROBOT_OPTIONS);
  const services = createServices({ now, identity: { appId: APP_ID, appOctokit: () => probot.auth() } });
  await probot.load((app) => registerAuditOnly(app, services), { cwd: process.cwd(), addHandler: () => undefined });
  return { probot, services };
}

/** A comment GitHub holds. */
export interface StoredComment {
  id: number;
  issue: number;
  repo: string;
  author: string;
  body: string;
  createdAt: string;
  updatedAt: string;
}

/** An issue (or pull request) GitHub holds. */
export interface StoredIssue {
  repo: string;
  number: number;
  title: string;
  body: string;
  state: "open" | "closed";
  labels: string[];
  assignees: string[];
  author: string;
  isPullRequest: boolean;
  updatedAt: string;
}

/** A write the app made. */
export interface Write {
  method: "POST" | "PATCH" | "DELETE";
  path: string;
  body: any;
}

/** A check run on the head commit. */
export interface RunShape {
  name: string;
  conclusion: string | null;
  completedAt: string | null;
  status?: string;
}

/** A rule of `GET /rules/branches/{branch}`. */
export type BranchRule = { type: "pull_request"; parameters: { required_approving_review_count: number; dismiss_stale_reviews_on_push: boolean } } | { type: "required_status_checks"; parameters: { required_status_checks: { context: string }[] } };

/** The rules of a branch requiring approvals and checks. */
export function branchRules(approvals: number, checks: string[]): BranchRule[] {
  return [
    { type: "pull_request", parameters: { required_approving_review_count: approvals, dismiss_stale_reviews_on_push: false } },
    { type: "required_status_checks", parameters: { required_status_checks: checks.map((context) => ({ context })) } },
  ];
}

/** Merge-audit endpoints on top of a GitHubMock. */
export class AuditMock {
  readonly comments: StoredComment[] = [];
  readonly issues: StoredIssue[] = [];
  readonly writes: Write[] = [];
  private nextComment = 5000;
  private nextIssue = 100;

  constructor(
    readonly github: GitHubMock,
    private readonly now: Date = NOW,
  ) {}

  private get scope() {
    return this.github.scope;
  }

  private record(method: Write["method"], path: string, body: unknown): void {
    this.writes.push({ method, path, body });
  }

  // ── Seeding ──────────────────────────────────────────────────────────────────────────────────

  /** Seeds a comment on an issue or pull request. */
  seedComment(comment: Omit<StoredComment, "repo" | "issue" | "updatedAt"> & { issue?: number; repo?: string; updatedAt?: string }): this {
    this.comments.push({ issue: 42, repo: "acme/payments", updatedAt: comment.createdAt, ...comment });
    return this;
  }

  /** Seeds an issue or pull request. */
  seedIssue(issue: Partial<StoredIssue> & { number: number }): this {
    this.issues.push({ repo: "acme/payments", title: "seeded", body: "", state: "open", labels: [], assignees: [], author: BOT, isPullRequest: false, updatedAt: this.now.toISOString(), ...issue });
    return this;
  }

  // ── Reads ────────────────────────────────────────────────────────────────────────────────────

  /** `GET /pulls/{n}`: the given pull request object. */
  pull(pr: Record<string, any>): this {
    this.scope.get(`/repos/acme/payments/pulls/${pr.number}`).reply(200, pr);
    return this;
  }

  /** `GET /issues/{n}/comments`, answered from the stored comments (honouring `since`). */
  listComments(issue = 42, repo = "acme/payments", times = 1): this {
    this.scope
      .get(`/repos/${repo}/issues/${issue}/comments`)
      .query(true)
      .times(times)
      .reply(200, (uri) => {
        const since = new URL(uri, "https://api.github.com").searchParams.get("since");
        return this.comments
          .filter((c) => c.repo === repo && c.issue === issue && (!since || Date.parse(c.updatedAt) >= Date.parse(since)))
          .map((c) => ({ id: c.id, body: c.body, user: { login: c.author, type: c.author.endsWith("[bot]") ? "Bot" : "User" }, created_at: c.createdAt, updated_at: c.updatedAt }));
      });
    return this;
  }

  /** `GET /rules/branches/{branch}`: the rules, or an error status. */
  rules(rules: BranchRule[] | number, branch = "main"): this {
    const path = `/repos/acme/payments/rules/branches/${branch}`;
    if (typeof rules === "number") this.scope.get(path).query(true).reply(rules, { message: "error" });
    else this.scope.get(path).query(true).reply(200, rules.map((rule) => ({ ...rule, ruleset_source_type: "Repository", ruleset_source: "acme/payments", ruleset_id: 7 })));
    return this;
  }

  /** `GET /branches/{branch}/protection`: classic protection, or 404 (none) / 403 (not permitted). */
  protection(reply: { approvals: number; checks: string[] } | 404 | 403, branch = "main"): this {
    const path = `/repos/acme/payments/branches/${branch}/protection`;
    if (reply === 404) this.scope.get(path).reply(404, { message: "Branch not protected" });
    else if (reply === 403) this.scope.get(path).reply(403, { message: "Resource not accessible by integration" });
    else
      this.scope.get(path).reply(200, {
        required_status_checks: { strict: false, contexts: reply.checks, checks: reply.checks.map((context) => ({ context, app_id: null })) },
        required_pull_request_reviews: { required_approving_review_count: reply.approvals, dismiss_stale_reviews: false, require_code_owner_reviews: false },
        enforce_admins: { enabled: false },
      });
    return this;
  }

  /** `GET /commits/{sha}/check-runs?filter=all`. */
  checkRuns(sha: string, runs: RunShape[]): this {
    this.scope
      .get(`/repos/acme/payments/commits/${sha}/check-runs`)
      .query((query) => query.filter === "all")
      .reply(200, {
        total_count: runs.length,
        check_runs: runs.map((run, i) => ({ id: 300 + i, name: run.name, status: run.status ?? "completed", conclusion: run.conclusion, started_at: run.completedAt, completed_at: run.completedAt, head_sha: sha, output: { summary: "" } })),
      });
    return this;
  }

  /** `GET /commits/{sha}/statuses`. */
  statuses(sha: string, statuses: { context: string; state: string; createdAt: string }[]): this {
    this.scope
      .get(`/repos/acme/payments/commits/${sha}/statuses`)
      .query(true)
      .reply(200, statuses.map((s, i) => ({ id: i + 1, context: s.context, state: s.state, created_at: s.createdAt })));
    return this;
  }

  /** `GET /repos/{repo}/issues?labels=<label>`, answered from the stored issues (honouring `state` and `since`). */
  listIssues(label: string, repo = "acme/payments", status = 200): this {
    const [owner, name] = repo.split("/");
    this.scope
      .get(`/repos/${owner}/${name}/issues`)
      .query((query) => query.labels === label)
      .reply(status, (uri) => {
        if (status !== 200) return { message: "Not Found" };
        const params = new URL(uri, "https://api.github.com").searchParams;
        const state = params.get("state") ?? "open";
        const since = params.get("since");
        return this.issues
          .filter((i) => i.repo === repo && i.labels.includes(label) && (state === "all" || i.state === state) && (!since || Date.parse(i.updatedAt) >= Date.parse(since)))
          .map((i) => ({
            number: i.number,
            title: i.title,
            body: i.body,
            state: i.state,
            user: { login: i.author, type: i.author.endsWith("[bot]") ? "Bot" : "User" },
            labels: i.labels.map((l) => ({ name: l })),
            ...(i.isPullRequest ? { pull_request: { url: "" } } : {}),
          }));
      });
    return this;
  }

  /** `GET /rulesets/rule-suites`: bypass records, or 403 when the installation lacks Administration write. */
  ruleSuites(suites: { id: number; actor: string; afterSha: string; pushedAt: string }[] | 403): this {
    const interceptor = this.scope.get("/repos/acme/payments/rulesets/rule-suites").query((query) => query.rule_suite_result === "bypass" && query.ref === "refs/heads/main");
    if (suites === 403) interceptor.reply(403, { message: "Resource not accessible by integration" });
    else
      interceptor.reply(
        200,
        suites.map((s) => ({ id: s.id, actor_id: 1, actor_name: s.actor, before_sha: "0".repeat(40), after_sha: s.afterSha, ref: "refs/heads/main", pushed_at: s.pushedAt, result: "bypass", evaluation_result: "bypass" })),
      );
    return this;
  }

  /** `GET /issues/{n}/timeline`: review requests at the given times. */
  timeline(requests: { at: string; reviewer: string }[], issue = 42): this {
    this.scope
      .get(`/repos/acme/payments/issues/${issue}/timeline`)
      .query(true)
      .reply(200, requests.map((r, i) => ({ id: i + 1, event: "review_requested", created_at: r.at, requested_reviewer: { login: r.reviewer }, review_requester: { login: "dev-alice" } })));
    return this;
  }

  /** `GET /git/ref/tags/{tag}`: the tag on a commit, an annotated tag (peeled with `GET /git/tags/{sha}`), or 404. */
  /** The team's post-incident template (`GET /contents/{path}`): its text, or an error status (404: no template). */
  postIncidentTemplate(reply: string | number, path = ".github/hotfix-guard/post-incident.md"): this {
    const scope = this.scope.get(`/repos/acme/payments/contents/${encodeURIComponent(path)}`);
    if (typeof reply === "number") scope.reply(reply, { message: "error" });
    else scope.reply(200, { type: "file", encoding: "base64", size: Buffer.byteLength(reply), content: Buffer.from(reply).toString("base64") });
    return this;
  }

  tagRef(tag: string, commit: string | null, annotated = false): this {
    const path = `/repos/acme/payments/git/ref/${encodeURIComponent(`tags/${tag}`)}`;
    if (commit === null) {
      this.scope.get(path).reply(404, { message: "Not Found" });
      return this;
    }
    const objectSha = annotated ? "a".repeat(40) : commit;
    this.scope.get(path).reply(200, { ref: `refs/tags/${tag}`, object: { sha: objectSha, type: annotated ? "tag" : "commit" } });
    if (annotated) this.scope.get(`/repos/acme/payments/git/tags/${objectSha}`).reply(200, { sha: objectSha, tag, object: { sha: commit, type: "commit" } });
    return this;
  }

  /** `GET /commits/{sha}/pulls`: the pull requests a commit belongs to. */
  commitPulls(sha: string, pulls: { number: number; base: string; merged: boolean }[]): this {
    this.scope
      .get(`/repos/acme/payments/commits/${sha}/pulls`)
      .query(true)
      .reply(200, pulls.map((p) => ({ number: p.number, state: "closed", merged_at: p.merged ? "2026-11-23T14:50:00Z" : null, base: { ref: p.base }, head: { ref: "x" } })));
    return this;
  }

  // ── Writes ───────────────────────────────────────────────────────────────────────────────────

  /** `POST /issues/{n}/comments`: stores the comment, or answers with an error status. */
  createComment(issue = 42, repo = "acme/payments", status = 201): this {
    this.scope.post(`/repos/${repo}/issues/${issue}/comments`).reply(status, (uri, body) => {
      const { body: text } = body as { body: string };
      this.record("POST", uri, body);
      if (status >= 300) return { message: "Server Error" };
      const comment: StoredComment = { id: this.nextComment++, issue, repo, author: BOT, body: text, createdAt: this.now.toISOString(), updatedAt: this.now.toISOString() };
      this.comments.push(comment);
      return { id: comment.id, body: text, user: { login: BOT, type: "Bot" }, created_at: comment.createdAt, updated_at: comment.updatedAt };
    });
    return this;
  }

  /** `PATCH /issues/comments/{id}`: updates the stored comment. */
  updateComment(id: number): this {
    this.scope.patch(`/repos/acme/payments/issues/comments/${id}`).reply(200, (uri, body) => {
      this.record("PATCH", uri, body);
      const comment = this.comments.find((c) => c.id === id);
      if (comment) Object.assign(comment, { body: (body as { body: string }).body, updatedAt: this.now.toISOString() });
      return { id, body: (body as { body: string }).body };
    });
    return this;
  }

  /** `POST /issues/{n}/labels`. */
  addLabels(issue = 42): this {
    this.scope.post(`/repos/acme/payments/issues/${issue}/labels`).reply(200, (uri, body) => {
      this.record("POST", uri, body);
      return (body as { labels: string[] }).labels.map((name) => ({ name }));
    });
    return this;
  }

  /** `DELETE /issues/{n}/labels/{name}`. */
  removeLabel(name: string, issue = 42): this {
    this.scope.delete(`/repos/acme/payments/issues/${issue}/labels/${encodeURIComponent(name)}`).reply(200, (uri) => {
      this.record("DELETE", uri, null);
      return [];
    });
    return this;
  }

  /** `POST /repos/{repo}/issues`: stores the issue, or answers with an error status. */
  createIssue(repo = "acme/payments", status = 201): this {
    this.scope.post(`/repos/${repo}/issues`).reply(status, (uri, body) => {
      const issue = body as { title: string; body: string; labels: string[]; assignees: string[] };
      this.record("POST", uri, body);
      if (status >= 300) return { message: status === 422 ? "Validation Failed" : "Server Error" };
      const stored: StoredIssue = { repo, number: this.nextIssue++, title: issue.title, body: issue.body, state: "open", labels: issue.labels, assignees: issue.assignees, author: BOT, isPullRequest: false, updatedAt: this.now.toISOString() };
      this.issues.push(stored);
      return { number: stored.number, title: stored.title, body: stored.body, state: "open" };
    });
    return this;
  }

  /** `PATCH /repos/{repo}/issues/{n}`: updates the stored issue. */
  updateIssue(issue: number, repo = "acme/payments"): this {
    this.scope.patch(`/repos/${repo}/issues/${issue}`).reply(200, (uri, body) => {
      this.record("PATCH", uri, body);
      const stored = this.issues.find((i) => i.repo === repo && i.number === issue);
      if (stored) Object.assign(stored, body as object);
      return { number: issue, ...(body as object) };
    });
    return this;
  }

  // ── What was written ─────────────────────────────────────────────────────────────────────────

  /** The app's audit comments on #42, as GitHub holds them now. */
  auditComments(): StoredComment[] {
    return this.comments.filter((c) => c.issue === 42 && c.author === BOT && c.body.includes("<!-- hotfix-guard:audit pr=42 -->"));
  }

  /** The one audit comment; fails when there is none or more than one. */
  auditComment(): string {
    const comments = this.auditComments();
    if (comments.length !== 1) throw new Error(`expected one audit comment, found ${comments.length}`);
    return (comments[0] as StoredComment).body;
  }

  /** Issues the app created, in order. */
  createdIssues(): StoredIssue[] {
    return this.issues.filter((i) => i.number >= 100);
  }

  /** Labels the app added to #42, in order. */
  labelsAdded(): string[] {
    return this.writes.filter((w) => w.method === "POST" && w.path.endsWith("/issues/42/labels")).flatMap((w) => (w.body as { labels: string[] }).labels);
  }
}
