/**
 * A local fake of the parts of GitHub the dashboard talks to, on 127.0.0.1: the OAuth web flow
 * (`/login/oauth/authorize` redirects straight back with a code for the user chosen by the test,
 * `/login/oauth/access_token` trades it once), token revocation, and the REST endpoints a user
 * token reads (`/api/v3/user`, the user's installations and their repositories with the user's
 * permissions, team membership). It serves the REST API under `/api/v3`, as GitHub Enterprise
 * Server does, so the dashboard's OAuth base URL is derived the same way as on GHES.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** The OAuth client the fake accepts. */
export const CLIENT_ID = "Iv1.testclient";
export const CLIENT_SECRET = "test-client-secret";

/** A repository a user can see, with their permissions. */
export interface FakeRepo {
  readonly fullName: string;
  readonly admin: boolean;
  readonly private: boolean;
}

/** A user the fake knows. */
export interface FakeUser {
  readonly login: string;
  readonly repos: readonly FakeRepo[];
  /** Teams (`org/slug`) the user is an active member of. */
  readonly teams?: readonly string[];
}

/** Alice administers `acme/payments` and reads `acme/checkout`; she cannot read `acme/vault`. */
export const ALICE: FakeUser = {
  login: "alice",
  repos: [
    { fullName: "acme/payments", admin: true, private: true },
    { fullName: "acme/checkout", admin: false, private: false },
  ],
};

/** Bob reads `acme/checkout` only, without admin rights. */
export const BOB: FakeUser = { login: "bob", repos: [{ fullName: "acme/checkout", admin: false, private: false }] };

/** Dora reads `acme/checkout` only, but is in the audit team. */
export const DORA: FakeUser = { login: "dora", repos: [{ fullName: "acme/checkout", admin: false, private: false }], teams: ["acme/hotfix-auditors"] };

async function body(req: IncomingMessage): Promise<Record<string, string>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  if ((req.headers["content-type"] ?? "").includes("json")) return text ? (JSON.parse(text) as Record<string, string>) : {};
  return Object.fromEntries(new URLSearchParams(text));
}

function json(res: ServerResponse, status: number, data: unknown): void {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(data));
}

/** The fake GitHub; `signInAs` picks who the next authorisation signs in. */
export class FakeGitHub {
  /** Every request, as `METHOD /path`. */
  readonly requests: string[] = [];
  /** Tokens revoked through `DELETE /applications/{client_id}/token`. */
  readonly revoked: string[] = [];
  /** The `state` of every authorisation request, in order. */
  readonly states: string[] = [];
  signInAs: FakeUser = ALICE;
  /** Answer team membership with 403, as GitHub does when the App lacks Members: read. */
  teamsForbidden = false;
  readonly #users = new Map<string, FakeUser>([ALICE, BOB, DORA].map((user) => [user.login, user]));
  readonly #codes = new Map<string, string>();
  readonly #tokens = new Map<string, string>();
  #server: Server | undefined;
  #counter = 0;
  url = "";

  /** Starts listening on a free port of 127.0.0.1. */
  async start(): Promise<string> {
    this.#server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => json(res, 500, { message: String(error) }));
    });
    await new Promise<void>((resolve) => this.#server?.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this.url;
  }

  /** Stops the server. */
  async stop(): Promise<void> {
    this.#server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
  }

  /** The REST root to configure the dashboard with. */
  get apiUrl(): string {
    return `${this.url}/api/v3`;
  }

  /** Makes another user known (the benchmark's reader of 200 repositories). */
  addUser(user: FakeUser): void {
    this.#users.set(user.login, user);
  }

  /** Issues a token for a user directly, for tests that skip the browser flow. */
  tokenFor(user: FakeUser): string {
    const token = `ghu_${user.login}_${++this.#counter}`;
    this.#tokens.set(token, user.login);
    return token;
  }

  private userOf(req: IncomingMessage): FakeUser | undefined {
    const token = /^(?:token|bearer) (.+)$/i.exec(req.headers.authorization ?? "")?.[1];
    if (!token || this.revoked.includes(token)) return undefined;
    const login = this.#tokens.get(token);
    return login ? this.#users.get(login) : undefined;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", this.url);
    this.requests.push(`${req.method} ${url.pathname}`);
    if (req.method === "GET" && url.pathname === "/login/oauth/authorize") {
      const redirect = url.searchParams.get("redirect_uri");
      const state = url.searchParams.get("state") ?? "";
      this.states.push(state);
      if (url.searchParams.get("client_id") !== CLIENT_ID || !redirect) return json(res, 400, { error: "bad client or redirect" });
      const code = `code_${++this.#counter}`;
      this.#codes.set(code, this.signInAs.login);
      const back = new URL(redirect);
      back.searchParams.set("code", code);
      back.searchParams.set("state", state);
      res.writeHead(302, { location: back.href }).end();
      return;
    }
    if (req.method === "POST" && url.pathname === "/login/oauth/access_token") {
      const form = await body(req);
      const login = form.code ? this.#codes.get(form.code) : undefined;
      if (form.client_id !== CLIENT_ID || form.client_secret !== CLIENT_SECRET || !login || !form.code) {
        return json(res, 200, { error: "bad_verification_code", error_description: "The code passed is incorrect or expired.", error_uri: "https://docs.github.com" });
      }
      this.#codes.delete(form.code);
      const user = this.#users.get(login);
      return json(res, 200, { access_token: user ? this.tokenFor(user) : "", token_type: "bearer", scope: "" });
    }
    const revoke = /^\/api\/v3\/applications\/([^/]+)\/token$/.exec(url.pathname);
    if (req.method === "DELETE" && revoke) {
      const form = await body(req);
      if (form.access_token) this.revoked.push(form.access_token);
      res.writeHead(204).end();
      return;
    }
    const user = this.userOf(req);
    if (!user) return json(res, 401, { message: "Bad credentials" });
    if (url.pathname === "/api/v3/user") return json(res, 200, { login: user.login, id: 1 });
    if (url.pathname === "/api/v3/user/installations") return json(res, 200, { total_count: 1, installations: [{ id: 77, account: { login: "acme" } }] });
    if (url.pathname === "/api/v3/user/installations/77/repositories") {
      return json(res, 200, {
        total_count: user.repos.length,
        repositories: user.repos.map((repo, index) => ({
          id: index + 1,
          full_name: repo.fullName,
          private: repo.private,
          permissions: { admin: repo.admin, maintain: repo.admin, push: repo.admin, triage: true, pull: true },
        })),
      });
    }
    const team = /^\/api\/v3\/orgs\/([^/]+)\/teams\/([^/]+)\/memberships\/([^/]+)$/.exec(url.pathname);
    if (team) {
      if (this.teamsForbidden) return json(res, 403, { message: "Resource not accessible by integration" });
      const member = this.#users.get(team[3] ?? "")?.teams?.includes(`${team[1]}/${team[2]}`);
      return member ? json(res, 200, { state: "active", role: "member" }) : json(res, 404, { message: "Not Found" });
    }
    json(res, 404, { message: "Not Found" });
  }
}
