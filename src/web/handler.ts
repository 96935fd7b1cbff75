/**
 * The dashboard: a request handler for the app's own HTTP server (Probot's `addHandler`), serving
 * the hotfix log under `/dashboard` (or `DASHBOARD_PATH`). Every page is server-rendered HTML that
 * works without JavaScript; the Content-Security-Policy allows no script at all.
 *
 * 1. Outside the dashboard's path: not handled (returns false).
 * 2. Not configured: the page that says how to enable it, for every path under it.
 * 3. `auth/…`: sign-in with GitHub through the GitHub App's OAuth web flow (`@octokit/oauth-methods`),
 *    the `state` nonce bound to a signed cookie; sign-out is a POST carrying the session's CSRF token.
 * 4. Everything else needs a session; the user's access is asked of GitHub with their own token,
 *    the log reader is given only the repositories they can read, and audit details are removed
 *    where they may not see them, before any page or export is rendered.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { TLSSocket } from "node:tls";
import { timingSafeEqual } from "node:crypto";
import { parseCookie, stringifySetCookie, type SerializeOptions } from "cookie";
import { AUDIT_VERDICTS, type AuditVerdict, type HotfixLogReader } from "../log/model.js";
import { GitHubUserDoor, TokenRejectedError } from "../github/user-door.js";
import { UserAccessReader, type UserAccess } from "./access.js";
import { exportDocument, type ExportFormat } from "./exports.js";
import { exportsView, hotfixView, logView, metricsView, PER_PAGE, Routes, windowOf, WINDOWS, type LogQuery } from "./pages.js";
import { CookieSealer, randomId, STATE_TTL_MS, type Session } from "./session.js";
import type { DashboardConfig, DashboardSettings } from "./settings.js";
import { STYLESHEET_HASH } from "./styles.js";
import { renderPage, type LayoutData, type PageTemplate } from "./templates.js";
import { readableRepo, readableRepos, seesAuditDetails, visibleDetail } from "./visibility.js";

/** The session cookie's name. */
export const SESSION_COOKIE = "hotfix_guard_session";
/** The OAuth state cookie's name. */
export const STATE_COOKIE = "hotfix_guard_oauth_state";

