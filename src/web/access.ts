/**
 * What a signed-in user may see, asked of GitHub with the user's own token: the repositories of
 * this App's installations the user can read (`GET /user/installations`, then
 * `GET /user/installations/{id}/repositories`, which return only repositories the user can access,
 * with the user's `permissions`), and whether the user is in a configured audit team. This is the
 * dashboard's only conversation with GitHub besides the OAuth exchange; it returns facts (names and
 * permissions), and the pages decide what to show. Answers are cached per session for a few
 * minutes, so paging through the log does not ask GitHub again.
 */
import { Octokit } from "@octokit/rest";
import type { TeamRef } from "./settings.js";

/** The user's access to one repository. */
export interface RepositoryAccess {
  /** `owner/name` as GitHub spells it. */
  readonly fullName: string;
  /** Whether the user administers the repository (sees audit details there). */
  readonly admin: boolean;
}

/** Everything the pages need to know about the user's rights. */
export interface UserAccess {
  readonly login: string;
  /** Readable repositories, keyed by lower-case `owner/name`. */
  readonly repositories: ReadonlyMap<string, RepositoryAccess>;
  /** Whether the user is in one of the audit teams (sees audit details in every readable repository). */
  readonly auditor: boolean;
  /**
   * GitHub refused to say whether the user is in an audit team (the App lacks the organisation
   * permission Members: read): the user is treated as outside it, and the page says why.
   */
  readonly auditTeamsUnchecked: boolean;
}

/** GitHub refused the user's token (revoked or expired): the session is over. */
export class TokenRejectedError extends Error {
  override readonly name = "TokenRejectedError";
}

/** How long an answer about a user's access is reused. */
export const ACCESS_TTL_MS = 5 * 60_000;
/** At most this many sessions' answers are cached; the oldest go first. */
const MAX_CACHED = 1_000;

function status(error: unknown): number | undefined {
  return typeof error === "object" && error !== null && "status" in error && typeof error.status === "number" ? error.status : undefined;
}

/** Asks GitHub, as the user, who they are and what they can read. */
export class UserAccessReader {
  readonly #apiUrl: string;
  readonly #auditTeams: readonly TeamRef[];
  readonly #now: () => Date;
  readonly #cache = new Map<string, { readonly access: UserAccess; readonly until: number }>();

  /** `apiUrl` is GitHub's REST root; `auditTeams` the teams whose members see audit details. */
  constructor(apiUrl: string, auditTeams: readonly TeamRef[], now: () => Date) {
    this.#apiUrl = apiUrl;
    this.#auditTeams = auditTeams;
    this.#now = now;
  }

  private octokit(token: string): Octokit {
    return new Octokit({ auth: token, baseUrl: this.#apiUrl, userAgent: "hotfix-guard-dashboard", log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} } });
  }

  /** The login of the token's user. */
  async login(token: string): Promise<string> {
    try {
      const { data } = await this.octokit(token).request("GET /user");
      return data.login;
    } catch (error) {
      if (status(error) === 401) throw new TokenRejectedError("GitHub did not accept the sign-in token");
      throw error;
    }
  }

  /** The user's access, from the cache when recent; `sessionId` keys the cache. */
  async access(sessionId: string, login: string, token: string): Promise<UserAccess> {
    const now = this.#now().getTime();
    const cached = this.#cache.get(sessionId);
    if (cached && cached.until > now) return cached.access;
    const access = await this.fetch(login, token);
    this.#cache.delete(sessionId);
    if (this.#cache.size >= MAX_CACHED) {
      const oldest = this.#cache.keys().next();
      if (!oldest.done) this.#cache.delete(oldest.value);
    }
    this.#cache.set(sessionId, { access, until: now + ACCESS_TTL_MS });
    return access;
  }

  /** Forgets a session's cached answer (on sign-out). */
  forget(sessionId: string): void {
    this.#cache.delete(sessionId);
  }

  private async fetch(login: string, token: string): Promise<UserAccess> {
    const octokit = this.octokit(token);
    try {
      const installations = await octokit.paginate("GET /user/installations", { per_page: 100 });
      const repositories = new Map<string, RepositoryAccess>();
      for (const installation of installations) {
        const repos = await octokit.paginate("GET /user/installations/{installation_id}/repositories", { installation_id: installation.id, per_page: 100 });
        for (const repo of repos) {
          if (repo.permissions && !repo.permissions.pull && !repo.permissions.admin) continue;
          repositories.set(repo.full_name.toLowerCase(), { fullName: repo.full_name, admin: repo.permissions?.admin === true });
        }
      }
      return { login, repositories, ...(await this.inAuditTeam(octokit, login)) };
    } catch (error) {
      if (status(error) === 401) throw new TokenRejectedError("GitHub did not accept the sign-in token");
      throw error;
    }
  }

  private async inAuditTeam(octokit: Octokit, login: string): Promise<{ auditor: boolean; auditTeamsUnchecked: boolean }> {
    let unchecked = false;
    for (const team of this.#auditTeams) {
      try {
        const { data } = await octokit.request("GET /orgs/{org}/teams/{team_slug}/memberships/{username}", { org: team.org, team_slug: team.slug, username: login });
        if (data.state === "active") return { auditor: true, auditTeamsUnchecked: false };
      } catch (error) {
        if (status(error) === 403) unchecked = true;
        else if (status(error) !== 404) throw error;
      }
    }
    return { auditor: false, auditTeamsUnchecked: unchecked };
  }
}
