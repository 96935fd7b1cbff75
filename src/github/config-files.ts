/**
 * Reading the configuration files from GitHub: the repository's `.github/hotfix-guard.yml`, the
 * organisation's `.github` fallback and the `_extends` bases, from default branches.
 *
 * A failed read is never "no file". `@probot/octokit-plugin-config` takes any 404 for a missing
 * file, so a token or installation problem (the repository not visible to the installation)
 * became the default policy, cached for five minutes. Here only a 404 for the path, in a
 * repository the same token can see, means the file is absent. The token request itself failing
 * (401) never reaches a path. When the repository's own file answers 404, the repository is known
 * to be visible without asking when the installation's token covers all of the account's
 * repositories (`repository_selection: all`, given with the token, no request) — the handlers'
 * guard has checked that the account owns the repository; otherwise (selected repositories, or
 * the command line's own token) one `GET /repos/{owner}/{repo}` with the same token tells a
 * missing file (200) from a repository the installation cannot read (404). That costs at most
 * one request per cold cache entry of a repository without its own file, and nothing when the
 * file exists. The organisation fallback's 404 (no `.github` repository, or no file in it) means
 * no organisation policy: the token was just proven on the repository. Any other failure (401,
 * 403, 5xx, a failed token request) is a {@link ConfigFetchError}: the job fails and is retried,
 * and the cache keeps nothing.
 *
 * A file that is read but cannot be used is a {@link ConfigReadError} carrying the problem the
 * check run shows: larger than {@link CONFIG_SIZE_LIMIT} (refused from the `size` the contents API
 * gives, before decoding), a YAML error, a bad, circular, cross-owner or too long `_extends`.
 */
import type { ProbotOctokit } from "probot";
import type { ConfigFile, ConfigProblem } from "../config/load.js";
import { CONFIG_SIZE_LIMIT, parseConfigText, tooLargeProblem } from "../config/parse.js";

/** The most `_extends` bases followed from one configuration file. */
export const EXTENDS_LIMIT = 5;
/** The environment variable that lets `_extends` name another owner's repository: `true`, or a comma-separated list of owners. */
export const CROSS_OWNER_EXTENDS_ENV = "HOTFIX_GUARD_ALLOW_CROSS_OWNER_EXTENDS";
/** Longest `_extends` value considered (`owner/repo:path`). */
const EXTENDS_MAX_LENGTH = 300;
const OWNER = /^[a-z\d](?:[a-z\d]|-(?=[a-z\d])){0,38}$/i;
const REPO = /^[-_.a-z\d]{1,100}$/i;
const PATH = /^[-_./a-z\d]{1,200}\.ya?ml$/i;

/** Which owners an `_extends` may name besides the repository's own: all, or a list (lower-cased). */
export type CrossOwnerExtends = true | readonly string[];

/** How configuration files are read. */
export interface ReadOptions {
  /** Owners other than the repository's that `_extends` may name (the operator's choice). */
  readonly crossOwner: CrossOwnerExtends;
  /** Whether the token sees every repository of the account, so a repository it names is visible without asking. */
  readonly seesAllRepositories: () => Promise<boolean>;
}

/**
 * The operator's choice from the environment: {@link CROSS_OWNER_EXTENDS_ENV} `true` allows every
 * owner, a comma-separated list allows those owners; unset or anything else allows none.
 */
export function crossOwnerExtendsFrom(env: Readonly<Record<string, string | undefined>>): CrossOwnerExtends {
  const value = env[CROSS_OWNER_EXTENDS_ENV]?.trim() ?? "";
  if (value.toLowerCase() === "true") return true;
  return value
    .split(",")
    .map((owner) => owner.trim().toLowerCase())
    .filter((owner) => owner !== "" && owner !== "false");
}

/** The configuration could not be fetched (token, permission, repository visibility, GitHub error): not a missing file. */
export class ConfigFetchError extends Error {
  constructor(
    /** `owner/repo:path` that was being read. */
    readonly location: string,
    /** The HTTP status, when GitHub answered. */
    readonly status: number | undefined,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`cannot read the configuration ${location}: ${reason}`, options);
    this.name = "ConfigFetchError";
  }
}

