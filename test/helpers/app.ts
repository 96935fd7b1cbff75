/**
 * A Probot instance running Hotfix Guard against nock, with a private key generated at test
 * time, retries and throttling off, and a pinned clock; plus typed nock helpers, one per GitHub
 * endpoint the app calls, that record what was written.
 */
import { generateKeyPairSync } from "node:crypto";
import nock from "nock";
import { Probot, ProbotOctokit } from "probot";
import { createApp } from "../../src/index.js";
import { createServices, type Services } from "../../src/handlers/services.js";
import { NOW } from "./builders.js";

const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs8", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });

/** The app id the test app runs as. */
export const APP_ID = 1234;

/** Probot's options for tests: generated key, no retries, no throttling, quiet logs. */
export const TEST_PROBOT_OPTIONS = {
  appId: APP_ID,
  privateKey,
  logLevel: "fatal" as const,
  // A function, not an object: Probot's own defaults (with throttling) would override an object's.
  Octokit: ProbotOctokit.defaults((options: object) => ({ ...options, retry: { enabled: false }, throttle: { enabled: false } })),
};

/** A fresh Probot with Hotfix Guard loaded. */
export async function testProbot(now: () => Date = () => NOW): Promise<Probot> {
  const probot = new Probot(TEST_PROBOT_OPTIONS);
  await probot.load(createApp({ now, appId: APP_ID }), { cwd: process.cwd(), addHandler: () => undefined });
  return probot;
}

/** A fresh Probot with only the given handlers, for tests about one handler's own requests. */
export async function probotWith(register: (app: Probot, services: Services) => void, now: () => Date = () => NOW): Promise<Probot> {
  const probot = new Probot(TEST_PROBOT_OPTIONS);
  const services = createServices({ now, identity: { appId: APP_ID, appOctokit: () => probot.auth() } });
  await probot.load((app) => register(app, services), { cwd: process.cwd(), addHandler: () => undefined });
  return probot;
}

/** An installation that granted app.yml's permissions and every opt-in one. */
export const ALL_PERMISSIONS: Readonly<Record<string, string>> = {
  checks: "write",
  contents: "write",
  pull_requests: "write",
  issues: "write",
  statuses: "read",
  administration: "write",
  metadata: "read",
  members: "read",
};

const REPO = "/repos/acme/payments";
const CONFIG_FILE = "contents/.github%2Fhotfix-guard.yml";

/** A file as the contents API returns it (JSON, base64 content). */
export function contentsFile(text: string): { type: "file"; encoding: "base64"; size: number; content: string } {
  return { type: "file", encoding: "base64", size: Buffer.byteLength(text), content: Buffer.from(text).toString("base64") };
}

/** A check run as the app wrote it. */
export interface WrittenCheckRun {
  id: number;
  head_sha: string;
  name: string;
  conclusion: string;
  output: { title: string; summary: string; text?: string };
}

/** nock for api.github.com with helpers per endpoint. */
export class GitHubMock {
  readonly scope = nock("https://api.github.com");
  /** Every request GitHub received, as `METHOD /path` without the query. */
  readonly requests: string[] = [];

  constructor() {
    this.scope.on("request", (request: { method: string; path: string }) => {
      this.requests.push(`${request.method} ${decodeURIComponent(request.path.split("?")[0] ?? "")}`);
    });
  }
  /** Check runs the app created or updated, in order of writing. */
  readonly writes: { method: "POST" | "PATCH"; body: WrittenCheckRun }[] = [];
  /** Check runs as GitHub would list them, by head sha. */
  private readonly runs = new Map<string, WrittenCheckRun[]>();
  private nextId = 9000;

  /**
   * The installation token exchange that precedes the first installation request, with the
   * permissions it carries (by default every one a feature may need) and its repository
   * selection, and the installation lookup (`acme`'s) that the delivery guard makes once per
   * process when a handler reaches it.
   */
  token(permissions: Record<string, string> = ALL_PERMISSIONS, selection: "all" | "selected" = "all"): this {
    this.scope.post("/app/installations/1/access_tokens").reply(201, { token: "ghs_test", expires_at: "2099-01-01T00:00:00Z", permissions, repository_selection: selection });
    return this.installation("acme", true);
  }

  /** `GET /app/installations/1`: the installation belongs to `account`; optional when the test may not reach the guard. */
  installation(account = "acme", optional = false): this {
    const interceptor = this.scope.get("/app/installations/1");
    (optional ? interceptor.optionally() : interceptor).reply(200, { id: 1, account: { login: account, id: 4242, type: "Organization" } });
    return this;
  }

