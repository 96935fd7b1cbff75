/**
 * Runs the dashboard on a local HTTP server against the fake GitHub and a hotfix log reader, and
 * signs users in through the real OAuth redirects with `fetch`, keeping the cookies by hand.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { HotfixLogReader } from "../../src/log/model.js";
import { createDashboardHandler, type DashboardHandler } from "../../src/web/handler.js";
import { dashboardConfigFromEnv } from "../../src/web/settings.js";
import { CLIENT_ID, CLIENT_SECRET, type FakeGitHub, type FakeUser } from "./fake-github.js";
import { FakeLogReader, NOW } from "./fake-log.js";

/** The session secret of the tests. */
export const SESSION_SECRET = "test-session-secret-0123456789abcdef";

/** A running dashboard. */
export interface RunningDashboard {
  /** The dashboard's own address, `http://127.0.0.1:<port>/dashboard`. */
  readonly url: string;
  readonly origin: string;
  readonly reader: HotfixLogReader;
  stop(): Promise<void>;
}

/** What to run the dashboard with. */
export interface DashboardRun {
  readonly github: FakeGitHub;
  readonly reader?: HotfixLogReader;
  readonly env?: Record<string, string>;
  readonly now?: () => Date;
}

/** Starts the dashboard on 127.0.0.1. */
export async function startDashboard(run: DashboardRun): Promise<RunningDashboard> {
  const reader = run.reader ?? new FakeLogReader();
  let handler: DashboardHandler | undefined;
  const server: Server = createServer((req, res) => {
    void (async () => {
      if (!(await handler?.(req, res))) res.writeHead(404).end("not the dashboard");
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const config = dashboardConfigFromEnv({
    GITHUB_CLIENT_ID: CLIENT_ID,
    GITHUB_CLIENT_SECRET: CLIENT_SECRET,
    SESSION_SECRET,
    GITHUB_API_URL: run.github.apiUrl,
    DASHBOARD_PUBLIC_URL: origin,
    DASHBOARD_AUDIT_TEAMS: "acme/hotfix-auditors",
    ...run.env,
  });
  handler = createDashboardHandler({ config, reader, now: run.now ?? (() => NOW) });
  return {
    url: `${origin}${config.path}`,
    origin,
    reader,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function cookiePair(setCookie: string): string {
  return setCookie.split(";")[0] ?? "";
}

/** The result of a sign-in: the session cookie as a `Cookie` header value, and the raw `Set-Cookie`. */
export interface SignedIn {
  readonly cookie: string;
  readonly setCookie: string;
}

/** Signs `user` in through the OAuth redirects; fails the test when any step does not redirect. */
export async function signIn(dashboard: RunningDashboard, github: FakeGitHub, user: FakeUser): Promise<SignedIn> {
  github.signInAs = user;
  const start = await fetch(`${dashboard.url}/auth/sign-in?return=${encodeURIComponent(new URL(dashboard.url).pathname)}`, { redirect: "manual" });
  const stateCookie = cookiePair(start.headers.getSetCookie()[0] ?? "");
  const authorize = await fetch(start.headers.get("location") ?? "", { redirect: "manual" });
  const callback = await fetch(authorize.headers.get("location") ?? "", { redirect: "manual", headers: { cookie: stateCookie } });
  if (callback.status !== 303) throw new Error(`sign-in callback answered ${callback.status}: ${await callback.text()}`);
  const session = callback.headers.getSetCookie().find((value) => value.startsWith("hotfix_guard_session="));
  if (!session) throw new Error("no session cookie after sign-in");
  return { cookie: cookiePair(session), setCookie: session };
}

/** GETs a dashboard URL with a cookie, without following redirects. */
export async function get(url: string, cookie?: string): Promise<{ status: number; text: string; headers: Headers }> {
  const response = await fetch(url, { redirect: "manual", headers: cookie ? { cookie } : {} });
  return { status: response.status, text: await response.text(), headers: response.headers };
}
