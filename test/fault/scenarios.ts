/**
 * The worlds the fault suite runs in, the deliveries that make the app write, every kind of item
 * the app creates (with the fault rule that hits its create), and the inventory of the end state
 * that the assertions compare: what exists on GitHub, read from the fake, never from the app.
 *
 * acme/payments: hotfix #42 (`hotfix/v1.4.3-default-currency`, head {@link HEAD_SHA}) into main,
 * merged at 14:50 by an admin with CI failing at the merge and no justification (an unjustified
 * bypass); develop and release/1.4 branched from main before it and lacking the fix.
 */
import { COMPLETE_BODY, HEAD_SHA, NOW } from "../helpers/builders.js";
import { ADMIN, MERGED_AT, MERGE_SHA, OPENED_AT } from "../helpers/audit-builders.js";
import { mainPushEvent, mergedHotfixEvent, protectionRuleEvent, pullRequestCommentEvent } from "../helpers/audit-fixtures.js";
import { branchCreatedEvent, pullRequestEvent, pushEvent } from "../helpers/fixtures.js";
import { BOT_LOGIN, type FakeGitHub, type FakeRequest, type FaultRule } from "./fake-github.js";
import { FAULT_APP_ID, type Clock } from "./harness.js";

export { NOW };

/** The repository of every scenario. */
export const REPO = "acme/payments";
/** The hotfix branch. */
export const HOTFIX_BRANCH = "hotfix/v1.4.3-default-currency";
const MAIN_BEFORE = "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567";
const DEVELOP_HEAD = "d1".repeat(20);
const RELEASE_HEAD = "e1".repeat(20);
/** The merge of main into develop that brings the hotfix there. */
export const DEVELOP_WITH_FIX = "d2".repeat(20);
/** A later commit on develop that still lacks the hotfix. */
const DEVELOP_LATER = "d3".repeat(20);
/** A commit pushed straight to main, outside any pull request, changing the configuration. */
const DIRECT_PUSH = "c".repeat(40);
/** A hotfix branch whose name breaks the policy. */
const MISNAMED_BRANCH = "hotfix/fix-stuff";
const HOUR = 3_600_000;

/** A delivery. */
export interface Delivery {
  readonly id: string;
  readonly name: string;
  readonly payload: unknown;
}

/** How a world differs from the default one. */
export interface WorldShape {
  /** The hotfix is merged (else open). */
  readonly merged: boolean;
  /** `.github/hotfix-guard.yml`, or none (defaults). */
  readonly config?: string;
  /** develop already has the fix. */
  readonly developHasFix?: boolean;
  /** A release/1.4 branch exists (lacking the fix). */
  readonly releaseBranch?: boolean;
}

