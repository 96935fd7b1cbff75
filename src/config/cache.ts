/**
 * Configuration kept in memory per repository, so that an event costs no configuration request
 * when the file has not changed. A push to the default branch that touches the file drops the
 * entry (a push to an organisation's `.github` repository drops the owner's entries); a short
 * lifetime bounds staleness for `_extends` bases in repositories the app is not installed on.
 * The cache holds at most a fixed number of repositories, the least recently used dropped first,
 * so an app installed on many repositories keeps a bounded amount of memory; a dropped
 * repository's configuration is simply read again on its next event.
 */
import type { ConfigResult } from "./load.js";
import { LruMap } from "../lru.js";

/** Five minutes: how long an entry may serve without a push telling us it changed. */
const DEFAULT_TTL_MS = 5 * 60_000;
/** How many repositories' configurations are kept, by default. */
export const DEFAULT_MAX_REPOSITORIES = 2_000;

interface Entry {
  readonly result: Promise<ConfigResult>;
  readonly expires: number;
}

/** Options of {@link ConfigCache}. */
export interface ConfigCacheOptions {
  /** How long an entry serves (ms); five minutes by default. */
  readonly ttlMs?: number;
  /** How many repositories are kept; {@link DEFAULT_MAX_REPOSITORIES} by default. */
  readonly maxRepositories?: number;
  /** The clock, for tests. */
  readonly clock?: () => number;
}

/** In-memory configuration cache keyed by `owner/repo`, the least recently used dropped first beyond its bound. */
export class ConfigCache {
  private readonly entries: LruMap<string, Entry>;
  private readonly ttlMs: number;
  private readonly clock: () => number;

  constructor(options: ConfigCacheOptions = {}) {
    this.entries = new LruMap(options.maxRepositories ?? DEFAULT_MAX_REPOSITORIES);
    this.ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
    this.clock = options.clock ?? Date.now;
  }

  /** How many repositories are cached now. */
  get size(): number {
    return this.entries.size;
  }

  /** The cached result for the repository, loading it (once, even for concurrent callers) when absent or expired. */
  get(owner: string, repo: string, load: () => Promise<ConfigResult>): Promise<ConfigResult> {
    const key = `${owner}/${repo}`.toLowerCase();
    const entry = this.entries.get(key);
    if (entry && entry.expires > this.clock()) return entry.result;
    const result = load();
    this.entries.set(key, { result, expires: this.clock() + this.ttlMs });
    result.catch(() => {
      if (this.entries.peek(key)?.result === result) this.entries.delete(key);
    });
    return result;
  }

  /** Drops one repository's entry, or every entry of the owner when `repo` is omitted. */
  invalidate(owner: string, repo?: string): void {
    const prefix = `${owner}/`.toLowerCase();
    for (const key of [...this.entries.keys()]) {
      if (repo === undefined ? key.startsWith(prefix) : key === `${owner}/${repo}`.toLowerCase()) this.entries.delete(key);
    }
  }
}
