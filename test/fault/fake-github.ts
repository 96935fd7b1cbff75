/**
 * A stateful fake of GitHub's REST API over real HTTP on 127.0.0.1, for the fault suite: the app
 * under test talks to it exactly as to api.github.com (Probot's `baseUrl`), through its own
 * Octokit with the retry plugin on. It holds repositories, refs, commits, pull requests (files,
 * commits, reviews), issues and comments, labels, check runs, tags, the configuration file,
 * branch rules and protection, rule suites and issue events, and answers with GitHub's payload
 * shapes (from `@octokit/webhooks-examples`). What a request made with an installation token
 * writes is authored by the app's bot, `hotfix-guard[bot]`.
 *
 * Faults are injected per (method, route pattern, nth matching call): `5xx` (not applied, 502),
 * `ambiguous-5xx` (applied, then 502), `ambiguous-reset` (applied, then the connection is reset),
 * `reset` (not applied, connection reset), `secondary-limit` (403 with `retry-after` and GitHub's
 * secondary rate limit message), `timeout` (applied, the answer held longer than the client's
 * request timeout, then the connection reset; a client without a timeout sees the reset).
 * Unknown routes answer 404 and are recorded; applied writes are counted per route.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const examples = require("@octokit/webhooks-examples/api.github.com/index.json") as { name: string; examples: Record<string, any>[] }[];

function example(name: string, action: string): Record<string, any> {
  const found = examples.find((e) => e.name === name)?.examples.find((e) => e.action === action);
  if (!found) throw new Error(`no ${name}.${action} example`);
  return structuredClone(found);
}

const ISSUE_EXAMPLE = example("issues", "opened").issue as Record<string, any>;
const COMMENT_EXAMPLE = example("issue_comment", "created").comment as Record<string, any>;
const CHECK_RUN_EXAMPLE = example("check_run", "created").check_run as Record<string, any>;
const PULL_EXAMPLE = example("pull_request", "opened").pull_request as Record<string, any>;
const REPOSITORY_EXAMPLE = example("pull_request", "opened").repository as Record<string, any>;
const USER_EXAMPLE = ISSUE_EXAMPLE.user as Record<string, any>;

/** The app's slug, as `GET /app` answers it. */
export const APP_SLUG = "hotfix-guard";
/** The login GitHub gives what the app writes with an installation token. */
export const BOT_LOGIN = `${APP_SLUG}[bot]`;
/** GitHub's secondary rate limit message. */
export const SECONDARY_LIMIT_MESSAGE =
  "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID 0000:0000:0000000:0000000:00000000.";

/** The faults the fake can inject. */
export type FaultKind = "5xx" | "ambiguous-5xx" | "ambiguous-reset" | "reset" | "secondary-limit" | "timeout";
/** Every fault kind, in a stable order. */
export const FAULT_KINDS: readonly FaultKind[] = ["5xx", "ambiguous-5xx", "ambiguous-reset", "reset", "secondary-limit", "timeout"];
/** Faults after which GitHub has carried out the request. */
const APPLIED: ReadonlySet<FaultKind> = new Set(["ambiguous-5xx", "ambiguous-reset", "timeout"]);

/** A request as a route handler and a fault matcher see it. */
export interface FakeRequest {
  readonly method: string;
  /** The path without the query, percent-decoded. */
  readonly path: string;
  /** The route pattern it matched, e.g. `/repos/:owner/:repo/issues`. */
  readonly route: string;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly body: any;
  readonly headers: IncomingMessage["headers"];
  /** Who is calling: the app's bot (installation token), the app (JWT), or anonymous. */
  readonly actor: "installation" | "app" | "anonymous";
}

/** One fault to inject. */
export interface FaultRule {
  readonly method: string;
  /** The route pattern, as the fake registers it (see {@link FakeGitHub.routes}). */
  readonly route: string;
  readonly kind: FaultKind;
  /** Which calls that match (1-based, counted per rule) fault; `all` for every one. Default: the first. */
  readonly calls?: readonly number[] | "all";
  /** Narrows the calls that match, e.g. to issues carrying a label. */
  readonly when?: (request: FakeRequest) => boolean;
  /** A name for reports. */
  readonly label?: string;
  /** Counts calls only once the rule with this label has fired (e.g. the lookup after an ambiguous create). */
  readonly after?: string;
}

/** A request the fake received. */
export interface RequestRecord {
  readonly method: string;
  readonly path: string;
  readonly route: string | null;
  readonly status: number | "reset";
  readonly fault: FaultKind | null;
  readonly applied: boolean;
  readonly body: unknown;
}

/** A commit. */
export interface FakeCommit {
  readonly sha: string;
  readonly message: string;
  readonly parents: readonly string[];
  readonly date: string;
  readonly files: readonly string[];
  readonly author: string;
}

/** A review of a pull request. */
export interface FakeReview {
  readonly id: number;
  readonly user: string;
  readonly state: "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED" | "DISMISSED";
  readonly commitId: string;
  readonly submittedAt: string;
  readonly body: string;
}

/** What a pull request adds to its issue. */
export interface FakePull {
  headRef: string;
  headSha: string;
  headRepo: string;
  baseRef: string;
  merged: boolean;
  mergedAt: string | null;
  mergeCommitSha: string | null;
  mergedBy: string | null;
  mergeable: boolean | null;
  files: { filename: string; status: string; additions: number; deletions: number }[];
  commits: string[];
  reviews: FakeReview[];
  additions: number;
  deletions: number;
}

/** An issue, or the issue side of a pull request. */
export interface FakeIssue {
  readonly repo: string;
  readonly number: number;
  readonly id: number;
  title: string;
  body: string;
  state: "open" | "closed";
  stateReason: string | null;
  labels: string[];
  assignees: string[];
  readonly author: string;
  readonly createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  readonly pull?: FakePull;
  /** Issue events (`GET /issues/{n}/events` and the timeline). */
  events: { event: string; createdAt: string; reviewer?: string; actor: string }[];
}

/** A comment on an issue or pull request. */
export interface FakeComment {
  readonly repo: string;
  readonly issue: number;
  readonly id: number;
  readonly author: string;
  body: string;
  readonly createdAt: string;
  updatedAt: string;
}

/** A check run. */
export interface FakeCheckRun {
  readonly repo: string;
  readonly id: number;
  readonly headSha: string;
  name: string;
  status: string;
  conclusion: string | null;
  startedAt: string;
  completedAt: string | null;
  output: { title: string | null; summary: string | null; text: string | null };
  readonly appId: number;
  readonly appSlug: string;
}