/** Seeds the fake with acme/payments as the shape says. */
export function seedWorld(fake: FakeGitHub, shape: WorldShape): void {
  const repo = fake.addRepo(REPO, "main");
  if (shape.config !== undefined) repo.files.set(".github/hotfix-guard.yml", shape.config);
  fake.addCommit(REPO, { sha: MAIN_BEFORE, message: "Release 1.4.2", date: "2026-11-20T10:00:00Z", files: ["src/payments/charge.ts"] });
  fake.addCommit(REPO, { sha: HEAD_SHA, message: "hotfix(payments): default the currency code", parents: [MAIN_BEFORE], date: "2026-11-23T13:00:00Z", files: ["src/payments/charge.ts", "src/payments/charge.test.ts"] });
  fake.addCommit(REPO, { sha: MERGE_SHA, message: `Merge pull request #42 from acme/${HOTFIX_BRANCH}`, parents: [MAIN_BEFORE, HEAD_SHA], date: MERGED_AT, files: [] });
  fake.addCommit(REPO, { sha: DEVELOP_HEAD, message: "feat(ledger): new report", parents: [MAIN_BEFORE], date: "2026-11-21T09:00:00Z", files: ["src/ledger/report.ts"] });
  fake.addCommit(REPO, { sha: RELEASE_HEAD, message: "chore(release): prepare 1.5.0", parents: [MAIN_BEFORE], date: "2026-11-21T11:00:00Z", files: ["CHANGELOG.md"] });
  fake.addCommit(REPO, { sha: DEVELOP_WITH_FIX, message: "Merge branch 'main' into develop", parents: [DEVELOP_HEAD, MERGE_SHA], date: "2026-11-23T14:55:00Z", files: [] });
  fake.setBranch(REPO, "main", shape.merged ? MERGE_SHA : MAIN_BEFORE);
  fake.setBranch(REPO, "develop", shape.developHasFix ? DEVELOP_WITH_FIX : DEVELOP_HEAD);
  if (shape.releaseBranch ?? true) fake.setBranch(REPO, "release/1.4", RELEASE_HEAD);
  fake.setBranch(REPO, HOTFIX_BRANCH, HEAD_SHA);
  repo.refs.set("tags/v1.4.1", MAIN_BEFORE);
  repo.refs.set("tags/v1.4.2", MAIN_BEFORE);
  for (const [login, permission] of [
    ["dev-alice", "write"],
    ["senior-bob", "write"],
    [ADMIN, "admin"],
  ] as const)
    repo.permissions.set(login, permission);
  repo.branchRules.set("main", [
    { type: "pull_request", parameters: { required_approving_review_count: 1, dismiss_stale_reviews_on_push: false } },
    { type: "required_status_checks", parameters: { required_status_checks: [{ context: "ci" }, { context: "Hotfix Guard" }] } },
  ]);
  fake.addCheckRun(REPO, { name: "ci", headSha: HEAD_SHA, conclusion: "failure", completedAt: "2026-11-23T14:35:00Z" });
  if (shape.merged) {
    fake.addCheckRun(REPO, { name: "ci", headSha: HEAD_SHA, conclusion: "success", completedAt: "2026-11-23T14:58:00Z" });
    fake.addCheckRun(REPO, { name: "Hotfix Guard", headSha: HEAD_SHA, conclusion: "success", completedAt: "2026-11-23T14:41:00Z", appId: FAULT_APP_ID, appSlug: "hotfix-guard" });
  }
  fake.addIssue(REPO, {
    number: 42,
    title: "hotfix(payments): default the currency code",
    body: COMPLETE_BODY,
    author: "dev-alice",
    createdAt: OPENED_AT,
    updatedAt: shape.merged ? MERGED_AT : OPENED_AT,
    state: shape.merged ? "closed" : "open",
    closedAt: shape.merged ? MERGED_AT : null,
    events: [{ event: "review_requested", createdAt: "2026-11-23T13:05:00Z", reviewer: "senior-bob", actor: "dev-alice" }],
    pull: {
      headRef: HOTFIX_BRANCH,
      headSha: HEAD_SHA,
      headRepo: REPO,
      baseRef: "main",
      merged: shape.merged,
      mergedAt: shape.merged ? MERGED_AT : null,
      mergeCommitSha: shape.merged ? MERGE_SHA : null,
      mergedBy: shape.merged ? ADMIN : null,
      mergeable: shape.merged ? null : true,
      files: [
        { filename: "src/payments/charge.ts", status: "modified", additions: 4, deletions: 3 },
        { filename: "src/payments/charge.test.ts", status: "modified", additions: 8, deletions: 0 },
      ],
      commits: [HEAD_SHA],
      reviews: [{ id: 1, user: "senior-bob", state: "APPROVED", commitId: HEAD_SHA, submittedAt: "2026-11-23T14:40:00Z", body: "" }],
      additions: 12,
      deletions: 3,
    },
  });
}

/** A scenario: a world, what happens in it before the delivery under test, and that delivery. */
export interface Scenario {
  readonly name: string;
  readonly world: WorldShape;
  /** Deliveries (fault-free) that bring the world to where the delivery under test starts. */
  readonly before?: (fake: FakeGitHub, clock: Clock) => { readonly deliveries: readonly Delivery[]; readonly then?: () => void };
  readonly delivery: () => Delivery;
}

const OPEN_PULL_REQUESTS = "merge_back:\n  open_pull_requests: true\n";

