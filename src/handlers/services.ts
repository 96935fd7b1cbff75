/**
 * What every handler shares: the configuration cache, the per-pull-request lock, the clock, the
 * app's identity, and the three steps each handler starts with (a gateway for the event's
 * installation, the event's repository, its configuration) plus the guard against reacting to
 * the app's own actions.
 */
import type { Context } from "probot";
import { ConfigCache } from "../config/cache.js";
import { resolveConfig, unreadableConfig, type ConfigResult } from "../config/load.js";
import { CONFIG_PATH } from "../config/schema.js";
import { ConfigReadError, OctokitGateway, repoRef, type AppIdentity, type GithubGateway, type RepoRef } from "../github/gateway.js";
import type { HotfixRecorder } from "../log/recorder.js";
import { KeyedLock } from "./keyed-lock.js";

/** Durable timed jobs: run `kind` with `payload` at `runAt`, once per `key`. */
export interface Scheduler {
  schedule(kind: string, key: string, payload: unknown, runAt: Date): Promise<boolean>;
}

/** Long-lived state of the app, created once per process. */
export interface Services {
  readonly configs: ConfigCache;
  readonly locks: KeyedLock;
  readonly now: () => Date;
  readonly identity: AppIdentity;
  /** Timed jobs; absent when the app runs without a store (then timed rules wait for the next event). */
  readonly scheduler?: Scheduler;
  /** The hotfix log; absent when the app runs without a store. */
  readonly hotfixLog?: HotfixRecorder;
  /** The app's bot login (`slug[bot]`), learned on first need. */
  ownLogin?: Promise<string>;
}

/** Creates the services with their defaults. */
export function createServices(options: { now?: () => Date; identity?: AppIdentity; scheduler?: Scheduler; locks?: KeyedLock; hotfixLog?: HotfixRecorder } = {}): Services {
  return {
    configs: new ConfigCache(),
    locks: options.locks ?? new KeyedLock(),
    now: options.now ?? (() => new Date()),
    identity: options.identity ?? {},
    ...(options.scheduler ? { scheduler: options.scheduler } : {}),
    ...(options.hotfixLog ? { hotfixLog: options.hotfixLog } : {}),
  };
}

/** The gateway for the event's installation. */
export function gatewayFor(context: Context, services: Services): GithubGateway {
  return new OctokitGateway(context.octokit, services.identity);
}

/** The event's repository. */
export function repoOf(context: Context<"pull_request" | "pull_request_review" | "create" | "push" | "check_run">): RepoRef {
  return repoRef(context.payload.repository.full_name);
}

/** The timed job that evaluates a pull request again (its payload is a `PullRequestRef`). */
export const PULL_REQUEST_RECHECK = "pull-request-recheck";

/** The repository facts of an event every pull request reference starts from. */
export function refOf(context: Context<"pull_request" | "pull_request_review" | "check_run">): {
  repo: RepoRef;
  fullName: string;
  defaultBranch: string;
  installationId?: number;
} {
  const { repository } = context.payload;
  const { installation } = context.payload as { installation?: { id: number } };
  return {
    repo: repoOf(context),
    fullName: repository.full_name,
    defaultBranch: repository.default_branch,
    ...(installation ? { installationId: installation.id } : {}),
  };
}

/** Reads, merges and validates the configuration; an unreadable file becomes a config problem. */
async function fetchConfig(gateway: GithubGateway, repo: RepoRef): Promise<ConfigResult> {
  try {
    return resolveConfig(await gateway.getConfigFiles(repo, CONFIG_PATH));
  } catch (error) {
    if (error instanceof ConfigReadError) return unreadableConfig(error.location, error.reason);
    throw error;
  }
}

/** The repository's configuration, from the cache when it holds it. */
export function configFor(gateway: GithubGateway, repo: RepoRef, services: Services): Promise<ConfigResult> {
  return services.configs.get(repo.owner, repo.repo, () => fetchConfig(gateway, repo));
}

/** Reads the configuration afresh, bypassing and refreshing the cache. */
export function reloadConfig(gateway: GithubGateway, repo: RepoRef, services: Services): Promise<ConfigResult> {
  services.configs.invalidate(repo.owner, repo.repo);
  return configFor(gateway, repo, services);
}

/**
 * The app's bot login (`slug[bot]`): one `GET /app` per process, shared by every handler; a
 * failed lookup is forgotten so the next caller asks again.
 */
export async function ownBotLogin(gateway: GithubGateway, services: Services): Promise<string> {
  services.ownLogin ??= gateway.getAppSlug().then((slug) => `${slug}[bot]`);
  try {
    return await services.ownLogin;
  } catch (error) {
    delete services.ownLogin;
    throw error;
  }
}

/**
 * True when the app itself caused the event (its bot is the sender). Costs one `GET /app` per
 * process, and only once a bot sends an event; human senders cost nothing.
 */
export async function isOwnEvent(context: Context, gateway: GithubGateway, services: Services): Promise<boolean> {
  const sender = (context.payload as { sender?: { login: string; type: string } }).sender;
  if (sender?.type !== "Bot") return false;
  return sender.login === (await ownBotLogin(gateway, services));
}
