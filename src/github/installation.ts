/**
 * The installation a delivery names: which account it belongs to and which permissions it was
 * granted. Both are facts, read where they cost least:
 *
 * - The account comes from `GET /app/installations/{id}` (authenticated as the app), asked once
 *   per installation and kept (an account does not change hands; a failed lookup is forgotten so
 *   the next delivery asks again), for at most {@link DEFAULT_MAX_INSTALLATIONS} installations,
 *   the least recently used forgotten first and asked for again on its next delivery. The
 *   handlers' guard compares it with the repository a delivery names.
 * - The granted permissions, and whether the installation covers all of the account's
 *   repositories, come back with the installation access token the event's Octokit already
 *   holds, so reading them costs no request. After `installation.new_permissions_accepted`
 *   the token is exchanged again ({@link refreshGrantedPermissions}), because a token keeps the
 *   permissions it was issued with.
 */
import type { ProbotOctokit } from "probot";
import { LruMap } from "../lru.js";

/** Permission levels by name as GitHub grants them (`{ contents: "read", checks: "write" }`). */
export type GrantedPermissions = Readonly<Record<string, string>>;

/** The account an installation belongs to. */
export interface InstallationAccount {
  readonly id: number;
  readonly login: string;
}

/** What the handlers learn about an installation, once per process. */
export interface InstallationFacts {
  readonly id: number;
  readonly account: InstallationAccount;
}

/** The account of an installation object (from `GET /app/installations/{id}` or an `installation` payload). */
export function installationFacts(data: { id: number; account?: { id: number; login?: string } | null }): InstallationFacts {
  return { id: data.id, account: { id: data.account?.id ?? 0, login: data.account?.login ?? "" } };
}

/** How many installations' facts are kept, by default. */
export const DEFAULT_MAX_INSTALLATIONS = 10_000;

/**
 * Installations by id: one lookup each, shared by concurrent callers, at most `maxInstallations`
 * kept (least recently used forgotten first).
 */
export class InstallationDirectory {
  private readonly entries: LruMap<number, Promise<InstallationFacts>>;

  constructor(maxInstallations = DEFAULT_MAX_INSTALLATIONS) {
    this.entries = new LruMap(maxInstallations);
  }

  /** How many installations are kept now. */
  get size(): number {
    return this.entries.size;
  }

  /**
   * The installation's facts, asking GitHub (`GET /app/installations/{id}`) only when they are not kept.
   * @param appOctokit - an Octokit authenticated as the app (JWT).
   */
  get(id: number, appOctokit: () => Promise<ProbotOctokit>): Promise<InstallationFacts> {
    const cached = this.entries.get(id);
    if (cached) return cached;
    const loaded = appOctokit()
      .then((app) => app.rest.apps.getInstallation({ installation_id: id }))
      .then(({ data }) => installationFacts(data));
    this.entries.set(id, loaded);
    loaded.catch(() => {
      if (this.entries.peek(id) === loaded) this.entries.delete(id);
    });
    return loaded;
  }

  /** Records facts an `installation` event carried, so they cost no lookup. */
  remember(facts: InstallationFacts): void {
    this.entries.set(facts.id, Promise.resolve(facts));
  }
}

interface TokenAuthentication {
  readonly tokenType?: string;
  readonly permissions?: Record<string, string>;
  readonly repositorySelection?: string;
}

function permissionsOf(token: TokenAuthentication): GrantedPermissions | null {
  return token.tokenType === "installation" ? (token.permissions ?? {}) : null;
}

/**
 * The permissions the installation granted, from the access token the Octokit holds (no request
 * once it has one); null when the Octokit is not an installation's (the command line's own token).
 */
export async function grantedPermissions(octokit: ProbotOctokit): Promise<GrantedPermissions | null> {
  return permissionsOf((await octokit.auth({ type: "installation" })) as TokenAuthentication);
}

/** Whether the Octokit's token is an installation's that covers all of the account's repositories (from the token, no request once it has one). */
export async function seesAllRepositories(octokit: ProbotOctokit): Promise<boolean> {
  const token = (await octokit.auth({ type: "installation" })) as TokenAuthentication;
  return token.tokenType === "installation" && token.repositorySelection === "all";
}

/** Exchanges the installation's token again, so the permissions it carries are the newly accepted ones. */
export async function refreshGrantedPermissions(octokit: ProbotOctokit): Promise<GrantedPermissions | null> {
  return permissionsOf((await octokit.auth({ type: "installation", refresh: true })) as TokenAuthentication);
}