/** A configuration file was read but cannot be used; `problem` is what the check run shows. */
export class ConfigReadError extends Error {
  constructor(readonly problem: ConfigProblem) {
    super(`${problem.file}: ${problem.found}`);
    this.name = "ConfigReadError";
  }
}

interface FileRef {
  readonly owner: string;
  readonly repo: string;
  readonly path: string;
}

/** A file that was read and parsed. */
interface Read {
  readonly config: unknown;
}

function locationOf(ref: FileRef): string {
  return `${ref.owner}/${ref.repo}:${ref.path}`;
}

function statusOf(error: unknown): number | undefined {
  return typeof error === "object" && error !== null ? (error as { status?: number }).status : undefined;
}

function fetchError(ref: FileRef, error: unknown): ConfigFetchError {
  const status = statusOf(error);
  const reason = status === undefined ? `the request failed (${(error as Error).message})` : `GitHub answered HTTP ${status}`;
  return new ConfigFetchError(locationOf(ref), status, reason, { cause: error });
}

/** Reads and parses one file; a 404 is returned as not found, any other failure is thrown. */
async function readOne(octokit: ProbotOctokit, ref: FileRef): Promise<Read | "not-found"> {
  let data: unknown;
  try {
    ({ data } = await octokit.rest.repos.getContent({ owner: ref.owner, repo: ref.repo, path: ref.path }));
  } catch (error) {
    if (statusOf(error) === 404) return "not-found";
    throw fetchError(ref, error);
  }
  const location = locationOf(ref);
  const file = data as { type?: string; size?: number; content?: string; encoding?: string };
  if (Array.isArray(data) || file.type !== "file") {
    throw new ConfigReadError({ file: location, path: "(file)", expected: "a file", found: Array.isArray(data) ? "a directory" : `a ${file.type ?? "non-file"}` });
  }
  const size = file.size ?? 0;
  if (size > CONFIG_SIZE_LIMIT || file.encoding !== "base64") throw new ConfigReadError(tooLargeProblem(location, size));
  const parsed = parseConfigText(Buffer.from(file.content ?? "", "base64").toString("utf8"), location);
  if (!parsed.ok) throw new ConfigReadError(parsed.problem);
  return { config: parsed.config };
}

