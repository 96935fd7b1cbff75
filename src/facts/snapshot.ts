/**
 * Fetches everything the pre-merge rules need about one pull request, once, in parallel, and
 * only what the policy will use: files only when tests or forbidden paths are checked, commits
 * only when the commit convention is on, tags only when the branch names a version, reviewer
 * facts only for reviewers whose review could count, comparisons only for approvals on an earlier
 * commit that a push could leave standing (a merge of the base, a listed bot), and the timeline's
 * review requests (the review wait, the escalation ladder with the app's bot login) only when
 * approvals are short.
 */
import type { Policy } from "../config/policy.js";
import { needsLatestTag } from "../rules/branch-name.js";
import { approvalsShort, approvalsToCarry, firstEligibleRequest, requestedUsersToVerify, reviewersToVerify } from "../rules/approvals.js";
import type { PullRequestSnapshot, PushesSinceApproval, ReviewerFact } from "../rules/types.js";
import type { ComparedFile, GithubGateway, PullRequestData, RepoRef } from "../github/gateway.js";

function teamRef(team: string, owner: string): { org: string; slug: string } {
  const [org, slug] = team.includes("/") ? (team.split("/", 2) as [string, string]) : [owner, team];
  return { org, slug };
}

/**
 * Which of the configured teams (`org/team` or `team` of the repository owner) the user is an
 * active member of, and a note for each team whose membership could not be read: an unreadable
 * membership never counts as one.
 */
export async function teamMemberships(gateway: GithubGateway, repo: RepoRef, login: string, teams: readonly string[]): Promise<Pick<ReviewerFact, "teams" | "notes">> {
  const memberships = await Promise.all(
    teams.map(async (team) => {
      const { org, slug } = teamRef(team, repo.owner);
      try {
        return { team, member: await gateway.isTeamMember(org, slug, login), note: null };
      } catch (error) {
        const status = (error as { status?: number }).status;
        return { team, member: false, note: `membership of ${team} could not be read (HTTP ${status ?? "error"}; the app needs the Members read permission)` };
      }
    }),
  );
  return { teams: memberships.filter((m) => m.member).map((m) => m.team), notes: memberships.flatMap((m) => (m.note ? [m.note] : [])) };
}

async function reviewerFact(gateway: GithubGateway, repo: RepoRef, login: string, policy: Policy): Promise<ReviewerFact> {
  const { users, teams } = policy.config.approvals.reviewers;
  if (users.length === 0 && teams.length === 0) {
    return { permission: await gateway.getPermission(repo, login), teams: [], notes: [] };
  }
  return { permission: null, ...(await teamMemberships(gateway, repo, login, teams)) };
}

function sameFiles(a: readonly ComparedFile[] | null, b: readonly ComparedFile[] | null): boolean {
  if (!a || !b || a.length !== b.length) return false;
  const key = (file: ComparedFile) => JSON.stringify([file.filename, file.status, file.sha, file.patch]);
  const mine = new Set(a.map(key));
  return b.every((file) => mine.has(key(file)));
}

/**
 * What was pushed since each approved commit: whether the pull request's own change against its
 * base (`base...commit` against `base...head`, both from their merge base) is unchanged, and
 * (only when bots may keep approvals) the commits since with their authors and signatures.
 * `base` is a commit or branch of the base branch that does not contain the head: the pre-merge
 * check passes the base branch, the merge audit the base commit GitHub recorded for the merged
 * pull request (after the merge the branch contains the head, and every comparison would be empty).
 */
export async function pushesSinceApprovals(
  gateway: GithubGateway,
  repo: RepoRef,
  base: string,
  headSha: string,
  commits: readonly string[],
  policy: Policy,
): Promise<Record<string, PushesSinceApproval>> {
  if (commits.length === 0) return {};
  const headChange = await gateway.compareCommits(repo, base, headSha);
  const withCommits = policy.config.approvals.keep_on_pushes_by.length > 0;
  const entries = await Promise.all(
    commits.map(async (sha) => {
      const [approvedChange, since] = await Promise.all([gateway.compareCommits(repo, base, sha), withCommits ? gateway.compareCommits(repo, sha, headSha) : null]);
      const facts: PushesSinceApproval = { sameChange: sameFiles(approvedChange.files, headChange.files), ancestor: since?.status === "ahead", commits: since?.commits ?? null };
      return [sha, facts] as const;
    }),
  );
  return Object.fromEntries(entries);
}

/**
 * Loads the snapshot of a pull request for the given policy. `appLogin` gives the app's bot login,
 * asked for only when an escalation ladder is configured and approvals are short.
 */
export async function loadSnapshot(gateway: GithubGateway, repo: RepoRef, pr: PullRequestData, policy: Policy, appLogin?: () => Promise<string>): Promise<PullRequestSnapshot> {
  const { config } = policy;
  const needFiles = config.tests.required || config.scope.forbidden_paths.length > 0;
  const [files, commits, reviews, latestVersionTag] = await Promise.all([
    needFiles ? gateway.listPullRequestFiles(repo, pr.number) : undefined,
    config.commits.convention !== "off" ? gateway.listPullRequestCommits(repo, pr.number) : undefined,
    gateway.listReviews(repo, pr.number),
    needsLatestTag(pr.headRef, policy) ? gateway.getLatestVersionTag(repo) : null,
  ]);
  const [reviewerFacts, pushes] = await Promise.all([
    Promise.all(reviewersToVerify(reviews, pr.author, policy).map(async (login) => [login, await reviewerFact(gateway, repo, login, policy)] as const)),
    pushesSinceApprovals(gateway, repo, pr.baseRef, pr.headSha, approvalsToCarry(reviews, pr.headSha, policy), policy),
  ]);
  const { state: _state, merged: _merged, ...facts } = pr;
  const snapshot: PullRequestSnapshot = {
    ...facts,
    reviews,
    reviewers: Object.fromEntries(reviewerFacts),
    latestVersionTag,
    ...(files ? { files } : {}),
    ...(commits ? { commits } : {}),
    ...(Object.keys(pushes).length > 0 ? { pushesSinceApproval: pushes } : {}),
  };
  if (!approvalsShort(snapshot, policy)) return snapshot;
  const [reviewRequests, login] = await Promise.all([
    gateway.listReviewRequests(repo, pr.number),
    config.escalation.ladder.length > 0 && appLogin ? appLogin() : undefined,
  ]);
  const known = new Set(Object.keys(snapshot.reviewers));
  const requested = await Promise.all(
    requestedUsersToVerify(reviewRequests, pr.author, policy)
      .filter((user) => !known.has(user))
      .map(async (user) => [user, await reviewerFact(gateway, repo, user, policy)] as const),
  );
  const withRequested = { ...snapshot, reviewers: { ...snapshot.reviewers, ...Object.fromEntries(requested) }, reviewRequests };
  return { ...withRequested, reviewRequestedAt: firstEligibleRequest(reviewRequests, withRequested, policy), ...(login ? { appLogin: login } : {}) };
}
