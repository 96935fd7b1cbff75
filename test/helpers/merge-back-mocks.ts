/**
 * A Probot running the merge-back handlers, and typed nock helpers for the endpoints merge-back
 * tracking calls, added to a {@link GitHubMock}'s scope. Issues live in a small in-memory
 * tracker, so a listing answers with what was created or updated earlier in the test (as GitHub
 * would); every write is recorded with its body.
 */
import { Probot, type ProbotOctokit } from "probot";
import { registerMergeBackHandlers, trackMergeBack } from "../../src/handlers/merge-back.js";
import { mergedPullRequestHandler } from "../../src/handlers/merged-hotfix.js";
import { createServices, type Scheduler, type Services } from "../../src/handlers/services.js";
import { APP_ID, TEST_PROBOT_OPTIONS, type GitHubMock } from "./app.js";
import { HEAD_SHA, NOW } from "./builders.js";
import { MERGE_SHA } from "./merge-back-fixtures.js";

/**
 * A Probot with only the merge-back handlers loaded, and the services they share. The whole app
 * also runs the merge audit on a merged hotfix, with requests of its own that these tests are not
 * about; `testProbot()` covers the app as a whole.
 */
export async function mergeBackProbot(options: { now?: () => Date; scheduler?: Scheduler; Octokit?: typeof ProbotOctokit } = {}): Promise<{ probot: Probot; services: Services }> {
  const probot = new Probot({ ...TEST_PROBOT_OPTIONS, ...(options.Octokit ? { Octokit: options.Octokit } : {}) });
  const services = createServices({
    now: options.now ?? (() => NOW),
    identity: { appId: APP_ID, appOctokit: () => probot.auth() },
    ...(options.scheduler ? { scheduler: options.scheduler } : {}),
  });
  // The app's login is asked once per process (the whole app's merge audit asks it first); these tests are about merge-back's own requests.
  services.ownLogin = Promise.resolve("hotfix-guard[bot]");
  await probot.load(
    (app) => {
      app.on("pull_request.closed", mergedPullRequestHandler(services, [trackMergeBack]));
      registerMergeBackHandlers(app, services);
    },
    { cwd: process.cwd(), addHandler: () => undefined },
  );
  return { probot, services };
}

const REPO = "/repos/acme/payments";
const LABEL = "hotfix:merge-back";

/** An issue as the tracker holds it. */
export interface TrackedIssue {
  number: number;
  title: string;
  body: string;
  state: "open" | "closed";
  labels: string[];
  assignees: string[];
  openedByBot: boolean;
  /** Who opened it, when not the app itself (`openedByBot`) nor a person. */
  author?: string;
}

/** A pull request the app asked GitHub to open. */
export interface OpenedPullRequest {
  head: string;
  base: string;
  title: string;
  body: string;
}

/** What GitHub says of a pull request the app reads. */
export interface PullRequestReply {
  number: number;
  head: string;
  base?: string;
  state?: "open" | "closed";
  merged?: boolean;
  mergeable?: boolean | null;
}

function pullRequestJson(pr: PullRequestReply): Record<string, unknown> {
  return {
    number: pr.number,
    state: pr.state ?? "open",
    merged: pr.merged ?? false,
    merged_at: pr.merged ? "2026-11-23T16:00:00Z" : null,
    mergeable: pr.mergeable ?? null,
    head: { ref: pr.head, sha: "5".repeat(40) },
    base: { ref: pr.base ?? "develop" },
    html_url: `https://github.com/acme/payments/pull/${pr.number}`,
  };
}

/** A changed file as GitHub lists it: its name (and earlier name) and unified-diff patch (null: none given). */
export interface FilePatchReply {
  filename: string;
  previousFilename?: string;
  patch: string | null;
}

function filePatchJson(file: FilePatchReply): Record<string, unknown> {
  return { filename: file.filename, status: "modified", ...(file.previousFilename ? { previous_filename: file.previousFilename, status: "renamed" } : {}), ...(file.patch === null ? {} : { patch: file.patch }) };
}

/** The default hotfix's change: the currency code defaulted in the charge code. */
export const HOTFIX_CHANGE: FilePatchReply = {
  filename: "src/payments/charge.ts",
  patch: ["@@ -10,7 +10,7 @@ export function charge(amount: number, currency?: string) {", "   const total = round(amount);", "-  const code = currency;", "+  const code = currency ?? \"EUR\";", "   return submit(total, code);"].join("\n"),
};