/** Where the dashboard logs what goes wrong (Probot's `app.log` fits). */
export interface DashboardLog {
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

/** What the dashboard is built from. */
export interface DashboardOptions {
  readonly config: DashboardConfig;
  /** The hotfix log. */
  readonly reader: HotfixLogReader;
  /** The clock; the real one by default. */
  readonly now?: () => Date;
  readonly log?: DashboardLog;
}

/** A handler for Probot's `addHandler`: true when it answered the request. */
export type DashboardHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

const MAX_FORM_BYTES = 8 * 1024;
const MAX_PAGE = 100_000;
const SILENT_LOG: DashboardLog = { warn: () => undefined, error: () => undefined };

function securityHeaders(res: ServerResponse): void {
  res.setHeader("content-security-policy", `default-src 'none'; style-src ${STYLESHEET_HASH}; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`);
  res.setHeader("x-content-type-options", "nosniff");
  res.setHeader("referrer-policy", "same-origin");
  res.setHeader("x-frame-options", "DENY");
  res.setHeader("cache-control", "no-store");
}

function send(res: ServerResponse, status: number, contentType: string, body: string, headers: Record<string, string> = {}): true {
  res.writeHead(status, { "content-type": contentType, ...headers }).end(body);
  return true;
}

function redirect(res: ServerResponse, location: string, status = 303): true {
  res.writeHead(status, { location }).end();
  return true;
}

function sameString(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams | undefined> {
  if (!(req.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded")) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_FORM_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
}

/** A path segment decoded, or undefined when it is missing or not valid percent-encoding. */
function decoded(segment: string | undefined): string | undefined {
  if (segment === undefined) return undefined;
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

function positiveInt(value: string | null, fallback: number, max: number): number {
  if (value === null || !/^\d{1,7}$/.test(value)) return fallback;
  const parsed = Number(value);
  return parsed >= 1 && parsed <= max ? parsed : fallback;
}

function monthsParam(value: string | null): number {
  const parsed = Number(value);
  return (WINDOWS as readonly number[]).includes(parsed) ? parsed : WINDOWS[0];
}

/** Builds the dashboard's request handler. */
export function createDashboardHandler(options: DashboardOptions): DashboardHandler {
  const { config } = options;
  const now = options.now ?? (() => new Date());
  const log = options.log ?? SILENT_LOG;
  const routes = new Routes(config.path);
  if (!config.enabled) {
    return async (req, res) => {
      const path = (req.url ?? "/").split("?")[0] ?? "/";
      if (path !== config.path && !path.startsWith(`${config.path}/`)) return false;
      securityHeaders(res);
      return send(res, 503, "text/html; charset=utf-8", renderPage("setup", { title: "Dashboard not enabled", base: config.path, problems: config.problems, callback: `<public url>${config.path}/auth/callback` }));
    };
  }
  return new Dashboard(config, options.reader, now, log, routes).handler();
}

/** Everything about one request that the routes need once the user is known. */
interface Viewer {
  readonly session: Session;
  readonly access: UserAccess;
  readonly layout: LayoutData;
}

class Dashboard {
  readonly #sealer: CookieSealer;
  readonly #github: GitHubUserDoor;
  readonly #access: UserAccessReader;

  constructor(
    private readonly config: DashboardSettings,
    private readonly reader: HotfixLogReader,
    private readonly now: () => Date,
    private readonly log: DashboardLog,
    private readonly routes: Routes,
  ) {
    this.#sealer = new CookieSealer(config.sessionSecret);
    this.#github = new GitHubUserDoor(config.apiUrl, { clientId: config.clientId, clientSecret: config.clientSecret });
    this.#access = new UserAccessReader(this.#github, config.auditTeams, now);
  }

  handler(): DashboardHandler {
    return async (req, res) => {
      const url = new URL(req.url ?? "/", "http://dashboard.invalid");
      const base = this.config.path;
      if (url.pathname !== base && !url.pathname.startsWith(`${base}/`)) return false;
      securityHeaders(res);
      try {
        return await this.route(req, res, url, url.pathname.slice(base.length).replace(/\/+$/, ""));
      } catch (error) {
        this.log.error({ err: error, path: url.pathname }, "dashboard request failed");
        if (res.headersSent) {
          res.end();
          return true;
        }
        return this.page(res, 500, "message", { title: "Something went wrong", base, heading: "The hotfix log could not be shown", message: "Reading the log failed; the error is in the app's log. Try again in a moment." });
      }
    };
  }

  private page<T extends LayoutData>(res: ServerResponse, status: number, template: PageTemplate, data: T, headers: Record<string, string> = {}): true {
    return send(res, status, "text/html; charset=utf-8", renderPage(template, data), headers);
  }

  private cookieOptions(req: IncomingMessage, path: string, maxAgeSeconds: number): SerializeOptions {
    const secure =
      this.config.publicUrl?.startsWith("https:") === true || (req.socket as Partial<TLSSocket>).encrypted === true || req.headers["x-forwarded-proto"] === "https";
    return { path, httpOnly: true, sameSite: "lax", secure, maxAge: maxAgeSeconds };
  }

  private setCookies(res: ServerResponse, cookies: string[]): void {
    res.setHeader("set-cookie", cookies);
  }

  private async route(req: IncomingMessage, res: ServerResponse, url: URL, rest: string): Promise<boolean> {
    const method = req.method === "HEAD" ? "GET" : req.method;
    if (rest === "/auth/sign-in" && method === "GET") return this.signIn(req, res, url);
    if (rest === "/auth/callback" && method === "GET") return this.callback(req, res, url);
    if (rest === "/auth/sign-out") return method === "POST" ? this.signOut(req, res) : send(res, 405, "text/plain; charset=utf-8", "Sign out with the form's button (POST).", { allow: "POST" });
    if (method !== "GET") return send(res, 405, "text/plain; charset=utf-8", "Method not allowed", { allow: "GET" });
    const session = this.#sealer.openSession(parseCookie(req.headers.cookie ?? "")[SESSION_COOKIE], this.now());
    const isExport = rest.startsWith("/export/");
    if (!session) {
      if (isExport) return send(res, 401, "text/plain; charset=utf-8", "Sign in to the dashboard first.");
      return this.signInPage(res, url, 401);
    }
    let access: UserAccess;
    try {
      access = await this.#access.access(session.id, session.login, session.token);
    } catch (error) {
      if (error instanceof TokenRejectedError) {
        this.setCookies(res, [stringifySetCookie(SESSION_COOKIE, "", this.cookieOptions(req, this.config.path, 0))]);
        if (isExport) return send(res, 401, "text/plain; charset=utf-8", "Your GitHub sign-in has ended; sign in again.");
        return this.signInPage(res, url, 401, "Your GitHub sign-in has ended; sign in again.");
      }
      this.log.error({ err: error }, "could not read the user's repository access from GitHub");
      return this.page(res, 502, "message", { title: "GitHub did not answer", base: this.config.path, heading: "GitHub did not answer", message: "The repositories you can read could not be asked of GitHub, so nothing is shown. Try again in a moment." });
    }
    const viewer: Viewer = { session, access, layout: this.layout(session, rest) };
    if (rest === "") return this.logPage(res, url, viewer);
    if (rest === "/metrics") return this.metricsPage(res, url, viewer);
    if (rest === "/export") return this.exportsPage(res, url, viewer);
    const exportMatch = /^\/export\/log\.(md|csv|json)$/.exec(rest);
    if (exportMatch?.[1]) return this.exportFile(res, url, viewer, exportMatch[1] as ExportFormat);
    const hotfixMatch = /^\/hotfix\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(rest);
    const [owner, name, id] = [hotfixMatch?.[1], hotfixMatch?.[2], hotfixMatch?.[3]].map(decoded);
    if (owner && name && id) return this.hotfixPage(res, viewer, `${owner}/${name}`, id);
    return this.notFound(res, viewer);
  }

  private layout(session: Session, rest: string): LayoutData {
    const base = this.config.path;
    return {
      title: "Hotfix log",
      base,
      user: session.login,
      csrf: this.#sealer.csrfToken(session),
      nav: [
        { href: base, label: "Log", current: rest === "" || rest.startsWith("/hotfix/") },
        { href: `${base}/metrics`, label: "Metrics", current: rest === "/metrics" },
        { href: `${base}/export`, label: "Exports", current: rest === "/export" },
      ],
    };
  }

  private notFound(res: ServerResponse, viewer: Viewer): true {
    return this.page(res, 404, "message", { ...viewer.layout, title: "Not found", heading: "Not found", message: "There is no such page or hotfix among the repositories you can read." });
  }

  private signInPage(res: ServerResponse, url: URL, status: number, message?: string): true {
    const returnTo = `${url.pathname}${url.search}`;
    const signInHref = `${this.config.path}/auth/sign-in?return=${encodeURIComponent(returnTo)}`;
    return this.page(res, status, "sign-in", { title: "Sign in", base: this.config.path, signInHref, message });
  }

  private safeReturn(value: string | null): string {
    const base = this.config.path;
    if (!value || value.length > 2048 || value.includes("\\") || value.startsWith("//")) return base;
    return value === base || value.startsWith(`${base}/`) || value.startsWith(`${base}?`) ? value : base;
  }

  private redirectUrl(): string | undefined {
    return this.config.publicUrl ? `${this.config.publicUrl}${this.config.path}/auth/callback` : undefined;
  }

  private signIn(req: IncomingMessage, res: ServerResponse, url: URL): true {
    const nonce = randomId();
    const state = this.#sealer.signState({ nonce, returnTo: this.safeReturn(url.searchParams.get("return")), expiresAt: this.now().getTime() + STATE_TTL_MS });
    const authorizeUrl = this.#github.authorizationUrl(nonce, this.redirectUrl());
    this.setCookies(res, [stringifySetCookie(STATE_COOKIE, state, this.cookieOptions(req, `${this.config.path}/auth`, STATE_TTL_MS / 1000))]);
    return redirect(res, authorizeUrl, 302);
  }

  private async callback(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const state = this.#sealer.verifyState(parseCookie(req.headers.cookie ?? "")[STATE_COOKIE], this.now());
    const clearState = stringifySetCookie(STATE_COOKIE, "", this.cookieOptions(req, `${this.config.path}/auth`, 0));
    const given = url.searchParams.get("state") ?? "";
    const code = url.searchParams.get("code");
    if (!state || !sameString(state.nonce, given)) {
      this.setCookies(res, [clearState]);
      return this.signInPage(res, new URL(this.config.path, url), 400, "The sign-in could not be verified (it took longer than 10 minutes, or did not start here). Sign in again.");
    }
    if (!code) {
      this.setCookies(res, [clearState]);
      return this.signInPage(res, new URL(state.returnTo, url), 403, "GitHub did not sign you in (the authorisation was declined).");
    }
    let token: string;
    try {
      token = await this.#github.exchangeCode(code, this.redirectUrl());
    } catch (error) {
      this.log.warn({ err: error }, "GitHub refused the sign-in code");
      this.setCookies(res, [clearState]);
      return this.signInPage(res, new URL(state.returnTo, url), 400, "GitHub did not accept the sign-in (the code was used or expired). Sign in again.");
    }
    const login = await this.#github.login(token);
    const session: Session = { id: randomId(), login, token, expiresAt: this.now().getTime() + this.config.sessionTtlMs };
    this.setCookies(res, [clearState, stringifySetCookie(SESSION_COOKIE, this.#sealer.sealSession(session), this.cookieOptions(req, this.config.path, Math.floor(this.config.sessionTtlMs / 1000)))]);
    return redirect(res, state.returnTo);
  }

  private async signOut(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const session = this.#sealer.openSession(parseCookie(req.headers.cookie ?? "")[SESSION_COOKIE], this.now());
    const form = await readForm(req);
    if (session && !this.#sealer.checkCsrf(session, form?.get("csrf") ?? undefined)) {
      return send(res, 403, "text/plain; charset=utf-8", "The sign-out form was not sent from this dashboard (CSRF token missing or wrong); nothing was changed.");
    }
    this.setCookies(res, [stringifySetCookie(SESSION_COOKIE, "", this.cookieOptions(req, this.config.path, 0))]);
    if (session) {
      this.#access.forget(session.id);
      try {
        await this.#github.revokeToken(session.token);
      } catch (error) {
        this.log.warn({ err: error }, "could not revoke the user's token at sign-out; it expires on its own");
      }
    }
    return redirect(res, this.config.path);
  }

  private async logPage(res: ServerResponse, url: URL, viewer: Viewer): Promise<boolean> {
    const params = url.searchParams;
    const all = readableRepos(viewer.access);
    const requested = params.get("repo") || undefined;
    const repo = requested ? readableRepo(viewer.access, requested) : undefined;
    const severity = (params.get("severity") ?? "").trim().slice(0, 20) || undefined;
    const verdictParam = params.get("verdict");
    const verdict = AUDIT_VERDICTS.includes(verdictParam as AuditVerdict) ? (verdictParam as AuditVerdict) : undefined;
    const followupsParam = params.get("followups");
    const followups = followupsParam === "open" || followupsParam === "none" ? followupsParam : undefined;
    const query: LogQuery = { ...(repo ? { repo } : {}), ...(severity ? { severity } : {}), ...(verdict ? { verdict } : {}), ...(followups ? { followups } : {}), page: positiveInt(params.get("page"), 1, MAX_PAGE) };
    const repos = requested && !repo ? [] : repo ? [repo] : all;
    const page = await this.reader.list(
      { repos, ...(severity ? { severity } : {}), ...(verdict ? { verdict } : {}), ...(followups ? { openFollowUps: followups === "open" } : {}) },
      { page: query.page, perPage: PER_PAGE },
    );
    const notice =
      requested && !repo
        ? `No repository named ${requested} among those you can read.`
        : all.length === 0
          ? "You cannot read any repository where Hotfix Guard is installed, so the log is empty for you."
          : undefined;
    return this.page(res, 200, "log", { ...viewer.layout, ...logView(this.routes, all, query, page, notice) });
  }

  private async hotfixPage(res: ServerResponse, viewer: Viewer, repoName: string, id: string): Promise<boolean> {
    const repo = readableRepo(viewer.access, repoName);
    if (!repo || !/^[A-Za-z0-9_-]{1,40}$/.test(id)) return this.notFound(res, viewer);
    const detail = await this.reader.get(repo, id);
    if (!detail) return this.notFound(res, viewer);
    const view = hotfixView(visibleDetail(viewer.access, detail), seesAuditDetails(viewer.access, repo), viewer.access.auditTeamsUnchecked);
    return this.page(res, 200, "hotfix", { ...viewer.layout, ...view, title: `${view.id} ${view.brief}` });
  }

  private scope(url: URL, viewer: Viewer): { repo: string | undefined; repos: string[]; all: string[]; months: number } {
    const all = readableRepos(viewer.access);
    const requested = url.searchParams.get("repo") || undefined;
    const repo = requested ? readableRepo(viewer.access, requested) : undefined;
    return { repo, repos: requested && !repo ? [] : repo ? [repo] : all, all, months: monthsParam(url.searchParams.get("months")) };
  }

  private async metricsPage(res: ServerResponse, url: URL, viewer: Viewer): Promise<boolean> {
    const { repo, repos, all, months } = this.scope(url, viewer);
    const metrics = await this.reader.metrics(repos, windowOf(months, this.now()));
    return this.page(res, 200, "metrics", { ...viewer.layout, title: "Metrics", ...metricsView(this.routes, all, repo, months, metrics) });
  }

  private exportsPage(res: ServerResponse, url: URL, viewer: Viewer): true {
    const { repo, all, months } = this.scope(url, viewer);
    return this.page(res, 200, "exports", { ...viewer.layout, title: "Exports", ...exportsView(this.routes, all, repo, months, windowOf(months, this.now())) });
  }

  private async exportFile(res: ServerResponse, url: URL, viewer: Viewer, format: ExportFormat): Promise<boolean> {
    const { repos, months } = this.scope(url, viewer);
    const document = await exportDocument(this.reader, viewer.access, format, repos, windowOf(months, this.now()));
    return send(res, 200, document.contentType, document.body, { "content-disposition": `attachment; filename="${document.filename}"` });
  }
}
