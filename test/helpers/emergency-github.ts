/**
 * A small stateful GitHub on nock for the emergency path end to end (issue 14): one hotfix pull
 * request (#42 of acme/payments) with its comments, timeline, check runs and issues, answered
 * from memory so the whole app (every handler, not a test's selection) can run one scenario after
 * another: what the app writes is read back by its next request, as on GitHub. Every write is
 * recorded with its body; a request no route knows is recorded in `unknown` and answered 404, so
 * a test can insist that the app asked only what this GitHub knows.
 */
import nock from "nock";
import { APP_ID, ALL_PERMISSIONS, contentsFile } from "./app.js";
import { pullRequestObject } from "./fixtures.js";
import type { StoredIssue } from "./audit-mocks.js";

const BOT = "hotfix-guard[bot]";

/** A comment on #42 or on an issue the app opened. */
export interface FakeComment {
  id: number;
  issue: number;
  author: string;
  body: string;
  createdAt: string;
  updatedAt: string;
}

/** A timeline entry of #42: a review request (user or team) with who made it. */
export interface FakeTimelineEntry {
  readonly event: "review_requested" | "review_request_removed";
  readonly at: string;
  readonly reviewer?: string;
  readonly team?: string;
  readonly by: string;
}

type FakeIssue = Pick<StoredIssue, "number" | "title" | "body" | "state" | "labels" | "assignees">;

interface FakeCheckRun {
  id: number;
  head_sha: string;
  name: string;
  status: string;
  conclusion: string | null;
  output: { title: string; summary: string; text?: string };
  started_at: string;
  completed_at: string | null;
}

/** The state of the hotfix pull request. */
export interface FakePull {
  body: string;
  headSha: string;
  baseSha: string;
  state: "open" | "closed";
  mergedAt: string | null;
  mergedBy: string | null;
  mergeCommitSha: string | null;
  requestedTeams: string[];
  labels: string[];
}

/** GitHub as the emergency path needs it, on a settable clock. */
export class EmergencyGitHub {
  readonly scope = nock("https://api.github.com").persist();
  readonly requests: string[] = [];
  readonly unknown: string[] = [];
  readonly writes: { readonly method: string; readonly path: string; readonly body: unknown }[] = [];
  readonly comments: FakeComment[] = [];
  readonly timeline: FakeTimelineEntry[] = [];
  readonly issues: FakeIssue[] = [];
  readonly checkRuns: FakeCheckRun[] = [];
  /** Repository permissions by login; anyone else has `read`. */
  readonly permissions: Record<string, string> = {};
  /** The deployment protection rule answers, in order. */
  readonly deploymentAnswers: { environment_name: string; state: string; comment: string }[] = [];
  private nextId = 7000;

  constructor(
    readonly pull: FakePull,
    private readonly config: string,
    private readonly now: () => Date,
    readonly admins: readonly string[],
  ) {
    this.pushes = [{ sha: pull.headSha, at: "2026-11-23T13:50:00Z" }];
    this.scope.on("request", (request: { method: string; path: string }) => this.requests.push(`${request.method} ${decodeURIComponent(request.path.split("?")[0] ?? "")}`));
    this.routes();
  }

  /** Writes to GitHub (not the token exchange), as `METHOD /path`. */
  writtenPaths(): string[] {
    return this.writes.map((write) => `${write.method} ${write.path}`);
  }

  /** The REST pull request as GitHub answers it now. */
  pullObject(): Record<string, any> {
    const base = pullRequestObject({ body: this.pull.body, headSha: this.pull.headSha, labels: this.pull.labels });
    return {
      ...base,
      state: this.pull.state,
      merged: this.pull.mergedAt !== null,
      created_at: "2026-11-23T13:55:00Z",
      updated_at: this.now().toISOString(),
      merged_at: this.pull.mergedAt,
      closed_at: this.pull.mergedAt,
      merge_commit_sha: this.pull.mergeCommitSha,
      merged_by: this.pull.mergedBy ? { ...base.user, login: this.pull.mergedBy } : null,
      comments: this.comments.filter((comment) => comment.issue === 42).length,
      requested_reviewers: [],
      requested_teams: this.pull.requestedTeams.map((slug) => ({ slug, name: slug })),
      base: { ...base.base, sha: this.pull.baseSha },
    };
  }

  /** The head branch's pushes, as GitHub's repository activity lists them (the first: when the hotfix branch was pushed). */
  private readonly pushes: { sha: string; at: string }[];