  /**
   * The repository's `.github/hotfix-guard.yml`, or none here nor in acme/.github (and then the
   * repository itself, which the app asks for only when its token does not cover every repository).
   * With a file of its own, the organisation's file is read for its floor: `floor` is that file's
   * text, or null for none (404).
   */
  config(yaml: string | null, repo = "payments", floor: string | null = null): this {
    if (yaml === null) {
      this.scope.get(`/repos/acme/${repo}/${CONFIG_FILE}`).reply(404, { message: "Not Found" });
      this.scope.get(`/repos/acme/${repo}`).optionally().reply(200, { name: repo, full_name: `acme/${repo}`, owner: { login: "acme" } });
      if (repo !== ".github") this.scope.get(`/repos/acme/.github/${CONFIG_FILE}`).reply(404, { message: "Not Found" });
    } else {
      this.scope.get(`/repos/acme/${repo}/${CONFIG_FILE}`).reply(200, contentsFile(yaml));
      if (repo !== ".github" && floor !== null) this.scope.get(`/repos/acme/.github/${CONFIG_FILE}`).reply(200, contentsFile(floor));
      else if (repo !== ".github") this.noFloor();
    }
    return this;
  }

  /**
   * No organisation file to read a floor from (404). Optional, since an unusable repository file
   * ends the read before it; {@link orgConfig} replaces it when the organisation's file is read.
   */
  noFloor(): this {
    this.floorless = this.scope.get(`/repos/acme/.github/${CONFIG_FILE}`).optionally();
    this.floorless.reply(404, { message: "Not Found" });
    return this;
  }

  private floorless: nock.Interceptor | undefined;

  /** The organisation's `acme/.github` configuration file. */
  orgConfig(yaml: string): this {
    if (this.floorless) nock.removeInterceptor(this.floorless);
    this.floorless = undefined;
    this.scope.get(`/repos/acme/.github/${CONFIG_FILE}`).reply(200, contentsFile(yaml));
    return this;
  }

  pull(pr: Record<string, unknown>): this {
    this.scope.get(`${REPO}/pulls/${String(pr.number)}`).reply(200, pr);
    return this;
  }

  files(files: { filename: string; status?: string; additions?: number; deletions?: number }[], number = 42): this {
    this.scope
      .get(`${REPO}/pulls/${number}/files`)
      .query(true)
      .reply(200, files.map((f) => ({ sha: "0".repeat(40), status: "modified", additions: 1, deletions: 0, changes: 1, ...f })));
    return this;
  }

  commits(commits: { sha: string; message: string; parents?: number }[], number = 42): this {
    this.scope
      .get(`${REPO}/pulls/${number}/commits`)
      .query(true)
      .reply(200, commits.map((c) => ({ sha: c.sha, commit: { message: c.message }, parents: Array.from({ length: c.parents ?? 1 }, () => ({ sha: "1".repeat(40) })) })));
    return this;
  }

  reviews(reviews: { reviewer: string; state: string; commitId: string; submittedAt?: string }[], number = 42): this {
    this.scope
      .get(`${REPO}/pulls/${number}/reviews`)
      .query(true)
      .reply(
        200,
        reviews.map((r, i) => ({ id: i + 1, user: { login: r.reviewer, id: 100 + i, type: "User" }, state: r.state, commit_id: r.commitId, submitted_at: r.submittedAt ?? "2026-11-23T14:40:00Z", body: "" })),
      );
    return this;
  }

  /** The pull request's timeline: one `review_requested` event per given time (to senior-bob by dev-alice unless told). */
  reviewRequests(times: (string | { at: string; reviewer?: string; team?: string; by?: string })[], number = 42): this {
    this.scope
      .get(`${REPO}/issues/${number}/timeline`)
      .query(true)
      .reply(
        200,
        times.map((entry, i) => {
          const { at, reviewer, team, by } = typeof entry === "string" ? { at: entry, reviewer: "senior-bob", team: undefined, by: "dev-alice" } : entry;
          return {
            id: i + 1,
            event: "review_requested",
            created_at: at,
            actor: { login: by ?? "dev-alice" },
            review_requester: { login: by ?? "dev-alice" },
            ...(team ? { requested_team: { slug: team } } : { requested_reviewer: { login: reviewer ?? "senior-bob" } }),
          };
        }),
      );
    return this;
  }

  /**
   * `GET /compare/{base}...{head}`: the changed files (blob sha and patch decide "the same change")
   * and the commits after the merge base, each by `by` (author and committer) and verified unless told.
   */
  compare(
    base: string,
    head: string,
    options: { files?: { filename: string; sha: string; patch?: string }[]; commits?: { sha: string; by: string; verified?: boolean }[]; status?: string } = {},
  ): this {
    const commits = options.commits ?? [];
    this.scope
      .get(`${REPO}/compare/${base}...${head}`)
      .query(true)
      .reply(200, {
        status: options.status ?? "ahead",
        total_commits: commits.length,
        files: (options.files ?? []).map((file) => ({ status: "modified", additions: 1, deletions: 0, changes: 1, patch: "@@ -1 +1 @@", ...file })),
        commits: commits.map((c) => ({ sha: c.sha, author: { login: c.by }, committer: { login: c.by }, commit: { message: "m", verification: { verified: c.verified ?? true } } })),
      });
    return this;
  }