/** A repository. */
export interface FakeRepo {
  readonly owner: string;
  readonly name: string;
  readonly id: number;
  defaultBranch: string;
  /** `heads/main` → sha, `tags/v1.4.2` → sha of a commit or an annotated tag object. */
  readonly refs: Map<string, string>;
  readonly tagObjects: Map<string, { tag: string; commit: string }>;
  readonly commits: Map<string, FakeCommit>;
  /** Files on the default branch, by path. */
  readonly files: Map<string, string>;
  readonly permissions: Map<string, string>;
  readonly branchRules: Map<string, Record<string, unknown>[]>;
  /** Classic protection per branch, or an error status to answer with. */
  readonly protection: Map<string, Record<string, unknown> | 403 | 404>;
  /** Rule suites, or an error status (403: the app lacks Administration write). */
  ruleSuites: Record<string, unknown>[] | 403;
  readonly statuses: Map<string, { context: string; state: string; createdAt: string }[]>;
  nextNumber: number;
}

/** Options of the fake. */
export interface FakeGitHubOptions {
  /** The app id of the app the fake serves. */
  readonly appId: number;
  /** The clock items are stamped with. */
  readonly now: () => Date;
  /** How long a `timeout` fault holds the answer before dropping the connection. */
  readonly timeoutHoldMs?: number;
}

type Handler = (request: FakeRequest) => [number, unknown] | [number, unknown, Record<string, string>];

interface Route {
  readonly method: string;
  readonly pattern: string;
  readonly segments: readonly string[];
  readonly handler: Handler;
}

class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly payload: Record<string, unknown>,
  ) {
    super(String(payload.message));
  }
}

function notFound(): never {
  throw new HttpProblem(404, { message: "Not Found", documentation_url: "https://docs.github.com/rest" });
}

function invalid(message: string, errors: Record<string, unknown>[] = []): never {
  throw new HttpProblem(422, { message, errors, documentation_url: "https://docs.github.com/rest" });
}

function idFor(login: string): number {
  let hash = 7;
  for (const char of login) hash = (hash * 31 + char.charCodeAt(0)) % 9_000_000;
  return 1_000_000 + hash;
}

function stamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** The fake GitHub. Start it once per test file, `reset()` it between tests. */
export class FakeGitHub {
  /** Every request received, in order. */
  readonly requests: RequestRecord[] = [];
  /** Requests no route matched (answered 404). */
  readonly unknown: string[] = [];
  /** Writes GitHub carried out, per `METHOD route`. */
  readonly writes = new Map<string, number>();
  /** Faults injected, in order, with the route they hit. */
  readonly faultsFired: { readonly rule: FaultRule; readonly path: string }[] = [];
  readonly repos = new Map<string, FakeRepo>();
  readonly issues: FakeIssue[] = [];
  readonly comments: FakeComment[] = [];
  readonly checkRuns: FakeCheckRun[] = [];
  /** The installation's granted permissions, as the token and `GET /app/installations/{id}` report them. */
  permissions: Record<string, string> = { checks: "write", contents: "read", issues: "write", metadata: "read", pull_requests: "write", administration: "read", members: "read" };

  private readonly routes: Route[] = [];
  private faults: { rule: FaultRule; seen: number }[] = [];
  private readonly tokens = new Map<string, number>();
  private readonly sockets = new Set<Socket>();
  private server: Server | undefined;
  private nextId = 5000;
  private nextToken = 1;
  url = "";

  constructor(private readonly options: FakeGitHubOptions) {
    this.registerRoutes();
  }

  // ── Lifecycle ──────────────────────────────────────────────────────────────────────────────