/** Merge-back endpoints on top of a GitHubMock. */
export class MergeBackMock {
  /** Issues GitHub holds, seeded or created by the app. */
  readonly issues: TrackedIssue[] = [];
  /** Every `PATCH /issues/{n}` body, in order. */
  readonly issueUpdates: { number: number; body?: string; state?: string }[] = [];
  /** Every comment written, in order. */
  readonly comments: { number: number; body: string }[] = [];
  /** Every pull request the app asked to open, whatever GitHub answered. */
  readonly openedPullRequests: OpenedPullRequest[] = [];
  /** Every branch the app created. */
  readonly createdBranches: { ref: string; sha: string }[] = [];
  /** Every branch the app deleted. */
  readonly deletedBranches: string[] = [];
  private nextIssue = 100;

  constructor(readonly github: GitHubMock) {}

  private get scope() {
    return this.github.scope;
  }

  /** Issues the app created, in order. */
  get createdIssues(): TrackedIssue[] {
    return this.issues.filter((issue) => issue.number >= 100);
  }

  /** `GET /git/matching-refs/heads/<prefix>`. */
  branches(prefix: string, names: string[]): this {
    this.scope
      .get(`${REPO}/git/matching-refs/${encodeURIComponent(`heads/${prefix}`)}`)
      .query(true)
      .reply(200, names.map((name) => ({ ref: `refs/heads/${name}`, object: { sha: "6".repeat(40), type: "commit" } })));
    return this;
  }

  /** `GET /compare/{base}...{head}`: a status, or 404 when either side does not exist. */
  compare(base: string, head: string, status: "ahead" | "behind" | "identical" | "diverged" | 404, files: string[] = []): this {
    const path = `${REPO}/compare/${encodeURIComponent(base)}...${encodeURIComponent(head)}`;
    if (status === 404) this.scope.get(path).query(true).reply(404, { message: "Not Found" });
    else this.scope.get(path).query(true).reply(200, { status, ahead_by: 1, behind_by: 1, total_commits: 1, commits: [], files: files.map((filename) => ({ filename, status: "modified" })) });
    return this;
  }

  /** `GET /git/commits/{sha}` with its parents. */
  mergeCommit(sha: string, parents: string[]): this {
    this.scope.get(`${REPO}/git/commits/${sha}`).reply(200, { sha, parents: parents.map((parent) => ({ sha: parent })) });
    return this;
  }

  /** `GET /pulls/{n}/commits`. */
  pullCommits(number: number, commits: { sha: string; date?: string; parents?: number }[]): this {
    this.scope
      .get(`${REPO}/pulls/${number}/commits`)
      .query(true)
      .reply(
        200,
        commits.map((commit) => ({
          sha: commit.sha,
          commit: { message: "hotfix(payments): fix", committer: { date: commit.date ?? "2026-11-23T13:00:00Z" } },
          parents: Array.from({ length: commit.parents ?? 1 }, () => ({ sha: "1".repeat(40) })),
        })),
      );
    return this;
  }

  /** `GET /pulls?state=closed&sort=updated`: recently closed pull requests (merged unless said otherwise). */
  closedPulls(pulls: { number: number; base: string; headRef: string; title?: string; body?: string; merged?: boolean }[] = []): this {
    this.scope
      .get(`${REPO}/pulls`)
      .query((query) => query.state === "closed")
      .reply(
        200,
        pulls.map((pr) => ({
          number: pr.number,
          state: "closed",
          title: pr.title ?? `Pull request ${pr.number}`,
          body: pr.body ?? "",
          merged_at: pr.merged === false ? null : "2026-11-23T16:00:00Z",
          updated_at: "2026-11-23T16:00:00Z",
          head: { ref: pr.headRef, sha: "7".repeat(40) },
          base: { ref: pr.base },
        })),
      );
    return this;
  }

  /**
   * `GET /commits?sha=<branch>`: the branch's commits since the hotfix. Unless `lastLook` is
   * "explicit" (the test then mocks {@link sameChange} itself), the last look that follows when
   * no commit shows the fix, patch equivalence, may read that the branch holds no copy of it.
   */
  commitsOf(branch: string, commits: { sha: string; message: string }[] = [], lastLook: "no-copy" | "explicit" = "no-copy"): this {
    this.scope
      .get(`${REPO}/commits`)
      .query((query) => query.sha === branch)
      .reply(
        200,
        commits.map((commit) => ({ sha: commit.sha, commit: { message: commit.message }, parents: [] })),
      );
    if (lastLook === "no-copy") {
      this.scope.get(/\/repos\/acme\/payments\/pulls\/\d+\/files/).query(true).optionally().reply(200, [filePatchJson(HOTFIX_CHANGE)]);
      this.scope
        .get(new RegExp(`/repos/acme/payments/compare/(?!${HEAD_SHA})[0-9a-f]{40}\\.\\.\\.${encodeURIComponent(branch).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(\\?|$)`))
        .query(true)
        .optionally()
        .reply(200, { status: "diverged", ahead_by: 1, behind_by: 1, total_commits: 1, commits: [], files: [] });
    }
    return this;
  }