  /** A push to the head branch now: the pull request's head moves. */
  push(sha: string): void {
    this.pull.headSha = sha;
    this.pushes.push({ sha, at: this.now().toISOString() });
  }

  /** Seeds a comment as someone else wrote it; returns it. */
  comment(author: string, body: string, at: string, issue = 42): FakeComment {
    const comment = { id: this.nextId++, issue, author, body, createdAt: at, updatedAt: at };
    this.comments.push(comment);
    return comment;
  }

  private record(method: string, path: string, body: unknown): void {
    this.writes.push({ method, path, body });
  }

  private commentJson(comment: FakeComment): Record<string, unknown> {
    const bot = comment.author.endsWith("[bot]");
    return {
      id: comment.id,
      body: comment.body,
      user: { login: comment.author, type: bot ? "Bot" : "User" },
      created_at: comment.createdAt,
      updated_at: comment.updatedAt,
      html_url: `https://github.com/acme/payments/issues/${comment.issue}#issuecomment-${comment.id}`,
    };
  }

  private issueJson(issue: FakeIssue): Record<string, unknown> {
    return {
      number: issue.number,
      title: issue.title,
      body: issue.body,
      state: issue.state,
      user: { login: BOT, type: "Bot" },
      labels: issue.labels.map((name) => ({ name })),
      assignees: issue.assignees.map((login) => ({ login })),
      html_url: `https://github.com/acme/payments/issues/${issue.number}`,
    };
  }

  private runJson(run: FakeCheckRun): Record<string, unknown> {
    return { ...run, app: { id: APP_ID, slug: "hotfix-guard" }, html_url: `https://github.com/acme/payments/runs/${run.id}` };
  }

  private on(method: "GET" | "POST" | "PATCH" | "DELETE" | "PUT", path: RegExp, answer: (match: RegExpMatchArray, body: any, uri: string) => [number, unknown]): void {
    this.scope
      .intercept((uri) => path.test(uri.split("?")[0] ?? ""), method)
      .query(true)
      .reply((uri, body) => {
        const match = (uri.split("?")[0] ?? "").match(path) as RegExpMatchArray;
        const [status, reply] = answer(match, typeof body === "string" && body !== "" ? JSON.parse(body) : body, uri);
        if (method !== "GET" && status < 300 && !uri.startsWith("/app/")) this.record(method, decodeURIComponent(uri.split("?")[0] ?? ""), body);
        return [status, reply as nock.Body];
      });
  }

