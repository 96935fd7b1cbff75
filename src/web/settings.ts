/**
 * The dashboard's settings, read once from the environment. The dashboard is on only when the
 * GitHub App's OAuth client (`GITHUB_CLIENT_ID`, `GITHUB_CLIENT_SECRET`) and a `SESSION_SECRET`
 * are set; otherwise `/dashboard` explains what is missing and serves nothing else, and the rest
 * of the app (webhooks, probes) runs unaffected.
 */

/** The shortest session secret accepted: 32 characters, about 190 bits from a password generator. */
export const MIN_SECRET_LENGTH = 32;

/** Eight hours: a working day, and the lifetime of a GitHub App user token with expiry on. */
const DEFAULT_SESSION_HOURS = 8;

/** A team whose members see audit details in every repository they can read. */
export interface TeamRef {
  readonly org: string;
  readonly slug: string;
}

/** The dashboard's settings when it is enabled. */
export interface DashboardSettings {
  readonly enabled: true;
  /** Where the dashboard is served, without a trailing slash (`DASHBOARD_PATH`, default `/dashboard`). */
  readonly path: string;
  /** The GitHub App's OAuth client id (`GITHUB_CLIENT_ID`). */
  readonly clientId: string;
  /** The GitHub App's OAuth client secret (`GITHUB_CLIENT_SECRET`). */
  readonly clientSecret: string;
  /** Keys the session cookie's encryption and every signature (`SESSION_SECRET`, at least 32 characters). */
  readonly sessionSecret: string;
  /** How long a sign-in lasts (`DASHBOARD_SESSION_HOURS`, default 8). */
  readonly sessionTtlMs: number;
  /**
   * The address users reach the app at (`DASHBOARD_PUBLIC_URL`, e.g. `https://hotfix-guard.example.com`):
   * the OAuth callback is `<url><path>/auth/callback`, and an `https` address makes cookies `Secure`.
   * Unset, GitHub uses the App's first registered callback URL.
   */
  readonly publicUrl: string | undefined;
  /** GitHub's REST API root: `https://api.github.com`, or `https://<GHE_HOST>/api/v3` (`GITHUB_API_URL` overrides). */
  readonly apiUrl: string;
  /** Teams whose members see audit details (`DASHBOARD_AUDIT_TEAMS`, comma-separated `org/team-slug`). */
  readonly auditTeams: readonly TeamRef[];
}

/** Why the dashboard is off, in words for the page that says how to enable it. */
export interface DashboardDisabled {
  readonly enabled: false;
  readonly path: string;
  /** What is missing or wrong, one sentence each. */
  readonly problems: readonly string[];
}

/** The dashboard's settings: enabled, or disabled with the reasons. */
export type DashboardConfig = DashboardSettings | DashboardDisabled;

function normalisePath(raw: string | undefined): { path: string; problem?: string } {
  const value = (raw ?? "/dashboard").trim().replace(/\/+$/, "");
  if (!/^\/[A-Za-z0-9._~\-/]*$/.test(value) || value === "" || value.includes("//")) {
    return { path: "/dashboard", problem: `DASHBOARD_PATH must be a path such as /dashboard; got ${JSON.stringify(raw)}.` };
  }
  return { path: value };
}

function apiUrlFrom(env: NodeJS.ProcessEnv): string {
  if (env.GITHUB_API_URL) return env.GITHUB_API_URL.replace(/\/+$/, "");
  if (env.GHE_HOST) return `${env.GHE_PROTOCOL ?? "https"}://${env.GHE_HOST}/api/v3`;
  return "https://api.github.com";
}

function parseTeams(raw: string | undefined, problems: string[]): TeamRef[] {
  const teams: TeamRef[] = [];
  for (const entry of (raw ?? "").split(",").map((part) => part.trim()).filter(Boolean)) {
    const match = /^([A-Za-z0-9-]+)\/([A-Za-z0-9_.-]+)$/.exec(entry);
    if (match?.[1] && match[2]) teams.push({ org: match[1], slug: match[2] });
    else problems.push(`DASHBOARD_AUDIT_TEAMS entries must look like org/team-slug; got ${JSON.stringify(entry)}.`);
  }
  return teams;
}

/** Reads the dashboard's settings from the environment; never throws, reports every problem. */
export function dashboardConfigFromEnv(env: NodeJS.ProcessEnv = process.env): DashboardConfig {
  const problems: string[] = [];
  const { path, problem } = normalisePath(env.DASHBOARD_PATH);
  if (problem) problems.push(problem);
  const clientId = env.GITHUB_CLIENT_ID?.trim();
  const clientSecret = env.GITHUB_CLIENT_SECRET?.trim();
  const sessionSecret = env.SESSION_SECRET ?? "";
  if (!clientId || !clientSecret) {
    problems.push("GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET are not set: copy them from the GitHub App's settings page (Client ID, Generate a new client secret).");
  }
  if (sessionSecret.length < MIN_SECRET_LENGTH) {
    problems.push(`SESSION_SECRET must be set to a random string of at least ${MIN_SECRET_LENGTH} characters (for example the output of \`openssl rand -hex 32\`).`);
  }
  const hours = env.DASHBOARD_SESSION_HOURS === undefined ? DEFAULT_SESSION_HOURS : Number(env.DASHBOARD_SESSION_HOURS);
  if (!(hours > 0 && hours <= 24 * 7)) problems.push(`DASHBOARD_SESSION_HOURS must be a number of hours between 0 and 168; got ${JSON.stringify(env.DASHBOARD_SESSION_HOURS)}.`);
  const publicUrl = env.DASHBOARD_PUBLIC_URL?.trim().replace(/\/+$/, "") || undefined;
  if (publicUrl && !/^https?:\/\/[^/\s]+$/.test(publicUrl)) {
    problems.push(`DASHBOARD_PUBLIC_URL must be the app's address without a path, such as https://hotfix-guard.example.com; got ${JSON.stringify(publicUrl)}.`);
  }
  const auditTeams = parseTeams(env.DASHBOARD_AUDIT_TEAMS, problems);
  if (problems.length > 0 || !clientId || !clientSecret) return { enabled: false, path, problems };
  return {
    enabled: true,
    path,
    clientId,
    clientSecret,
    sessionSecret,
    sessionTtlMs: hours * 3_600_000,
    publicUrl,
    apiUrl: apiUrlFrom(env),
    auditTeams,
  };
}
