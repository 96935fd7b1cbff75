/**
 * Fetches everything the pre-merge rules need about one pull request, once, in parallel, and
 * only what the policy will use: files only when tests or forbidden paths are checked, commits
 * only when the commit convention is on, tags only when the branch names a version, reviewer
 * facts only for reviewers whose review could count, and the review-request time (for the review
 * wait before an emergency bypass) only when approvals are short.
 */
import type { Policy } from "../config/policy.js";
import { needsLatestTag } from "../rules/branch-name.js";
import { approvalsShort, reviewersToVerify } from "../rules/approvals.js";
import type { PullRequestSnapshot, ReviewerFact } from "../rules/types.js";
import type { GithubGateway, PullRequestData, RepoRef } from "../github/gateway.js";

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

/** Loads the snapshot of a pull request for the given policy. */
export async function loadSnapshot(gateway: GithubGateway, repo: RepoRef, pr: PullRequestData, policy: Policy): Promise<PullRequestSnapshot> {
  const { config } = policy;
  const needFiles = config.tests.required || config.scope.forbidden_paths.length > 0;
  const [files, commits, reviews, latestVersionTag] = await Promise.all([
    needFiles ? gateway.listPullRequestFiles(repo, pr.number) : undefined,
    config.commits.convention !== "off" ? gateway.listPullRequestCommits(repo, pr.number) : undefined,
    gateway.listReviews(repo, pr.number),
    needsLatestTag(pr.headRef, policy) ? gateway.getLatestVersionTag(repo) : null,
  ]);
  const reviewerFacts = await Promise.all(
    reviewersToVerify(reviews, pr.author, policy).map(async (login) => [login, await reviewerFact(gateway, repo, login, policy)] as const),
  );
  const { state: _state, merged: _merged, ...facts } = pr;
  const snapshot: PullRequestSnapshot = {
    ...facts,
    reviews,
    reviewers: Object.fromEntries(reviewerFacts),
    latestVersionTag,
    ...(files ? { files } : {}),
    ...(commits ? { commits } : {}),
  };
  if (!approvalsShort(snapshot, policy)) return snapshot;
  return { ...snapshot, reviewRequestedAt: await gateway.firstReviewRequest(repo, pr.number) };
}