  /**
   * The reads of patch equivalence for one target (`at`): the hotfix's own files (`GET
   * /pulls/{n}/files`, read once per check: pass `hotfix` null to skip it) and the comparison of
   * its merge commit with the target (`GET /compare/{mergeSha}...{at}`), whose diff is `target`,
   * cut short at 300 files when `truncated`.
   */
  sameChange(at: string, target: FilePatchReply[], options: { hotfix?: FilePatchReply[] | null; number?: number; mergeSha?: string; truncated?: boolean } = {}): this {
    const { hotfix = [HOTFIX_CHANGE], number = 42, mergeSha = MERGE_SHA, truncated = false } = options;
    if (hotfix) this.scope.get(`${REPO}/pulls/${number}/files`).query(true).reply(200, hotfix.map(filePatchJson));
    const files = truncated ? [...target, ...Array.from({ length: 300 - target.length }, (_, index) => ({ filename: `generated/${index}.json`, patch: "@@ -1 +1 @@\n-{}\n+[]" }))] : target;
    this.scope
      .get(`${REPO}/compare/${mergeSha}...${encodeURIComponent(at)}`)
      .query(true)
      .reply(200, { status: "diverged", ahead_by: 1, behind_by: 1, total_commits: 1, commits: [], files: files.map(filePatchJson) });
    return this;
  }

  /** Seeds an issue (a reminder the app opened earlier, or one that only looks like it). */
  seedIssue(issue: Partial<TrackedIssue> & { number: number; body: string }): this {
    this.issues.push({ title: "seeded", state: "open", labels: [LABEL], assignees: [], openedByBot: true, ...issue });
    return this;
  }

  /** `GET /issues?labels=hotfix:merge-back&state=…`, answered from the tracker when the request arrives. */
  listReminders(state: "open" | "all", times = 1): this {
    this.scope
      .get(`${REPO}/issues`)
      .query((query) => query.labels === LABEL && query.state === state && (state === "open" || typeof query.since === "string"))
      .times(times)
      .reply(200, () =>
        this.issues
          .filter((issue) => issue.labels.includes(LABEL) && (state === "all" || issue.state === "open"))
          .map((issue) => ({
            number: issue.number,
            state: issue.state,
            title: issue.title,
            body: issue.body,
            comments: this.comments.filter((comment) => comment.number === issue.number).length,
            user: issue.author
              ? { login: issue.author, type: issue.author.endsWith("[bot]") ? "Bot" : "User" }
              : issue.openedByBot
                ? { login: "hotfix-guard[bot]", type: "Bot" }
                : { login: "mallory", type: "User" },
          })),
      );
    return this;
  }

  /** `POST /issues`: records the issue, or answers with an error status. */
  createIssue(status = 201, times = 1): this {
    this.scope
      .post(`${REPO}/issues`)
      .times(times)
      .reply(status, (_uri, body) => {
        if (status >= 300) return { message: "Server Error" };
        const request = body as { title: string; body: string; labels?: string[]; assignees?: string[] };
        const issue: TrackedIssue = { number: this.nextIssue++, title: request.title, body: request.body, state: "open", labels: request.labels ?? [], assignees: request.assignees ?? [], openedByBot: true };
        this.issues.push(issue);
        return { number: issue.number, html_url: `https://github.com/acme/payments/issues/${issue.number}` };
      });
    return this;
  }

  /** `POST /issues` that GitHub carries out and then answers with an error: the issue exists, the app sees the failure. */
  createIssueAnswerLost(status = 502): this {
    this.scope.post(`${REPO}/issues`).reply(status, (_uri, body) => {
      const request = body as { title: string; body: string; labels?: string[]; assignees?: string[] };
      this.issues.push({ number: this.nextIssue++, title: request.title, body: request.body, state: "open", labels: request.labels ?? [], assignees: request.assignees ?? [], openedByBot: true });
      return { message: "Bad Gateway" };
    });
    return this;
  }