/** The scenarios, by name. */
export const SCENARIOS = {
  opened: { name: "hotfix PR opened", world: { merged: false }, delivery: () => pullRequestEvent("opened") },
  merged: { name: "hotfix merged (unjustified bypass), develop and release/1.4 lack it", world: { merged: true }, delivery: () => mergedHotfixEvent() },
  backMerge: { name: "the same, with merge_back.open_pull_requests", world: { merged: true, config: OPEN_PULL_REQUESTS }, delivery: () => mergedHotfixEvent() },
  complete: { name: "hotfix merged, every target already has it", world: { merged: true, developHasFix: true, releaseBranch: false }, delivery: () => mergedHotfixEvent() },
  pushCompletes: {
    name: "push to develop completes the merge-back",
    world: { merged: true, releaseBranch: false },
    before: (fake: FakeGitHub) => ({ deliveries: [mergedHotfixEvent()], then: () => fake.setBranch(REPO, "develop", DEVELOP_WITH_FIX) }),
    delivery: () => pushEvent("develop", { modified: ["src/payments/charge.ts"] }, DEVELOP_WITH_FIX),
  },
  protection: { name: "protection of main switched off", world: { merged: false }, delivery: () => protectionRuleEvent("deleted", "main") },
  overdue: {
    name: "a push to develop 25 hours after the merge, still without the hotfix",
    world: { merged: true, releaseBranch: false },
    before: (fake: FakeGitHub, clock: Clock) => ({
      deliveries: [mergedHotfixEvent()],
      then: () => {
        clock.advance(25 * HOUR);
        fake.addCommit(REPO, { sha: DEVELOP_LATER, message: "feat(ledger): totals", parents: [DEVELOP_HEAD], date: clock.now().toISOString(), files: ["src/ledger/totals.ts"] });
        fake.setBranch(REPO, "develop", DEVELOP_LATER);
      },
    }),
    delivery: () => pushEvent("develop", { modified: ["src/ledger/totals.ts"] }, DEVELOP_LATER),
  },
  directPush: {
    name: "a direct push to main that changes the configuration",
    world: { merged: false },
    before: (fake: FakeGitHub) => ({
      deliveries: [],
      then: () => {
        fake.addCommit(REPO, { sha: DIRECT_PUSH, message: "tune hotfix policy", parents: [MAIN_BEFORE], date: "2026-11-23T14:59:00Z", files: [".github/hotfix-guard.yml"] });
        fake.setBranch(REPO, "main", DIRECT_PUSH);
        fake.repo(REPO).files.set(".github/hotfix-guard.yml", "commits:\n  convention: warn\n");
      },
    }),
    delivery: () => {
      const event = mainPushEvent([{ sha: DIRECT_PUSH, message: "tune hotfix policy" }]);
      const commit = { ...event.payload.commits[0], modified: [".github/hotfix-guard.yml"] };
      return { ...event, payload: { ...event.payload, commits: [commit], head_commit: commit } };
    },
  },
  refused: {
    name: "a reviewer without admin rights comments /hotfix authorize on the merged hotfix",
    world: { merged: true },
    before: (fake: FakeGitHub) => ({ deliveries: [mergedHotfixEvent()], then: () => void fake.addComment(REPO, 42, "senior-bob", "/hotfix authorize", NOW.toISOString()) }),
    delivery: () => pullRequestCommentEvent("created", { id: 7001, author: "senior-bob", body: "/hotfix authorize", createdAt: NOW.toISOString() }),
  },
  invalidConfig: {
    name: "hotfix merged while the configuration is invalid",
    world: { merged: true, config: "approvals:\n  required: lots\n" },
    delivery: () => mergedHotfixEvent(),
  },
  misnamed: {
    name: "a hotfix branch created with a name the policy refuses",
    world: { merged: false },
    before: (fake: FakeGitHub) => ({ deliveries: [], then: () => fake.setBranch(REPO, MISNAMED_BRANCH, HEAD_SHA) }),
    delivery: () => branchCreatedEvent(MISNAMED_BRANCH),
  },
} satisfies Record<string, Scenario>;

/** A scenario's name. */
export type ScenarioName = keyof typeof SCENARIOS;

function labelled(label: string): (request: FakeRequest) => boolean {
  return (request) => ((request.body as { labels?: string[] } | null)?.labels ?? []).includes(label);
}

