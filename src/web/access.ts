/**
 * What a signed-in user may see: the repositories of this App's installations they can read (with
 * whether they administer each) and whether they are in a configured audit team, as the GitHub
 * door (`src/github/user-door.ts`) reports them for the user's own token. Answers are cached per
 * session for a few minutes, so paging through the log does not ask GitHub again.
 */
import type { GitHubUserDoor } from "../github/user-door.js";
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

/** How long an answer about a user's access is reused. */
export const ACCESS_TTL_MS = 5 * 60_000;
/** At most this many sessions' answers are cached; the oldest go first. */
const MAX_CACHED = 1_000;

/** Asks GitHub, as the user, what they can read, and keeps the answer for a few minutes. */
export class UserAccessReader {
  readonly #door: GitHubUserDoor;
  readonly #auditTeams: readonly TeamRef[];
  readonly #now: () => Date;
  readonly #cache = new Map<string, { readonly access: UserAccess; readonly until: number }>();

  /** `auditTeams` are the teams whose members see audit details. */
  constructor(door: GitHubUserDoor, auditTeams: readonly TeamRef[], now: () => Date) {
    this.#door = door;
    this.#auditTeams = auditTeams;
    this.#now = now;
  }

  /** The user's access, from the cache when recent; `sessionId` keys the cache. */
  async access(sessionId: string, login: string, token: string): Promise<UserAccess> {
    const now = this.#now().getTime();
    const cached = this.#cache.get(sessionId);
    if (cached && cached.until > now) return cached.access;
    const access = await this.read(login, token);
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

  private async read(login: string, token: string): Promise<UserAccess> {
    const repositories = new Map<string, RepositoryAccess>();
    for (const repo of await this.#door.readableRepositories(token)) repositories.set(repo.fullName.toLowerCase(), repo);
    let auditTeamsUnchecked = false;
    for (const team of this.#auditTeams) {
      const membership = await this.#door.teamMembership(token, team, login);
      if (membership === "member") return { login, repositories, auditor: true, auditTeamsUnchecked: false };
      if (membership === "unknown") auditTeamsUnchecked = true;
    }
    return { login, repositories, auditor: false, auditTeamsUnchecked };
  }
}