  /** Starts listening on a random port of 127.0.0.1. */
  async start(): Promise<string> {
    const server = createServer((req, res) => void this.serve(req, res));
    server.keepAliveTimeout = 1000;
    server.on("connection", (socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    this.server = server;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this.url;
  }

  /** Stops the server and drops every connection. */
  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Forgets every repository, item, request, count and fault. */
  reset(): void {
    this.requests.length = 0;
    this.unknown.length = 0;
    this.writes.clear();
    this.faultsFired.length = 0;
    this.repos.clear();
    this.issues.length = 0;
    this.comments.length = 0;
    this.checkRuns.length = 0;
    this.faults = [];
    this.nextId = 5000;
  }

  /** Adds a fault rule. */
  inject(rule: FaultRule): void {
    this.faults.push({ rule, seen: 0 });
  }

  /** Removes every fault rule: GitHub has recovered. */
  recover(): void {
    this.faults = [];
  }

  /** The route patterns the fake serves, as `METHOD pattern`. */
  get routeList(): string[] {
    return this.routes.map((route) => `${route.method} ${route.pattern}`);
  }

  // ── Seeding ────────────────────────────────────────────────────────────────────────────────

  /** Adds a repository. */
  addRepo(fullName: string, defaultBranch = "main"): FakeRepo {
    const [owner, name] = fullName.split("/") as [string, string];
    const repo: FakeRepo = {
      owner,
      name,
      id: idFor(fullName),
      defaultBranch,
      refs: new Map(),
      tagObjects: new Map(),
      commits: new Map(),
      files: new Map(),
      permissions: new Map(),
      branchRules: new Map(),
      protection: new Map(),
      ruleSuites: 403,
      statuses: new Map(),
      nextNumber: 1,
    };
    this.repos.set(fullName.toLowerCase(), repo);
    return repo;
  }

  /** The repository, which must exist. */
  repo(fullName: string): FakeRepo {
    const repo = this.repos.get(fullName.toLowerCase());
    if (!repo) throw new Error(`no repository ${fullName} in the fake`);
    return repo;
  }

  /** Adds a commit. */
  addCommit(fullName: string, commit: Partial<FakeCommit> & { sha: string }): void {
    this.repo(fullName).commits.set(commit.sha, { message: "commit", parents: [], date: stamp(this.options.now()), files: [], author: "dev-alice", ...commit });
  }

  /** Points a branch at a commit. */
  setBranch(fullName: string, branch: string, sha: string): void {
    this.repo(fullName).refs.set(`heads/${branch}`, sha);
  }

  /** Adds an issue or pull request with the next number (or the given one). */
  addIssue(fullName: string, issue: Partial<Omit<FakeIssue, "repo" | "id">> & { title: string }): FakeIssue {
    const repo = this.repo(fullName);
    const number = issue.number ?? repo.nextNumber;
    repo.nextNumber = Math.max(repo.nextNumber, number + 1);
    const at = stamp(this.options.now());
    const stored: FakeIssue = {
      body: "",
      state: "open",
      stateReason: null,
      labels: [],
      assignees: [],
      author: "dev-alice",
      createdAt: at,
      updatedAt: at,
      closedAt: null,
      events: [],
      ...issue,
      repo: `${repo.owner}/${repo.name}`,
      number,
      id: this.nextId++,
    };
    this.issues.push(stored);
    return stored;
  }

  /** Adds a comment as someone other than the app. */
  addComment(fullName: string, issue: number, author: string, body: string, at = stamp(this.options.now())): FakeComment {
    const repo = this.repo(fullName);
    const comment: FakeComment = { repo: `${repo.owner}/${repo.name}`, issue, id: this.nextId++, author, body, createdAt: at, updatedAt: at };
    this.comments.push(comment);
    return comment;
  }

  /** Adds a check run, by another app unless told. */
  addCheckRun(fullName: string, run: { name: string; headSha: string; conclusion: string | null; completedAt: string; appId?: number; appSlug?: string; summary?: string }): void {
    this.checkRuns.push({
      repo: fullName,
      id: this.nextId++,
      headSha: run.headSha,
      name: run.name,
      status: run.conclusion === null ? "in_progress" : "completed",
      conclusion: run.conclusion,
      startedAt: run.completedAt,
      completedAt: run.conclusion === null ? null : run.completedAt,
      output: { title: run.name, summary: run.summary ?? "", text: null },
      appId: run.appId ?? 15368,
      appSlug: run.appSlug ?? "github-actions",
    });
  }

  // ── Reading the end state ──────────────────────────────────────────────────────────────────

  /** The issues (not pull requests) of a repository. */
  issuesOf(fullName: string): FakeIssue[] {
    return this.issues.filter((issue) => issue.repo.toLowerCase() === fullName.toLowerCase() && !issue.pull);
  }

  /** The pull requests of a repository. */
  pullsOf(fullName: string): FakeIssue[] {
    return this.issues.filter((issue) => issue.repo.toLowerCase() === fullName.toLowerCase() && issue.pull);
  }

  /** An issue or pull request, which must exist. */
  issue(fullName: string, number: number): FakeIssue {
    const found = this.issues.find((issue) => issue.repo.toLowerCase() === fullName.toLowerCase() && issue.number === number);
    if (!found) throw new Error(`no issue ${fullName}#${number} in the fake`);
    return found;
  }

  /** The comments on an issue or pull request, oldest first. */
  commentsOn(fullName: string, number: number): FakeComment[] {
    return this.comments.filter((comment) => comment.repo.toLowerCase() === fullName.toLowerCase() && comment.issue === number);
  }

  /** How many requests of a method and route pattern arrived (whatever became of them). */
  attempts(method: string, route: string): number {
    return this.requests.filter((request) => request.method === method && request.route === route).length;
  }

  // ── Serving ────────────────────────────────────────────────────────────────────────────────

  private actorOf(headers: IncomingMessage["headers"]): FakeRequest["actor"] {
    const auth = headers.authorization ?? "";
    if (/^bearer /i.test(auth) && auth.split(".").length === 3) return "app";
    const token = auth.replace(/^(token|bearer) /i, "");
    return this.tokens.has(token) ? "installation" : "anonymous";
  }

  private match(method: string, rawPath: string): { route: Route; params: Record<string, string> } | null {
    const parts = rawPath.split("/").slice(1);
    for (const route of this.routes) {
      if (route.method !== method) continue;
      const segments = route.segments;
      const rest = (segments.at(-1) ?? "").endsWith("+");
      if (rest ? parts.length < segments.length : parts.length !== segments.length) continue;
      const params: Record<string, string> = {};
      const fixed = rest ? segments.length - 1 : segments.length;
      let ok = true;
      for (let i = 0; i < fixed && ok; i += 1) {
        const segment = segments[i] as string;
        const part = parts[i] as string;
        if (segment.startsWith(":")) params[segment.slice(1)] = decodeURIComponent(part);
        else ok = segment === part;
      }
      if (!ok) continue;
      if (rest) params[(segments.at(-1) as string).slice(1, -1)] = parts.slice(fixed).map(decodeURIComponent).join("/");
      return { route, params };
    }
    return null;
  }

  private faultFor(request: FakeRequest): FaultRule | null {
    let chosen: FaultRule | null = null;
    for (const entry of this.faults) {
      const { rule } = entry;
      if (rule.method !== request.method || rule.route !== request.route) continue;
      if (rule.when && !rule.when(request)) continue;
      if (rule.after !== undefined && !this.faultsFired.some((fired) => fired.rule.label === rule.after)) continue;
      entry.seen += 1;
      const calls = rule.calls ?? [1];
      if (!chosen && (calls === "all" || calls.includes(entry.seen))) chosen = rule;
    }
    return chosen;
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    let body: unknown = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = text;
    }
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const method = (req.method ?? "GET").toUpperCase();
    const decodedPath = decodeURIComponent(url.pathname);
    const found = this.match(method, url.pathname);
    if (!found) {
      this.unknown.push(`${method} ${decodedPath}`);
      this.requests.push({ method, path: decodedPath, route: null, status: 404, fault: null, applied: false, body });
      this.send(res, 404, { message: "Not Found", documentation_url: "https://docs.github.com/rest" });
      return;
    }
    const request: FakeRequest = { method, path: decodedPath, route: found.route.pattern, params: found.params, query: url.searchParams, body, headers: req.headers, actor: this.actorOf(req.headers) };
    const fault = this.faultFor(request);
    if (fault) this.faultsFired.push({ rule: fault, path: decodedPath });
    const record = (status: number | "reset", applied: boolean) =>
      this.requests.push({ method, path: decodedPath, route: request.route, status, fault: fault?.kind ?? null, applied, body });

    if (fault && !APPLIED.has(fault.kind)) {
      record(fault.kind === "5xx" ? 502 : fault.kind === "secondary-limit" ? 403 : "reset", false);
      if (fault.kind === "5xx") this.send(res, 502, { message: "Server Error" });
      else if (fault.kind === "secondary-limit") {
        this.send(res, 403, { message: SECONDARY_LIMIT_MESSAGE, documentation_url: "https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits" }, { "retry-after": "60", "x-ratelimit-remaining": "4999" });
      } else this.drop(res);
      return;
    }

    let status: number;
    let payload: unknown;
    let headers: Record<string, string> = {};
    try {
      [status, payload, headers = {}] = found.route.handler(request) as [number, unknown, Record<string, string>?];
    } catch (error) {
      if (!(error instanceof HttpProblem)) throw error;
      status = error.status;
      payload = error.payload;
    }
    const applied = status < 300;
    if (applied && method !== "GET") {
      const key = `${method} ${request.route}`;
      this.writes.set(key, (this.writes.get(key) ?? 0) + 1);
    }
    if (!fault) {
      record(status, applied);
      this.send(res, status, payload, headers);
      return;
    }
    record(fault.kind === "ambiguous-5xx" ? 502 : "reset", applied);
    if (fault.kind === "ambiguous-5xx") this.send(res, 502, { message: "Server Error" });
    else if (fault.kind === "ambiguous-reset") this.drop(res);
    else setTimeout(() => this.drop(res), this.options.timeoutHoldMs ?? 200);
  }

  private send(res: ServerResponse, status: number, payload: unknown, headers: Record<string, string> = {}): void {
    if (typeof payload === "string") {
      res.writeHead(status, { "content-type": "application/vnd.github.raw; charset=utf-8", ...headers }).end(payload);
      return;
    }
    const text = status === 204 ? "" : JSON.stringify(payload);
    res.writeHead(status, { "content-type": "application/json; charset=utf-8", "x-github-request-id": `FAKE:${this.requests.length}`, ...headers }).end(text);
  }

  private drop(res: ServerResponse): void {
    const socket = res.socket as (Socket & { resetAndDestroy?: () => void }) | null;
    if (socket?.resetAndDestroy) socket.resetAndDestroy();
    else socket?.destroy();
  }

  // ── Payloads ───────────────────────────────────────────────────────────────────────────────

  private userJson(login: string): Record<string, unknown> {
    const bot = login.endsWith("[bot]");
    return { ...USER_EXAMPLE, login, id: idFor(login), node_id: `U_${idFor(login)}`, url: `${this.url}/users/${login}`, html_url: `https://github.com/${login}`, type: bot ? "Bot" : "User", site_admin: false };
  }

  private repoJson(repo: FakeRepo): Record<string, unknown> {
    const fullName = `${repo.owner}/${repo.name}`;
    return {
      ...REPOSITORY_EXAMPLE,
      id: repo.id,
      name: repo.name,
      full_name: fullName,
      owner: { ...this.userJson(repo.owner), type: "Organization" },
      default_branch: repo.defaultBranch,
      url: `${this.url}/repos/${fullName}`,
      html_url: `https://github.com/${fullName}`,
      private: true,
    };
  }

  private labelJson(name: string): Record<string, unknown> {
    return { id: idFor(`label:${name}`), node_id: `LA_${idFor(name)}`, url: "", name, color: "d73a4a", default: false, description: null };
  }

  private issueJson(issue: FakeIssue): Record<string, unknown> {
    const base = `${this.url}/repos/${issue.repo}/issues/${issue.number}`;
    return {
      ...ISSUE_EXAMPLE,
      url: base,
      repository_url: `${this.url}/repos/${issue.repo}`,
      labels_url: `${base}/labels{/name}`,
      comments_url: `${base}/comments`,
      events_url: `${base}/events`,
      html_url: `https://github.com/${issue.repo}/${issue.pull ? "pull" : "issues"}/${issue.number}`,
      id: issue.id,
      node_id: `I_${issue.id}`,
      number: issue.number,
      title: issue.title,
      body: issue.body,
      user: this.userJson(issue.author),
      labels: issue.labels.map((name) => this.labelJson(name)),
      state: issue.state,
      state_reason: issue.stateReason,
      locked: false,
      assignee: issue.assignees[0] ? this.userJson(issue.assignees[0]) : null,
      assignees: issue.assignees.map((login) => this.userJson(login)),
      milestone: null,
      comments: this.commentsOn(issue.repo, issue.number).length,
      created_at: issue.createdAt,
      updated_at: issue.updatedAt,
      closed_at: issue.closedAt,
      author_association: issue.author.endsWith("[bot]") ? "NONE" : "MEMBER",
      ...(issue.pull
        ? { pull_request: { url: `${this.url}/repos/${issue.repo}/pulls/${issue.number}`, html_url: `https://github.com/${issue.repo}/pull/${issue.number}`, diff_url: "", patch_url: "", merged_at: issue.pull.mergedAt } }
        : {}),
    };
  }

  private pullJson(issue: FakeIssue): Record<string, unknown> {
    const pull = issue.pull as FakePull;
    const repo = this.repo(issue.repo);
    const headRepo = this.repos.get(pull.headRepo.toLowerCase());
    return {
      ...PULL_EXAMPLE,
      url: `${this.url}/repos/${issue.repo}/pulls/${issue.number}`,
      id: issue.id,
      node_id: `PR_${issue.id}`,
      html_url: `https://github.com/${issue.repo}/pull/${issue.number}`,
      issue_url: `${this.url}/repos/${issue.repo}/issues/${issue.number}`,
      number: issue.number,
      state: issue.state,
      locked: false,
      title: issue.title,
      body: issue.body,
      user: this.userJson(issue.author),
      labels: issue.labels.map((name) => this.labelJson(name)),
      created_at: issue.createdAt,
      updated_at: issue.updatedAt,
      closed_at: issue.closedAt,
      merged_at: pull.mergedAt,
      merge_commit_sha: pull.mergeCommitSha,
      assignee: null,
      assignees: issue.assignees.map((login) => this.userJson(login)),
      requested_reviewers: [],
      requested_teams: [],
      draft: false,
      head: { label: `${pull.headRepo.split("/")[0]}:${pull.headRef}`, ref: pull.headRef, sha: pull.headSha, user: this.userJson(pull.headRepo.split("/")[0] as string), repo: headRepo ? this.repoJson(headRepo) : null },
      base: { label: `${repo.owner}:${pull.baseRef}`, ref: pull.baseRef, sha: repo.refs.get(`heads/${pull.baseRef}`) ?? "0".repeat(40), user: this.userJson(repo.owner), repo: this.repoJson(repo) },
      author_association: "MEMBER",
      merged: pull.merged,
      mergeable: pull.mergeable,
      mergeable_state: pull.mergeable === false ? "dirty" : pull.mergeable === true ? "clean" : "unknown",
      merged_by: pull.mergedBy ? this.userJson(pull.mergedBy) : null,
      comments: this.commentsOn(issue.repo, issue.number).length,
      review_comments: 0,
      maintainer_can_modify: false,
      commits: pull.commits.length,
      additions: pull.additions,
      deletions: pull.deletions,
      changed_files: pull.files.length,
    };
  }

  private commentJson(comment: FakeComment): Record<string, unknown> {
    return {
      ...COMMENT_EXAMPLE,
      url: `${this.url}/repos/${comment.repo}/issues/comments/${comment.id}`,
      html_url: `https://github.com/${comment.repo}/issues/${comment.issue}#issuecomment-${comment.id}`,
      issue_url: `${this.url}/repos/${comment.repo}/issues/${comment.issue}`,
      id: comment.id,
      node_id: `IC_${comment.id}`,
      user: this.userJson(comment.author),
      created_at: comment.createdAt,
      updated_at: comment.updatedAt,
      author_association: comment.author.endsWith("[bot]") ? "NONE" : "MEMBER",
      body: comment.body,
      performed_via_github_app: comment.author === BOT_LOGIN ? this.appJson() : null,
    };
  }

  private checkRunJson(run: FakeCheckRun): Record<string, unknown> {
    return {
      ...CHECK_RUN_EXAMPLE,
      id: run.id,
      node_id: `CR_${run.id}`,
      head_sha: run.headSha,
      url: `${this.url}/repos/${run.repo}/check-runs/${run.id}`,
      html_url: `https://github.com/${run.repo}/runs/${run.id}`,
      status: run.status,
      conclusion: run.conclusion,
      started_at: run.startedAt,
      completed_at: run.completedAt,
      output: { ...run.output, annotations_count: 0, annotations_url: "" },
      name: run.name,
      check_suite: { id: 1 },
      pull_requests: [],
      app: { ...CHECK_RUN_EXAMPLE.app, id: run.appId, slug: run.appSlug, name: run.appSlug },
    };
  }

  private appJson(): Record<string, unknown> {
    return {
      id: this.options.appId,
      slug: APP_SLUG,
      node_id: "A_hotfix",
      owner: { ...this.userJson("acme"), type: "Organization" },
      name: "Hotfix Guard",
      description: "Hotfix governance",
      external_url: "https://example.com",
      html_url: `https://github.com/apps/${APP_SLUG}`,
      created_at: "2026-01-01T00:00:00Z",
      updated_at: "2026-01-01T00:00:00Z",
      permissions: this.permissions,
      events: ["pull_request", "push", "issue_comment", "create", "check_run", "branch_protection_rule", "repository_ruleset"],
      installations_count: 1,
    };
  }

  private commitJson(repo: FakeRepo, commit: FakeCommit): Record<string, unknown> {
    const url = `${this.url}/repos/${repo.owner}/${repo.name}`;
    const person = { name: commit.author, email: `${commit.author}@example.com`, date: commit.date };
    return {
      sha: commit.sha,
      node_id: `C_${commit.sha}`,
      url: `${url}/commits/${commit.sha}`,
      html_url: `https://github.com/${repo.owner}/${repo.name}/commit/${commit.sha}`,
      commit: { author: person, committer: person, message: commit.message, tree: { sha: "0".repeat(40), url: "" }, url: `${url}/git/commits/${commit.sha}`, comment_count: 0, verification: { verified: false, reason: "unsigned", signature: null, payload: null } },
      author: this.userJson(commit.author),
      committer: this.userJson(commit.author),
      parents: commit.parents.map((sha) => ({ sha, url: `${url}/commits/${sha}`, html_url: "" })),
    };
  }

  // ── Graph ──────────────────────────────────────────────────────────────────────────────────

  /** The commits reachable from `sha`, itself included. */
  ancestors(repo: FakeRepo, sha: string): Set<string> {
    const seen = new Set<string>();
    const queue = [sha];
    while (queue.length > 0) {
      const next = queue.shift() as string;
      if (seen.has(next)) continue;
      seen.add(next);
      queue.push(...(repo.commits.get(next)?.parents ?? []));
    }
    return seen;
  }

  private resolve(repo: FakeRepo, ref: string): string | null {
    const branch = repo.refs.get(`heads/${ref}`);
    if (branch) return branch;
    const tag = repo.refs.get(`tags/${ref}`);
    if (tag) return repo.tagObjects.get(tag)?.commit ?? tag;
    return repo.commits.has(ref) ? ref : null;
  }

  // ── Routes ─────────────────────────────────────────────────────────────────────────────────

  private on(method: string, pattern: string, handler: Handler): void {
    this.routes.push({ method, pattern, segments: pattern.split("/").slice(1), handler });
  }

  private repoOf(request: FakeRequest): FakeRepo {
    const repo = this.repos.get(`${request.params.owner}/${request.params.repo}`.toLowerCase());
    if (!repo) notFound();
    return repo;
  }

  private issueOf(request: FakeRequest): FakeIssue {
    const repo = this.repoOf(request);
    const number = Number(request.params.number);
    const issue = this.issues.find((i) => i.repo === `${repo.owner}/${repo.name}` && i.number === number);
    if (!issue) notFound();
    return issue;
  }

  private pullOf(request: FakeRequest): FakeIssue & { pull: FakePull } {
    const issue = this.issueOf(request);
    if (!issue.pull) notFound();
    return issue as FakeIssue & { pull: FakePull };
  }

  private author(request: FakeRequest): string {
    return request.actor === "installation" ? BOT_LOGIN : "anonymous-user";
  }

  private now(): string {
    return stamp(this.options.now());
  }

  private registerRoutes(): void {
    // The app and its installation.
    this.on("GET", "/app", () => [200, this.appJson()]);
    this.on("GET", "/app/installations/:id", (r) => [200, { id: Number(r.params.id), account: this.userJson("acme"), app_id: this.options.appId, app_slug: APP_SLUG, target_type: "Organization", permissions: this.permissions, events: [], repository_selection: "all" }]);
    this.on("POST", "/app/installations/:id/access_tokens", (r) => {
      const token = `ghs_fake${String(this.nextToken++).padStart(32, "0")}`;
      this.tokens.set(token, Number(r.params.id));
      return [201, { token, expires_at: "2099-01-01T00:00:00Z", permissions: this.permissions, repository_selection: "all" }];
    });

    // Repositories and contents.
    this.on("GET", "/repos/:owner/:repo", (r) => [200, this.repoJson(this.repoOf(r))]);
    this.on("GET", "/repos/:owner/:repo/contents/:path+", (r) => {
      const repo = this.repoOf(r);
      const content = repo.files.get(r.params.path as string);
      if (content === undefined) notFound();
      if (/raw/.test(String(r.headers.accept ?? ""))) return [200, content];
      const encoded = Buffer.from(content).toString("base64");
      return [200, { type: "file", encoding: "base64", size: content.length, name: (r.params.path as string).split("/").at(-1), path: r.params.path, content: encoded, sha: "c".repeat(40) }];
    });
    this.on("GET", "/repos/:owner/:repo/collaborators/:username/permission", (r) => {
      const permission = this.repoOf(r).permissions.get((r.params.username as string).toLowerCase());
      if (!permission) notFound();
      const level = permission === "maintain" ? "write" : permission === "triage" ? "read" : permission;
      return [200, { permission: level, role_name: permission, user: this.userJson(r.params.username as string) }];
    });
    this.on("GET", "/orgs/:org/teams/:team/memberships/:username", () => notFound());

    // Branch rules, protection, rule suites, statuses.
    this.on("GET", "/repos/:owner/:repo/rules/branches/:branch+", (r) => [200, (this.repoOf(r).branchRules.get(r.params.branch as string) ?? []).map((rule) => ({ ...rule, ruleset_source_type: "Repository", ruleset_source: `${r.params.owner}/${r.params.repo}`, ruleset_id: 7 }))]);
    this.on("GET", "/repos/:owner/:repo/branches/:branch/protection", (r) => {
      const protection = this.repoOf(r).protection.get(r.params.branch as string) ?? 404;
      if (protection === 404) throw new HttpProblem(404, { message: "Branch not protected" });
      if (protection === 403) throw new HttpProblem(403, { message: "Resource not accessible by integration" });
      return [200, protection];
    });
    this.on("GET", "/repos/:owner/:repo/rulesets/rule-suites", (r) => {
      const suites = this.repoOf(r).ruleSuites;
      if (suites === 403) throw new HttpProblem(403, { message: "Resource not accessible by integration" });
      return [200, suites.filter((suite) => !r.query.get("ref") || suite.ref === r.query.get("ref"))];
    });
    this.on("GET", "/repos/:owner/:repo/commits/:ref/statuses", (r) => [200, (this.repoOf(r).statuses.get(r.params.ref as string) ?? []).map((s, i) => ({ id: i + 1, context: s.context, state: s.state, created_at: s.createdAt, updated_at: s.createdAt }))]);

    // Git data.
    this.on("GET", "/repos/:owner/:repo/git/matching-refs/:ref+", (r) => {
      const repo = this.repoOf(r);
      const prefix = r.params.ref as string;
      return [200, [...repo.refs].filter(([ref]) => ref.startsWith(prefix)).map(([ref, sha]) => ({ ref: `refs/${ref}`, node_id: `REF_${ref}`, url: "", object: { sha, type: repo.tagObjects.has(sha) ? "tag" : "commit", url: "" } }))];
    });
    this.on("GET", "/repos/:owner/:repo/git/ref/:ref+", (r) => {
      const repo = this.repoOf(r);
      const sha = repo.refs.get(r.params.ref as string);
      if (!sha) notFound();
      return [200, { ref: `refs/${r.params.ref}`, node_id: "REF", url: "", object: { sha, type: repo.tagObjects.has(sha) ? "tag" : "commit", url: "" } }];
    });
    this.on("POST", "/repos/:owner/:repo/git/refs", (r) => {
      const repo = this.repoOf(r);
      const { ref, sha } = r.body as { ref: string; sha: string };
      const name = ref.replace(/^refs\//, "");
      if (repo.refs.has(name)) invalid("Reference already exists");
      if (!repo.commits.has(sha)) invalid("Object does not exist");
      repo.refs.set(name, sha);
      return [201, { ref, node_id: "REF", url: "", object: { sha, type: "commit", url: "" } }];
    });
    this.on("DELETE", "/repos/:owner/:repo/git/refs/:ref+", (r) => {
      const repo = this.repoOf(r);
      if (!repo.refs.delete(r.params.ref as string)) invalid("Reference does not exist");
      return [204, ""];
    });
    this.on("GET", "/repos/:owner/:repo/git/tags/:sha", (r) => {
      const tag = this.repoOf(r).tagObjects.get(r.params.sha as string);
      if (!tag) notFound();
      return [200, { sha: r.params.sha, node_id: "TAG", tag: tag.tag, message: tag.tag, url: "", object: { sha: tag.commit, type: "commit", url: "" } }];
    });
    this.on("GET", "/repos/:owner/:repo/git/commits/:sha", (r) => {
      const repo = this.repoOf(r);
      const commit = repo.commits.get(r.params.sha as string);
      if (!commit) notFound();
      const json = this.commitJson(repo, commit);
      return [200, { ...(json.commit as object), sha: commit.sha, node_id: json.node_id, html_url: json.html_url, parents: json.parents }];
    });
    this.on("GET", "/repos/:owner/:repo/commits", (r) => {
      const repo = this.repoOf(r);
      const head = this.resolve(repo, r.query.get("sha") ?? repo.defaultBranch);
      if (!head) notFound();
      const since = r.query.get("since");
      const commits = [...this.ancestors(repo, head)].flatMap((sha) => {
        const commit = repo.commits.get(sha);
        return commit && (!since || Date.parse(commit.date) >= Date.parse(since)) ? [commit] : [];
      });
      commits.sort((a, b) => Date.parse(b.date) - Date.parse(a.date));
      return [200, commits.map((commit) => this.commitJson(repo, commit))];
    });
    this.on("GET", "/repos/:owner/:repo/commits/:sha/pulls", (r) => {
      const repo = this.repoOf(r);
      const sha = r.params.sha as string;
      const pulls = this.pullsOf(`${repo.owner}/${repo.name}`).filter((pr) => pr.pull?.mergeCommitSha === sha || pr.pull?.headSha === sha || pr.pull?.commits.includes(sha));
      return [200, pulls.map((pr) => this.pullJson(pr))];
    });
    this.on("GET", "/repos/:owner/:repo/compare/:basehead+", (r) => {
      const repo = this.repoOf(r);
      const [baseName, headName] = (r.params.basehead as string).split("...") as [string, string | undefined];
      const base = this.resolve(repo, baseName);
      const head = headName === undefined ? null : this.resolve(repo, headName);
      if (!base || !head) notFound();
      const baseSet = this.ancestors(repo, base);
      const headSet = this.ancestors(repo, head);
      const ahead = [...headSet].filter((sha) => !baseSet.has(sha));
      const behind = [...baseSet].filter((sha) => !headSet.has(sha));
      const status = base === head ? "identical" : ahead.length === 0 ? "behind" : behind.length === 0 ? "ahead" : "diverged";
      const files = [...new Set(ahead.flatMap((sha) => repo.commits.get(sha)?.files ?? []))];
      const commits = ahead.flatMap((sha) => (repo.commits.has(sha) ? [this.commitJson(repo, repo.commits.get(sha) as FakeCommit)] : []));
      return [
        200,
        {
          url: "",
          html_url: "",
          status,
          ahead_by: ahead.length,
          behind_by: behind.length,
          total_commits: ahead.length,
          base_commit: repo.commits.has(base) ? this.commitJson(repo, repo.commits.get(base) as FakeCommit) : null,
          merge_base_commit: null,
          commits,
          files: files.map((filename) => ({ sha: "0".repeat(40), filename, status: "modified", additions: 1, deletions: 0, changes: 1 })),
        },
      ];
    });

    // Pull requests.
    this.on("GET", "/repos/:owner/:repo/pulls", (r) => {
      const repo = this.repoOf(r);
      const state = r.query.get("state") ?? "open";
      const head = r.query.get("head");
      const base = r.query.get("base");
      const pulls = this.pullsOf(`${repo.owner}/${repo.name}`)
        .filter((pr) => state === "all" || pr.state === state)
        .filter((pr) => !base || pr.pull?.baseRef === base)
        .filter((pr) => !head || `${pr.pull?.headRepo.split("/")[0]}:${pr.pull?.headRef}` === head)
        .sort((a, b) => Date.parse(b.updatedAt) - Date.parse(a.updatedAt) || b.number - a.number);
      return [200, pulls.map((pr) => this.pullJson(pr))];
    });
    this.on("POST", "/repos/:owner/:repo/pulls", (r) => {
      const repo = this.repoOf(r);
      const fullName = `${repo.owner}/${repo.name}`;
      const request = r.body as { head: string; base: string; title: string; body?: string };
      const headRef = request.head.includes(":") ? (request.head.split(":")[1] as string) : request.head;
      const headSha = repo.refs.get(`heads/${headRef}`);
      const baseSha = repo.refs.get(`heads/${request.base}`);
      if (!headSha || !baseSha) invalid("Validation Failed", [{ resource: "PullRequest", field: headSha ? "base" : "head", code: "invalid" }]);
      if (this.pullsOf(fullName).some((pr) => pr.state === "open" && pr.pull?.headRef === headRef && pr.pull.baseRef === request.base)) {
        invalid("Validation Failed", [{ resource: "PullRequest", code: "custom", message: `A pull request already exists for ${repo.owner}:${headRef}.` }]);
      }
      if (this.ancestors(repo, baseSha).has(headSha)) invalid("Validation Failed", [{ resource: "PullRequest", code: "custom", message: `No commits between ${request.base} and ${headRef}` }]);
      const created = this.addIssue(fullName, {
        title: request.title,
        body: request.body ?? "",
        author: this.author(r),
        pull: { headRef, headSha, headRepo: fullName, baseRef: request.base, merged: false, mergedAt: null, mergeCommitSha: null, mergedBy: null, mergeable: true, files: [], commits: [headSha], reviews: [], additions: 1, deletions: 0 },
      });
      return [201, this.pullJson(created)];
    });
    this.on("GET", "/repos/:owner/:repo/pulls/:number", (r) => [200, this.pullJson(this.pullOf(r))]);
    this.on("GET", "/repos/:owner/:repo/pulls/:number/files", (r) => [200, this.pullOf(r).pull.files.map((f) => ({ sha: "0".repeat(40), changes: f.additions + f.deletions, blob_url: "", raw_url: "", contents_url: "", patch: "", ...f }))]);
    this.on("GET", "/repos/:owner/:repo/pulls/:number/commits", (r) => {
      const repo = this.repoOf(r);
      return [200, this.pullOf(r).pull.commits.flatMap((sha) => (repo.commits.has(sha) ? [this.commitJson(repo, repo.commits.get(sha) as FakeCommit)] : []))];
    });
    this.on("GET", "/repos/:owner/:repo/pulls/:number/reviews", (r) => [
      200,
      this.pullOf(r).pull.reviews.map((review) => ({ id: review.id, node_id: `PRR_${review.id}`, user: this.userJson(review.user), body: review.body, state: review.state, commit_id: review.commitId, submitted_at: review.submittedAt, author_association: "MEMBER", html_url: "", pull_request_url: "" })),
    ]);

    // Issues, labels and comments.
    this.on("GET", "/repos/:owner/:repo/issues", (r) => {
      const repo = this.repoOf(r);
      const state = r.query.get("state") ?? "open";
      const labels = (r.query.get("labels") ?? "").split(",").filter(Boolean).map((l) => l.toLowerCase());
      const since = r.query.get("since");
      const creator = r.query.get("creator");
      const issues = this.issues
        .filter((i) => i.repo === `${repo.owner}/${repo.name}`)
        .filter((i) => state === "all" || i.state === state)
        .filter((i) => labels.every((label) => i.labels.some((l) => l.toLowerCase() === label)))
        .filter((i) => !since || Date.parse(i.updatedAt) >= Date.parse(since))
        .filter((i) => !creator || i.author.toLowerCase() === creator.toLowerCase())
        .sort((a, b) => b.number - a.number);
      return [200, issues.map((issue) => this.issueJson(issue))];
    });
    this.on("POST", "/repos/:owner/:repo/issues", (r) => {
      const repo = this.repoOf(r);
      const request = r.body as { title?: string; body?: string; labels?: string[]; assignees?: string[] };
      if (!request.title) invalid("Validation Failed", [{ resource: "Issue", field: "title", code: "missing_field" }]);
      const refused = (request.assignees ?? []).find((login) => !repo.permissions.has(login.toLowerCase()));
      if (refused) invalid("Validation Failed", [{ resource: "Issue", field: "assignees", code: "invalid", value: refused }]);
      const issue = this.addIssue(`${repo.owner}/${repo.name}`, { title: request.title, body: request.body ?? "", labels: [...new Set(request.labels ?? [])], assignees: request.assignees ?? [], author: this.author(r) });
      return [201, this.issueJson(issue)];
    });
    this.on("GET", "/repos/:owner/:repo/issues/:number", (r) => [200, this.issueJson(this.issueOf(r))]);
    this.on("PATCH", "/repos/:owner/:repo/issues/:number", (r) => {
      const issue = this.issueOf(r);
      const change = r.body as { title?: string; body?: string; state?: "open" | "closed"; state_reason?: string; labels?: string[] };
      if (change.title !== undefined) issue.title = change.title;
      if (change.body !== undefined) issue.body = change.body;
      if (change.labels !== undefined) issue.labels = [...new Set(change.labels)];
      if (change.state !== undefined && change.state !== issue.state) {
        issue.state = change.state;
        issue.closedAt = change.state === "closed" ? this.now() : null;
        issue.stateReason = change.state === "closed" ? (change.state_reason ?? "completed") : "reopened";
      }
      issue.updatedAt = this.now();
      return [200, this.issueJson(issue)];
    });
    this.on("POST", "/repos/:owner/:repo/issues/:number/labels", (r) => {
      const issue = this.issueOf(r);
      const labels = Array.isArray(r.body) ? (r.body as string[]) : ((r.body as { labels?: string[] }).labels ?? []);
      for (const label of labels) if (!issue.labels.some((l) => l.toLowerCase() === label.toLowerCase())) issue.labels.push(label);
      issue.updatedAt = this.now();
      return [200, issue.labels.map((name) => this.labelJson(name))];
    });
    this.on("DELETE", "/repos/:owner/:repo/issues/:number/labels/:name+", (r) => {
      const issue = this.issueOf(r);
      const name = (r.params.name as string).toLowerCase();
      if (!issue.labels.some((l) => l.toLowerCase() === name)) throw new HttpProblem(404, { message: "Label does not exist" });
      issue.labels = issue.labels.filter((l) => l.toLowerCase() !== name);
      issue.updatedAt = this.now();
      return [200, issue.labels.map((label) => this.labelJson(label))];
    });
    this.on("GET", "/repos/:owner/:repo/issues/:number/comments", (r) => {
      const issue = this.issueOf(r);
      const since = r.query.get("since");
      const comments = this.commentsOn(issue.repo, issue.number).filter((c) => !since || Date.parse(c.updatedAt) >= Date.parse(since));
      return [200, comments.map((comment) => this.commentJson(comment))];
    });
    this.on("POST", "/repos/:owner/:repo/issues/:number/comments", (r) => {
      const issue = this.issueOf(r);
      const text = (r.body as { body?: string }).body;
      if (!text) invalid("Validation Failed", [{ resource: "IssueComment", field: "body", code: "missing_field" }]);
      if (text.length > 65_536) invalid("Validation Failed", [{ resource: "IssueComment", field: "body", code: "custom", message: "body is too long (maximum is 65536 characters)" }]);
      const at = this.now();
      const comment: FakeComment = { repo: issue.repo, issue: issue.number, id: this.nextId++, author: this.author(r), body: text, createdAt: at, updatedAt: at };
      this.comments.push(comment);
      issue.updatedAt = at;
      return [201, this.commentJson(comment)];
    });
    this.on("PATCH", "/repos/:owner/:repo/issues/comments/:id", (r) => {
      const comment = this.comments.find((c) => c.id === Number(r.params.id));
      if (!comment) notFound();
      if (comment.author !== this.author(r)) throw new HttpProblem(403, { message: "Resource not accessible by integration" });
      comment.body = (r.body as { body: string }).body;
      comment.updatedAt = this.now();
      return [200, this.commentJson(comment)];
    });
    this.on("GET", "/repos/:owner/:repo/issues/:number/events", (r) => [200, this.issueOf(r).events.map((e, i) => ({ id: i + 1, node_id: `E_${i}`, event: e.event, created_at: e.createdAt, actor: this.userJson(e.actor), ...(e.reviewer ? { requested_reviewer: this.userJson(e.reviewer), review_requester: this.userJson(e.actor) } : {}) }))]);
    this.on("GET", "/repos/:owner/:repo/issues/:number/timeline", (r) => [200, this.issueOf(r).events.map((e, i) => ({ id: i + 1, node_id: `E_${i}`, event: e.event, created_at: e.createdAt, actor: this.userJson(e.actor), ...(e.reviewer ? { requested_reviewer: this.userJson(e.reviewer), review_requester: this.userJson(e.actor) } : {}) }))]);

    // Check runs.
    this.on("GET", "/repos/:owner/:repo/commits/:ref/check-runs", (r) => {
      const repo = this.repoOf(r);
      const sha = this.resolve(repo, r.params.ref as string) ?? (r.params.ref as string);
      const name = r.query.get("check_name");
      const appId = r.query.get("app_id");
      let runs = this.checkRuns.filter((run) => run.repo === `${repo.owner}/${repo.name}` && run.headSha === sha && (!name || run.name === name) && (!appId || run.appId === Number(appId)));
      if ((r.query.get("filter") ?? "latest") === "latest") {
        const latest = new Map<string, FakeCheckRun>();
        for (const run of runs) latest.set(`${run.appId}:${run.name}`, run);
        runs = [...latest.values()];
      }
      runs = [...runs].sort((a, b) => b.id - a.id);
      return [200, { total_count: runs.length, check_runs: runs.map((run) => this.checkRunJson(run)) }];
    });
    this.on("POST", "/repos/:owner/:repo/check-runs", (r) => {
      const repo = this.repoOf(r);
      if (r.actor !== "installation") throw new HttpProblem(403, { message: "You must authenticate via a GitHub App." });
      const request = r.body as { name: string; head_sha: string; status?: string; conclusion?: string; output?: { title?: string; summary?: string; text?: string } };
      if (!request.name || !request.head_sha) invalid("Invalid request.", [{ field: "name" }]);
      if ((request.output?.summary ?? "").length > 65_535) invalid("Invalid request.\n\nOnly 65535 characters are allowed; 65536 were supplied.");
      const at = this.now();
      const run: FakeCheckRun = {
        repo: `${repo.owner}/${repo.name}`,
        id: this.nextId++,
        headSha: request.head_sha,
        name: request.name,
        status: request.conclusion ? "completed" : (request.status ?? "queued"),
        conclusion: request.conclusion ?? null,
        startedAt: at,
        completedAt: request.conclusion ? at : null,
        output: { title: request.output?.title ?? null, summary: request.output?.summary ?? null, text: request.output?.text ?? null },
        appId: this.options.appId,
        appSlug: APP_SLUG,
      };
      this.checkRuns.push(run);
      return [201, this.checkRunJson(run)];
    });
    this.on("PATCH", "/repos/:owner/:repo/check-runs/:id", (r) => {
      const run = this.checkRuns.find((c) => c.id === Number(r.params.id));
      if (!run) notFound();
      const change = r.body as { name?: string; status?: string; conclusion?: string; output?: { title?: string; summary?: string; text?: string } };
      if (change.name) run.name = change.name;
      if (change.conclusion) {
        run.conclusion = change.conclusion;
        run.status = "completed";
        run.completedAt = this.now();
      }
      if (change.output) run.output = { title: change.output.title ?? null, summary: change.output.summary ?? null, text: change.output.text ?? null };
      return [200, this.checkRunJson(run)];
    });
  }
}