  private routes(): void {
    const now = () => this.now().toISOString();
    this.on("POST", /^\/app\/installations\/1\/access_tokens$/, () => [201, { token: "ghs_test", expires_at: "2099-01-01T00:00:00Z", permissions: ALL_PERMISSIONS, repository_selection: "all" }]);
    this.on("GET", /^\/app\/installations\/1$/, () => [200, { id: 1, account: { login: "acme", id: 4242, type: "Organization" } }]);
    this.on("GET", /^\/app$/, () => [200, { id: APP_ID, slug: "hotfix-guard", name: "Hotfix Guard" }]);
    this.on("GET", /^\/repos\/acme\/payments\/contents\/\.github%2Fhotfix-guard\.yml$/, () => [200, contentsFile(this.config)]);
    this.on("GET", /^\/repos\/acme\/\.github\/contents\//, () => [404, { message: "Not Found" }]);
    this.on("GET", /^\/repos\/acme\/payments\/contents\//, () => [404, { message: "Not Found" }]);
    this.on("GET", /^\/repos\/acme\/payments\/pulls\/42$/, () => [200, this.pullObject()]);
    this.on("GET", /^\/repos\/acme\/payments\/pulls$/, () => [200, this.pull.state === "open" ? [this.pullObject()] : []]);
    this.on("GET", /^\/repos\/acme\/payments\/pulls\/42\/files$/, () => [
      200,
      [
        { filename: "src/payments/charge.ts", status: "modified", additions: 4, deletions: 3, changes: 7, sha: "0".repeat(40) },
        { filename: "src/payments/charge.test.ts", status: "modified", additions: 8, deletions: 0, changes: 8, sha: "0".repeat(40) },
      ],
    ]);
    this.on("GET", /^\/repos\/acme\/payments\/pulls\/42\/commits$/, () => [200, [{ sha: this.pull.headSha, commit: { message: "hotfix(payments): default the currency code" }, parents: [{ sha: this.pull.baseSha }] }]]);
    this.on("GET", /^\/repos\/acme\/payments\/pulls\/42\/reviews$/, () => [200, []]);
    this.on("POST", /^\/repos\/acme\/payments\/pulls\/42\/requested_reviewers$/, (_match, body: { team_reviewers?: string[]; reviewers?: string[] }) => {
      for (const team of body.team_reviewers ?? []) {
        this.timeline.push({ event: "review_requested", at: now(), team, by: BOT });
        this.pull.requestedTeams.push(team);
      }
      for (const reviewer of body.reviewers ?? []) this.timeline.push({ event: "review_requested", at: now(), reviewer, by: BOT });
      return [201, this.pullObject()];
    });
    this.on("GET", /^\/repos\/acme\/payments\/issues\/42\/timeline$/, () => [
      200,
      this.timeline.map((entry, i) => ({
        id: i + 1,
        event: entry.event,
        created_at: entry.at,
        actor: { login: entry.by },
        review_requester: { login: entry.by },
        ...(entry.team ? { requested_team: { slug: entry.team } } : { requested_reviewer: { login: entry.reviewer } }),
      })),
    ]);
    this.on("GET", /^\/repos\/acme\/payments\/git\/matching-refs\/tags%2Fv$/, () => [200, [{ ref: "refs/tags/v1.4.2", object: { sha: "2".repeat(40), type: "commit" } }]]);
    this.on("GET", /^\/repos\/acme\/payments\/git\/ref\/tags%2F(.+)$/, () => [404, { message: "Not Found" }]);
    this.on("GET", /^\/repos\/acme\/payments\/collaborators\/([^/]+)\/permission$/, (match) => {
      const login = decodeURIComponent(match[1] ?? "");
      const permission = this.permissions[login.toLowerCase()] ?? "read";
      return [200, { permission, role_name: permission, user: { login } }];
    });
    this.on("GET", /^\/repos\/acme\/payments\/collaborators$/, () => [200, this.admins.map((login) => ({ login, type: "User" }))]);
    this.on("GET", /^\/orgs\/acme\/teams\/([^/]+)\/memberships\/([^/]+)$/, () => [404, { message: "Not Found" }]);
    this.on("GET", /^\/repos\/acme\/payments\/commits\/([0-9a-f]{40})\/check-runs$/, (match, _body, uri) => {
      const name = new URL(uri, "https://api.github.com").searchParams.get("check_name");
      const runs = this.checkRuns.filter((run) => run.head_sha === match[1] && (name === null || run.name === name)).reverse();
      return [200, { total_count: runs.length, check_runs: runs.map((run) => this.runJson(run)) }];
    });
    this.on("POST", /^\/repos\/acme\/payments\/check-runs$/, (_match, body: Partial<FakeCheckRun> & Pick<FakeCheckRun, "head_sha" | "name" | "output">) => {
      const run: FakeCheckRun = { status: body.status ?? "completed", conclusion: body.conclusion ?? null, head_sha: body.head_sha, name: body.name, output: body.output, id: this.nextId++, started_at: now(), completed_at: now() };
      this.checkRuns.push(run);
      return [201, this.runJson(run)];
    });
    this.on("PATCH", /^\/repos\/acme\/payments\/check-runs\/(\d+)$/, (match, body: Partial<FakeCheckRun>) => {
      const run = this.checkRuns.find((candidate) => candidate.id === Number(match[1]));
      if (!run) return [404, { message: "Not Found" }];
      Object.assign(run, body, { completed_at: now() });
      return [200, this.runJson(run)];
    });
    this.on("GET", /^\/repos\/acme\/payments\/issues\/(\d+)\/comments$/, (match, _body, uri) => {
      const since = new URL(uri, "https://api.github.com").searchParams.get("since");
      const issue = Number(match[1]);
      const found = this.comments.filter((comment) => comment.issue === issue && (!since || Date.parse(comment.updatedAt) >= Date.parse(since)));
      return [200, found.map((comment) => this.commentJson(comment))];
    });
    this.on("POST", /^\/repos\/acme\/payments\/issues\/(\d+)\/comments$/, (match, body: { body: string }) => {
      const comment = { id: this.nextId++, issue: Number(match[1]), author: BOT, body: body.body, createdAt: now(), updatedAt: now() };
      this.comments.push(comment);
      return [201, this.commentJson(comment)];
    });
    this.on("PATCH", /^\/repos\/acme\/payments\/issues\/comments\/(\d+)$/, (match, body: { body: string }) => {
      const comment = this.comments.find((candidate) => candidate.id === Number(match[1]));
      if (!comment) return [404, { message: "Not Found" }];
      Object.assign(comment, { body: body.body, updatedAt: now() });
      return [200, this.commentJson(comment)];
    });
    this.on("POST", /^\/repos\/acme\/payments\/issues\/(\d+)\/labels$/, (match, body: { labels: string[] }) => {
      const labels = match[1] === "42" ? this.pull.labels : (this.issues.find((issue) => issue.number === Number(match[1]))?.labels ?? []);
      for (const label of body.labels) if (!labels.includes(label)) labels.push(label);
      return [200, labels.map((name) => ({ name }))];
    });
    this.on("GET", /^\/repos\/acme\/payments\/issues$/, (_match, _body, uri) => {
      const params = new URL(uri, "https://api.github.com").searchParams;
      const label = params.get("labels");
      const state = params.get("state") ?? "open";
      const found = this.issues.filter((issue) => (!label || issue.labels.includes(label)) && (state === "all" || issue.state === state));
      return [200, found.map((issue) => this.issueJson(issue))];
    });
    this.on("POST", /^\/repos\/acme\/payments\/issues$/, (_match, body: { title: string; body: string; labels?: string[]; assignees?: string[] }) => {
      const issue: FakeIssue = { number: 100 + this.issues.length, title: body.title, body: body.body, state: "open", labels: body.labels ?? [], assignees: body.assignees ?? [] };
      this.issues.push(issue);
      return [201, this.issueJson(issue)];
    });
    this.on("PATCH", /^\/repos\/acme\/payments\/issues\/(\d+)$/, (match, body: Partial<FakeIssue>) => {
      const issue = this.issues.find((candidate) => candidate.number === Number(match[1]));
      if (!issue) return [404, { message: "Not Found" }];
      Object.assign(issue, body);
      return [200, this.issueJson(issue)];
    });
    this.on("GET", /^\/repos\/acme\/payments\/git\/commits\/([0-9a-f]{40})$/, (match) => [200, { sha: match[1], parents: match[1] === this.pull.mergeCommitSha ? [{ sha: this.pull.baseSha }, { sha: this.pull.headSha }] : [{ sha: this.pull.baseSha }] }]);
    this.on("GET", /^\/repos\/acme\/payments\/activity$/, () => [
      200,
      [...this.pushes].reverse().map((push, i) => ({ id: i + 1, before: "0".repeat(40), after: push.sha, ref: `refs/heads/${this.pullObject().head.ref}`, timestamp: push.at, activity_type: "push", actor: { login: "dev-alice" } })),
    ]);
    this.on("GET", /^\/repos\/acme\/payments\/compare\/develop\.\.\.([0-9a-f]{40})$/, () => [200, { status: "behind", ahead_by: 0, behind_by: 1, total_commits: 0, commits: [], files: [] }]);
    this.on("GET", /^\/repos\/acme\/payments\/git\/ref\/heads%2F/, () => [404, { message: "Not Found" }]);
    this.on("GET", /^\/repos\/acme\/payments\/rules\/branches\/main$/, () => [200, []]);
    this.on("GET", /^\/repos\/acme\/payments\/branches\/main\/protection$/, () => [404, { message: "Branch not protected" }]);
    this.on("GET", /^\/repos\/acme\/payments\/commits\/([0-9a-f]{40})\/pulls$/, (match) => [200, match[1] === this.pull.mergeCommitSha || match[1] === this.pull.headSha ? [this.pullObject()] : []]);
    this.on("POST", /^\/repos\/acme\/payments\/actions\/runs\/(\d+)\/deployment_protection_rule$/, (_match, body: { environment_name: string; state: string; comment: string }) => {
      if (this.deploymentAnswers.some((answer) => answer.environment_name === body.environment_name)) return [422, { message: "No pending custom deployment requests to approve or reject" }];
      this.deploymentAnswers.push(body);
      return [204, ""];
    });
    for (const method of ["GET", "POST", "PATCH", "DELETE", "PUT"] as const) {
      this.on(method, /.*/, (_match, _body, uri) => {
        this.unknown.push(`${method} ${decodeURIComponent(uri)}`);
        return [404, { message: "Not Found" }];
      });
    }
  }
}

