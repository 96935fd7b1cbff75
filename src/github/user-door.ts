/**
 * The dashboard's door to GitHub, speaking as the signed-in user: the GitHub App's OAuth web flow
 * (through `@octokit/oauth-methods`, never a hand-written exchange) and the reads that tell what
 * the user may see — who they are, the repositories of this App's installations they can read
 * (`GET /user/installations`, then `GET /user/installations/{id}/repositories`, which list only
 * repositories the user can access, with the user's `permissions`), and whether they are in a team.
 * It returns facts; the dashboard decides what to show.
 */
import { deleteToken, exchangeWebFlowCode, getWebFlowAuthorizationUrl } from "@octokit/oauth-methods";
import { Octokit } from "@octokit/rest";
import { statusOf } from "./errors.js";

/** GitHub refused the user's token (revoked or expired): the session is over. */
export class TokenRejectedError extends Error {
  override readonly name = "TokenRejectedError";
}

/** A repository the user can read, with whether they administer it. */
export interface ReadableRepository {
  /** `owner/name` as GitHub spells it. */
  readonly fullName: string;
  readonly admin: boolean;
}

/** A team by organisation and slug. */
export interface TeamName {
  readonly org: string;
  readonly slug: string;
}

/** Whether a user is an active member of a team, or GitHub would not say (the App lacks Members: read). */
export type TeamMembership = "member" | "not-member" | "unknown";

/** The GitHub App's OAuth client. */
export interface OAuthClient {
  readonly clientId: string;
  readonly clientSecret: string;
}

const QUIET = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
const USER_AGENT = "hotfix-guard-dashboard";

/** Runs a read as the user; a 401 means the token is no longer good. */
async function asUser<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (statusOf(error) === 401) throw new TokenRejectedError("GitHub did not accept the sign-in token");
    throw error;
  }
}

/** GitHub, for the dashboard: the OAuth web flow of the App's client and reads with a user's token. */
export class GitHubUserDoor {
  readonly #apiUrl: string;
  readonly #client: OAuthClient;
  readonly #oauthRequest: Octokit["request"];

  /** `apiUrl` is GitHub's REST root. */
  constructor(apiUrl: string, client: OAuthClient) {
    this.#apiUrl = apiUrl;
    this.#client = client;
    this.#oauthRequest = new Octokit({ baseUrl: apiUrl, userAgent: USER_AGENT, log: QUIET }).request;
  }

  /** Where to send the browser to sign in; `state` comes back on the callback. */
  authorizationUrl(state: string, redirectUrl: string | undefined): string {
    return getWebFlowAuthorizationUrl({ clientType: "github-app", clientId: this.#client.clientId, state, request: this.#oauthRequest, ...(redirectUrl ? { redirectUrl } : {}) }).url;
  }

  /** Exchanges the callback's code for the user's token; throws when GitHub refuses the code. */
  async exchangeCode(code: string, redirectUrl: string | undefined): Promise<string> {
    const { authentication } = await exchangeWebFlowCode({ clientType: "github-app", ...this.#client, code, request: this.#oauthRequest, ...(redirectUrl ? { redirectUrl } : {}) });
    return authentication.token;
  }

  /** Revokes the user's token (sign-out). */
  async revokeToken(token: string): Promise<void> {
    await deleteToken({ clientType: "github-app", ...this.#client, token, request: this.#oauthRequest });
  }

  private octokit(token: string): Octokit {
    return new Octokit({ auth: token, baseUrl: this.#apiUrl, userAgent: USER_AGENT, log: QUIET });
  }

  /** The login of the token's user. */
  login(token: string): Promise<string> {
    return asUser(async () => (await this.octokit(token).request("GET /user")).data.login);
  }

  /** The repositories of this App's installations that the token's user can read. */
  readableRepositories(token: string): Promise<ReadableRepository[]> {
    const octokit = this.octokit(token);
    return asUser(async () => {
      const readable: ReadableRepository[] = [];
      for (const installation of await octokit.paginate("GET /user/installations", { per_page: 100 })) {
        const repos = await octokit.paginate("GET /user/installations/{installation_id}/repositories", { installation_id: installation.id, per_page: 100 });
        for (const repo of repos) {
          if (repo.permissions && !repo.permissions.pull && !repo.permissions.admin) continue;
          readable.push({ fullName: repo.full_name, admin: repo.permissions?.admin === true });
        }
      }
      return readable;
    });
  }

  /** Whether `login` is an active member of `team`, asked with the user's token. */
  teamMembership(token: string, team: TeamName, login: string): Promise<TeamMembership> {
    return asUser(async () => {
      try {
        const { data } = await this.octokit(token).request("GET /orgs/{org}/teams/{team_slug}/memberships/{username}", { org: team.org, team_slug: team.slug, username: login });
        return data.state === "active" ? "member" : "not-member";
      } catch (error) {
        if (statusOf(error) === 403) return "unknown";
        if (statusOf(error) === 404) return "not-member";
        throw error;
      }
    });
  }
}