function checkNamed(name: string): (request: FakeRequest) => boolean {
  return (request) => (request.body as { name?: string } | null)?.name === name;
}

function checkOn(sha: string): (request: FakeRequest) => boolean {
  return (request) => (request.body as { head_sha?: string } | null)?.head_sha === sha;
}

function commentSaying(text: string, issue?: number): (request: FakeRequest) => boolean {
  return (request) => (issue === undefined || Number(request.params.number) === issue) && String((request.body as { body?: string } | null)?.body ?? "").includes(text);
}

const ISSUES = "/repos/:owner/:repo/issues";
const COMMENTS = "/repos/:owner/:repo/issues/:number/comments";

/** A kind of item the app creates, the scenario that creates it, and the request that does. */
export interface CreateKind {
  readonly name: string;
  readonly scenario: ScenarioName;
  readonly method: string;
  readonly route: string;
  readonly when?: (request: FakeRequest) => boolean;
  /** The listing in which the app can find what an earlier attempt made (none: the create is idempotent on GitHub). */
  readonly lookup?: string;
}

const CHECK_RUNS_OF_REF = "/repos/:owner/:repo/commits/:ref/check-runs";
const PULLS = "/repos/:owner/:repo/pulls";

/** Every kind of create. */
export const CREATE_KINDS: readonly CreateKind[] = [
  { name: "check run", scenario: "opened", method: "POST", route: "/repos/:owner/:repo/check-runs", lookup: CHECK_RUNS_OF_REF },
  { name: "branch-name check run", scenario: "misnamed", method: "POST", route: "/repos/:owner/:repo/check-runs", when: checkNamed("Hotfix Guard: branch name"), lookup: CHECK_RUNS_OF_REF },
  { name: "configuration check run", scenario: "directPush", method: "POST", route: "/repos/:owner/:repo/check-runs", when: checkNamed("Hotfix Guard: configuration"), lookup: CHECK_RUNS_OF_REF },
  { name: "invalid-configuration check run on the merge commit", scenario: "invalidConfig", method: "POST", route: "/repos/:owner/:repo/check-runs", when: checkOn(MERGE_SHA), lookup: CHECK_RUNS_OF_REF },
  { name: "direct-push audit issue", scenario: "directPush", method: "POST", route: ISSUES, when: labelled("hotfix:bypass-unjustified"), lookup: ISSUES },
  { name: "command refusal comment", scenario: "refused", method: "POST", route: COMMENTS, when: commentSaying("was not accepted"), lookup: COMMENTS },
  { name: "audit comment", scenario: "merged", method: "POST", route: COMMENTS, when: commentSaying("Hotfix merge audit", 42), lookup: COMMENTS },
  { name: "audit issue", scenario: "merged", method: "POST", route: ISSUES, when: labelled("hotfix:bypass-unjustified"), lookup: ISSUES },
  { name: "post-incident issue", scenario: "merged", method: "POST", route: ISSUES, when: labelled("hotfix:post-incident"), lookup: ISSUES },
  { name: "labels", scenario: "merged", method: "POST", route: "/repos/:owner/:repo/issues/:number/labels" },
  { name: "merge-back reminder issue", scenario: "merged", method: "POST", route: ISSUES, when: labelled("hotfix:merge-back"), lookup: ISSUES },
  { name: "back-merge pull request", scenario: "backMerge", method: "POST", route: PULLS, lookup: PULLS },
  { name: '"merge-back complete" note', scenario: "complete", method: "POST", route: COMMENTS, when: commentSaying("Merge-back complete", 42), lookup: COMMENTS },
  { name: "reminder closing comment", scenario: "pushCompletes", method: "POST", route: COMMENTS, when: commentSaying("Closing this reminder"), lookup: COMMENTS },
  { name: "reminder escalation comment", scenario: "overdue", method: "POST", route: COMMENTS, when: commentSaying("still has not reached"), lookup: COMMENTS },
  { name: "protection-log issue", scenario: "protection", method: "POST", route: ISSUES, when: labelled("hotfix:protection-log"), lookup: ISSUES },
  { name: "protection-log entry", scenario: "protection", method: "POST", route: COMMENTS, when: commentSaying("hotfix-guard:protection-change"), lookup: COMMENTS },
];