  /** `POST /issues` refused by a secondary rate limit, `times` times. */
  createIssueRateLimited(times = 1, retryAfterSeconds = 120): this {
    this.scope
      .post(`${REPO}/issues`)
      .times(times)
      .reply(403, { message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again." }, { "retry-after": String(retryAfterSeconds) });
    return this;
  }

  /** `POST /issues` refused for its assignee (422), then accepted without one. */
  createIssueRefusingAssignee(): this {
    this.scope
      .post(`${REPO}/issues`, (body: { assignees?: string[] }) => (body.assignees ?? []).length > 0)
      .reply(422, { message: "Validation Failed", errors: [{ resource: "Issue", field: "assignees", code: "invalid", value: "dev-alice" }] });
    return this.createIssue();
  }

  /** `PATCH /issues/{n}`: records the change and applies it to the tracker. */
  updateIssue(number: number, times = 1, status = 200): this {
    this.scope
      .patch(`${REPO}/issues/${number}`)
      .times(times)
      .reply(status, (_uri, body) => {
        if (status >= 300) return { message: "Server Error" };
        const change = body as { body?: string; state?: "open" | "closed" };
        this.issueUpdates.push({ number, ...change });
        const issue = this.issues.find((i) => i.number === number);
        if (issue) Object.assign(issue, change);
        return { number, ...change };
      });
    return this;
  }

  /** `POST /issues/{n}/comments`. */
  comment(number: number, times = 1, status = 201): this {
    this.scope
      .post(`${REPO}/issues/${number}/comments`)
      .times(times)
      .reply(status, (_uri, body) => {
        if (status >= 300) return { message: "Server Error" };
        this.comments.push({ number, body: (body as { body: string }).body });
        return { id: this.comments.length };
      });
    return this;
  }

  /** `POST /issues/{n}/comments` that GitHub carries out and then answers with an error. */
  commentAnswerLost(number: number, status = 502): this {
    this.scope.post(`${REPO}/issues/${number}/comments`).reply(status, (_uri, body) => {
      this.comments.push({ number, body: (body as { body: string }).body });
      return { message: "Bad Gateway" };
    });
    return this;
  }

  /** `GET /issues/{n}/comments`, answered with the seeded bodies (by the app, unless an author is given) and whatever the app wrote since. */
  listComments(number: number, seeded: (string | { body: string; author: string })[] = []): this {
    this.scope
      .get(`${REPO}/issues/${number}/comments`)
      .query(true)
      .reply(200, () =>
        [...seeded, ...this.comments.filter((c) => c.number === number).map((c) => c.body)]
          .map((entry) => (typeof entry === "string" ? { body: entry, author: "hotfix-guard[bot]" } : entry))
          .map(({ body, author }, id) => ({ id, body, user: { login: author, type: author.endsWith("[bot]") ? "Bot" : "User" } })),
      );
    return this;
  }

  /** `GET /pulls?state=open&head=acme:<head>&base=<base>`. */
  openPullFrom(head: string, base: string, found: PullRequestReply | null = null): this {
    this.scope
      .get(`${REPO}/pulls`)
      .query((query) => query.state === "open" && query.head === `acme:${head}` && query.base === base)
      .reply(200, found ? [pullRequestJson({ ...found, base })] : []);
    return this;
  }

  /** `POST /pulls`: records the request; answers with the pull request, "already exists", or an error. */
  createPull(reply: PullRequestReply | "exists" | { status: number; message: string }): this {
    this.scope.post(`${REPO}/pulls`).reply((_uri, body) => {
      const request = body as OpenedPullRequest;
      this.openedPullRequests.push({ head: request.head, base: request.base, title: request.title, body: request.body });
      if (reply === "exists") return [422, { message: "Validation Failed", errors: [{ resource: "PullRequest", code: "custom", message: `A pull request already exists for acme:${request.head}.` }] }];
      if ("status" in reply) return [reply.status, { message: reply.message }];
      return [201, pullRequestJson({ ...reply, base: request.base })];
    });
    return this;
  }

  /** `GET /pulls/{n}`. */
  getPull(reply: PullRequestReply): this {
    this.scope.get(`${REPO}/pulls/${reply.number}`).reply(200, pullRequestJson(reply));
    return this;
  }

  /** `POST /git/refs`: records the branch, or answers "Reference already exists". */
  createBranch(outcome: "created" | "exists" = "created"): this {
    this.scope.post(`${REPO}/git/refs`).reply((_uri, body) => {
      const request = body as { ref: string; sha: string };
      if (outcome === "exists") return [422, { message: "Reference already exists" }];
      this.createdBranches.push(request);
      return [201, { ref: request.ref, object: { sha: request.sha } }];
    });
    return this;
  }

  /** `DELETE /git/refs/heads/<branch>`. */
  deleteBranch(branch: string): this {
    this.scope.delete(`${REPO}/git/refs/${encodeURIComponent(`heads/${branch}`)}`).reply(204, () => {
      this.deletedBranches.push(branch);
      return "";
    });
    return this;
  }

  /** The body of the reminder with the given number. */
  issue(number: number): TrackedIssue {
    const found = this.issues.find((issue) => issue.number === number);
    if (!found) throw new Error(`no issue #${number}`);
    return found;
  }
}