/** Whether the token sees the repository: true on 200, false on 404, thrown otherwise. */
async function repositoryVisible(octokit: ProbotOctokit, ref: FileRef): Promise<boolean> {
  try {
    await octokit.rest.repos.get({ owner: ref.owner, repo: ref.repo });
    return true;
  } catch (error) {
    if (statusOf(error) === 404) return false;
    throw fetchError(ref, error);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function extendsProblem(from: string, expected: string, found: string): ConfigReadError {
  return new ConfigReadError({ file: from, path: "_extends", expected, found });
}

/** The file an `_extends` value names (`repo`, `owner/repo`, `repo:path`, `owner/repo:path`). */
function extendsTarget(value: unknown, from: FileRef, path: string): FileRef {
  const expected = "`repo`, `owner/repo` or `owner/repo:path.yml`";
  if (typeof value !== "string" || value.length > EXTENDS_MAX_LENGTH) {
    throw extendsProblem(locationOf(from), expected, typeof value === "string" ? `a value of ${value.length} characters` : JSON.stringify(value) ?? String(value));
  }
  const colon = value.indexOf(":");
  const repoPart = colon < 0 ? value : value.slice(0, colon);
  const filePath = colon < 0 ? path : value.slice(colon + 1);
  const slash = repoPart.indexOf("/");
  const owner = slash < 0 ? from.owner : repoPart.slice(0, slash);
  const repo = slash < 0 ? repoPart : repoPart.slice(slash + 1);
  if (!OWNER.test(owner) || !REPO.test(repo) || !PATH.test(filePath)) throw extendsProblem(locationOf(from), expected, JSON.stringify(value));
  return { owner, repo, path: filePath };
}

function allowedOwner(target: string, home: string, allowed: CrossOwnerExtends): boolean {
  const owner = target.toLowerCase();
  return owner === home.toLowerCase() || allowed === true || allowed.includes(owner);
}

/** A file's own settings and the `_extends` value it names, if any. */
function withoutExtends(config: unknown): { config: unknown; base: unknown } {
  if (!isPlainObject(config) || !("_extends" in config)) return { config, base: undefined };
  const { _extends: base, ...own } = config;
  return { config: own, base };
}

/**
 * Reads the configuration files of a repository, in precedence order: its own file (or, when it
 * has none, the organisation's `.github` repository's), then each `_extends` base; then, when the
 * organisation's file is not among them, that file for its `floor:` alone (`floorOnly`). A
 * failed read of the floor is a failed read like any other, never "no floor"; a 404 (no
 * `.github` repository, or no file in it) is no floor, the token having just been proven.
 * @throws {ConfigFetchError} when a read failed; the caller must not take it for defaults.
 * @throws {ConfigReadError} when a file cannot be used; its problem belongs in the check run.
 */
export async function readConfigFiles(octokit: ProbotOctokit, repository: { owner: string; repo: string }, path: string, options: ReadOptions): Promise<ConfigFile[]> {
  const files = await readChain(octokit, repository, path, options);
  if (files.some((file) => file.organisation) || repository.repo.toLowerCase() === ".github") return files;
  const floor = await readOrganisationFloor(octokit, repository.owner, path);
  return floor ? [...files, floor] : files;
}

/**
 * The organisation's `.github` configuration file read for its `floor:` alone (`floorOnly`), or
 * null when there is none (404). Any other failure is thrown, as for every configuration read.
 */
export async function readOrganisationFloor(octokit: ProbotOctokit, owner: string, path: string): Promise<ConfigFile | null> {
  const organisation: FileRef = { owner, repo: ".github", path };
  const read = await readOne(octokit, organisation);
  if (read === "not-found") return null;
  return { location: locationOf(organisation), config: withoutExtends(read.config).config, organisation: true, floorOnly: true };
}

/** The files whose settings apply: the repository's own (or the organisation fallback), then its `_extends` bases. */
async function readChain(octokit: ProbotOctokit, repository: { owner: string; repo: string }, path: string, options: ReadOptions): Promise<ConfigFile[]> {
  const own: FileRef = { ...repository, path };
  const isOrganisationFile = (ref: FileRef) => ref.owner.toLowerCase() === own.owner.toLowerCase() && ref.repo.toLowerCase() === ".github" && ref.path === path;
  const files: ConfigFile[] = [];
  let current = own;
  let read = await readOne(octokit, own);
  if (read === "not-found") {
    if (!(await options.seesAllRepositories()) && !(await repositoryVisible(octokit, own))) {
      throw new ConfigFetchError(locationOf(own), 404, "the repository is not visible to the app's installation (removed from it, renamed, or the wrong installation)");
    }
    files.push({ location: locationOf(own), config: null, ...(isOrganisationFile(own) ? { organisation: true } : {}) });
    if (own.repo === ".github") return files;
    current = { owner: own.owner, repo: ".github", path };
    read = await readOne(octokit, current);
    if (read === "not-found") return [...files, { location: locationOf(current), config: null, organisation: true }];
  }
  const seen = new Set<string>();
  for (let bases = 0; ; bases += 1) {
    seen.add(locationOf(current).toLowerCase());
    const { config, base } = withoutExtends(read.config);
    files.push({ location: locationOf(current), config, ...(isOrganisationFile(current) ? { organisation: true } : {}) });
    if (base === undefined) return files;
    const from = locationOf(current);
    const target = extendsTarget(base, current, path);
    if (!allowedOwner(target.owner, own.owner, options.crossOwner)) {
      throw extendsProblem(
        from,
        `a repository of \`${own.owner}\`: \`_extends\` across owners is refused unless the app's operator allows that owner (${CROSS_OWNER_EXTENDS_ENV})`,
        `\`${locationOf(target)}\`, a repository of \`${target.owner}\``,
      );
    }
    if (seen.has(locationOf(target).toLowerCase())) throw extendsProblem(from, "a chain of bases that ends", `\`${locationOf(target)}\`, which was already read: a cycle`);
    if (bases >= EXTENDS_LIMIT) throw extendsProblem(from, `at most ${EXTENDS_LIMIT} bases in a chain of \`_extends\``, `a further base, \`${locationOf(target)}\``);
    const next = await readOne(octokit, target);
    if (next === "not-found") {
      throw extendsProblem(from, "a base that exists and the app's installation can read", `\`${locationOf(target)}\`, which is missing or not visible to the app`);
    }
    current = target;
    read = next;
  }
}
