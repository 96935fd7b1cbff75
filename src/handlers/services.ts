/**
 * What every handler shares: the configuration cache, the per-pull-request lock, the clock, the
 * app's identity, and the three steps each handler starts with (a gateway for the event's
 * installation, the event's repository, its configuration) plus the guard against reacting to
 * the app's own actions.
 */
import type { Context } from "probot";
import { ConfigCache } from "../config/cache.js";
import { resolveConfig, unusableConfig, type ConfigResult } from "../config/load.js";
import { CONFIG_PATH } from "../config/schema.js";
import { ConfigReadError, OctokitGateway, repoRef, type AppIdentity, type GithubGateway, type RepoRef } from "../github/gateway.js";
import { InstallationDirectory } from "../github/installation.js";
import { missingPermissions } from "../rules/permissions.js";
import type { HotfixRecorder } from "../log/recorder.js";
import type { Notify } from "../notify/events.js";
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
  /** The account of each installation, one lookup per installation per process. */
  readonly installations: InstallationDirectory;
  /** Notifications (src/notify): schedules the messages of one moment; absent when the app runs without a store. */
  readonly notify?: Notify;
}

/** Creates the services with their defaults. */
export function createServices(options: { now?: () => Date; identity?: AppIdentity; scheduler?: Scheduler; locks?: KeyedLock; hotfixLog?: HotfixRecorder; notify?: Notify } = {}): Services {
  return {
    configs: new ConfigCache(),
    locks: options.locks ?? new KeyedLock(),
    now: options.now ?? (() => new Date()),
    identity: options.identity ?? {},
    installations: new InstallationDirectory(),
    ...(options.scheduler ? { scheduler: options.scheduler } : {}),
    ...(options.hotfixLog ? { hotfixLog: options.hotfixLog } : {}),
    ...(options.notify ? { notify: options.notify } : {}),
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

/**
 * Reads, merges and validates the configuration; an unusable file becomes a config problem, a
 * failed read (`ConfigFetchError`) is thrown so the job fails and the cache keeps nothing.
 */
async function fetchConfig(gateway: GithubGateway, repo: RepoRef): Promise<ConfigResult> {
  try {
    return resolveConfig(await gateway.getConfigFiles(repo, CONFIG_PATH), repo.owner);
  } catch (error) {
    if (error instanceof ConfigReadError) return unusableConfig(error.problem);
    throw error;
  }
}

/**
 * The repository's configuration, from the cache when it holds it, with the features the
 * installation's permissions switch off (read from its token, no request) in `policy.source`.
 */
export async function configFor(gateway: GithubGateway, repo: RepoRef, services: Services): Promise<ConfigResult> {
  const result = await services.configs.get(repo.owner, repo.repo, () => fetchConfig(gateway, repo));
  if (!result.ok) return result;
  const granted = await gateway.getGrantedPermissions();
  if (granted === null) return result;
  const { policy } = result;
  return { ok: true, policy: { ...policy, source: { ...policy.source, missingPermissions: missingPermissions(policy.config, granted) } } };
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
 * True when the delivery names a repository that its installation does not own: such a delivery
 * is refused (logged as an error, nothing read or written for it), so one tenant's installation
 * never acts on another tenant's repository. The installation's account costs one
 * `GET /app/installations/{id}` per installation per process; the repository's owner comes from
 * the payload.
 */
export async function isForeignDelivery(context: Context, services: Services): Promise<boolean> {
  const { installation, repository } = context.payload as { installation?: { id: number }; repository?: { owner: { login: string; id: number } } };
  if (!installation || !repository) return false;
  const { appOctokit } = services.identity;
  if (!appOctokit) throw new Error("cannot tell which account the delivery's installation belongs to without the app's own credentials");
  const { account } = await services.installations.get(installation.id, appOctokit);
  const { owner } = repository;
  if (account.id === owner.id || account.login.toLowerCase() === owner.login.toLowerCase()) return false;
  context.log.error(
    { installation: installation.id, installationAccount: account.login, repositoryOwner: owner.login },
    "delivery refused: its installation belongs to another account than the repository it names",
  );
  return true;
}

/**
 * True when the handler must not react: the delivery is foreign ({@link isForeignDelivery},
 * refused and logged), or the app itself caused the event (its bot is the sender). The latter
 * costs one `GET /app` per process, and only once a bot sends an event; human senders cost nothing.
 */
export async function isOwnEvent(context: Context, gateway: GithubGateway, services: Services): Promise<boolean> {
  if (await isForeignDelivery(context, services)) return true;
  const sender = (context.payload as { sender?: { login: string; type: string } }).sender;
  if (sender?.type !== "Bot") return false;
  return sender.login === (await ownBotLogin(gateway, services));
}