  tags(names: string[]): this {
    this.scope
      .get(`${REPO}/git/matching-refs/tags%2Fv`)
      .query(true)
      .reply(200, names.map((name) => ({ ref: `refs/tags/${name}`, object: { sha: "2".repeat(40), type: "commit" } })));
    return this;
  }

  permission(login: string, permission: string): this {
    this.scope.get(`${REPO}/collaborators/${login}/permission`).reply(200, { permission, role_name: permission, user: { login } });
    return this;
  }

  teamMember(org: string, team: string, login: string, state: "active" | "pending" | 404 | 403): this {
    const path = `/orgs/${org}/teams/${team}/memberships/${login}`;
    if (state === 404 || state === 403) this.scope.get(path).reply(state, { message: state === 404 ? "Not Found" : "Resource not accessible by integration" });
    else this.scope.get(path).reply(200, { state, role: "member" });
    return this;
  }

  branchHead(branch: string, sha: string | null): this {
    const path = `${REPO}/git/ref/${encodeURIComponent(`heads/${branch}`)}`;
    if (sha) this.scope.get(path).reply(200, { ref: `refs/heads/${branch}`, object: { sha, type: "commit" } });
    else this.scope.get(path).reply(404, { message: "Not Found" });
    return this;
  }

  /** `GET /commits/{sha}/check-runs`, answered from the runs written so far (and any seeded). */
  listCheckRuns(sha: string, times = 1): this {
    this.scope
      .get(`${REPO}/commits/${sha}/check-runs`)
      .query(true)
      .times(times)
      .reply(200, (uri) => {
        const name = new URL(uri, "https://api.github.com").searchParams.get("check_name");
        const runs = (this.runs.get(sha) ?? []).filter((run) => run.name === name).reverse();
        return { total_count: runs.length, check_runs: runs.map((run) => ({ ...run, app: { id: APP_ID, slug: "hotfix-guard" } })) };
      });
    return this;
  }

  /** Seeds a check run the app wrote earlier. */
  seedCheckRun(run: Omit<WrittenCheckRun, "id">): number {
    const id = this.nextId++;
    this.runs.set(run.head_sha, [...(this.runs.get(run.head_sha) ?? []), { ...run, id }]);
    return id;
  }

  /** `POST /check-runs`: records and answers the created run. */
  createCheckRun(times = 1, status = 201): this {
    this.scope
      .post(`${REPO}/check-runs`)
      .times(times)
      .reply(status, (_uri, body) => {
        if (status >= 300) return { message: "Server Error" };
        const run = { ...(body as Omit<WrittenCheckRun, "id">), id: this.nextId++ };
        this.writes.push({ method: "POST", body: run });
        this.runs.set(run.head_sha, [...(this.runs.get(run.head_sha) ?? []), run]);
        return { ...run, app: { id: APP_ID } };
      });
    return this;
  }

  /**
   * `POST /check-runs` that GitHub carries out and then answers with an error (a 502 from a proxy,
   * say): the run exists, the app only sees the failure.
   */
  createCheckRunAnswerLost(status = 502): this {
    this.scope.post(`${REPO}/check-runs`).reply(status, (_uri, body) => {
      const run = { ...(body as Omit<WrittenCheckRun, "id">), id: this.nextId++ };
      this.writes.push({ method: "POST", body: run });
      this.runs.set(run.head_sha, [...(this.runs.get(run.head_sha) ?? []), run]);
      return { message: "Bad Gateway" };
    });
    return this;
  }

  /** `POST /check-runs` whose connection is reset before GitHub did anything. */
  createCheckRunReset(): this {
    this.scope.post(`${REPO}/check-runs`).replyWithError({ code: "ECONNRESET", message: "socket hang up" });
    return this;
  }

  /** `PATCH /check-runs/{id}`: records the update. */
  updateCheckRun(id: number): this {
    this.scope.patch(`${REPO}/check-runs/${id}`).reply(200, (_uri, body) => {
      const update = body as Partial<WrittenCheckRun>;
      for (const runs of this.runs.values()) {
        const run = runs.find((r) => r.id === id);
        if (run) Object.assign(run, update);
      }
      this.writes.push({ method: "PATCH", body: { ...(update as WrittenCheckRun), id } });
      return { id, ...update };
    });
    return this;
  }

  /** `GET /app`, which tells the app its own slug. */
  app(slug = "hotfix-guard"): this {
    this.scope.get("/app").reply(200, { id: APP_ID, slug, name: "Hotfix Guard" });
    return this;
  }

  /** The last check run written. */
  lastWrite(): WrittenCheckRun {
    const last = this.writes.at(-1);
    if (!last) throw new Error("no check run was written");
    return last.body;
  }
}

/** A free TCP port on loopback (Probot's Server treats port 0 as "use 3000"). */
export async function freePort(): Promise<number> {
  const { createServer } = await import("node:net");
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/** A logger that prints nothing, for test servers. */
export const SILENT_LOG = new Probot({ ...TEST_PROBOT_OPTIONS }).log;