/**
 * Faults for "the create was carried out but its answer lost, and the listing that would show it
 * fails too": the create answers 502 after creating, then the next four requests of its lookup
 * listing have their connection reset (the retry plugin's three retries included).
 */
export function blindLookup(kind: CreateKind): FaultRule[] {
  if (!kind.lookup) return [];
  return [faultOn(kind, "ambiguous-5xx"), { method: "GET", route: kind.lookup, kind: "reset", calls: [1, 2, 3, 4], label: `${kind.name}: lookup`, after: kind.name }];
}

/** The fault rule that hits the first create of a kind. */
export function faultOn(kind: CreateKind, fault: FaultRule["kind"], calls: FaultRule["calls"] = [1]): FaultRule {
  return { method: kind.method, route: kind.route, kind: fault, calls, label: kind.name, ...(kind.when ? { when: kind.when } : {}) };
}

const KNOWN_LABELS = ["hotfix:bypass-unjustified", "hotfix:post-incident", "hotfix:merge-back", "hotfix:protection-log"];
const KNOWN_COMMENTS: [string, string][] = [
  ["audit comment", "Hotfix merge audit"],
  ['"merge-back complete" note', "Merge-back complete"],
  ["reminder closing comment", "Closing this reminder"],
  ["protection-log entry", "hotfix-guard:protection-change"],
  ["reminder escalation comment", "still has not reached"],
  ["command refusal comment", "was not accepted"],
];

/** What the app has made on GitHub, as counts per item (the app's own items only). */
export type Inventory = Record<string, number>;

/** Reads the end state from the fake. */
export function inventory(fake: FakeGitHub): Inventory {
  const counts: Inventory = {};
  const add = (key: string, n = 1) => (counts[key] = (counts[key] ?? 0) + n);
  for (const run of fake.checkRuns) if (run.appId === FAULT_APP_ID && run.repo === REPO) add(`check run "${run.name}" on ${run.headSha.slice(0, 7)}`);
  for (const issue of fake.issuesOf(REPO)) {
    if (issue.author !== BOT_LOGIN) continue;
    const label = KNOWN_LABELS.find((l) => issue.labels.includes(l));
    const assigned = issue.assignees.length > 0 ? `, assigned ${issue.assignees.map((login) => `@${login}`).join(" ")}` : "";
    add(label ? `issue ${label} (${issue.state}${assigned})` : `other issue "${issue.title}" (${issue.state}${assigned})`);
  }
  for (const pr of fake.pullsOf(REPO)) if (pr.author === BOT_LOGIN) add(`pull request ${pr.pull?.headRef} → ${pr.pull?.baseRef} (${pr.state})`);
  for (const comment of fake.comments) {
    if (comment.author !== BOT_LOGIN) continue;
    const known = KNOWN_COMMENTS.find(([, text]) => comment.body.includes(text));
    add(known ? known[0] : `other comment on #${comment.issue}: ${comment.body.slice(0, 60)}`);
  }
  for (const label of fake.issue(REPO, 42).labels) add(`label ${label} on #42`);
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}

/** Lost, duplicated and unexpected items of an inventory against the fault-free one. */
export function difference(expected: Inventory, actual: Inventory): { lost: number; duplicated: number; unexpected: number; detail: string[] } {
  let lost = 0;
  let duplicated = 0;
  let unexpected = 0;
  const detail: string[] = [];
  for (const key of new Set([...Object.keys(expected), ...Object.keys(actual)])) {
    const want = expected[key] ?? 0;
    const got = actual[key] ?? 0;
    if (got < want) {
      lost += want - got;
      detail.push(`lost ${want - got}× ${key}`);
    } else if (got > want && want > 0) {
      duplicated += got - want;
      detail.push(`duplicated ${got - want}× ${key}`);
    } else if (got > want) {
      unexpected += got;
      detail.push(`unexpected ${got}× ${key}`);
    }
  }
  return { lost, duplicated, unexpected, detail };
}
