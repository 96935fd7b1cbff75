/**
 * Configuration kept in memory per repository, so that an event costs no configuration request
 * when the file has not changed. A push to the default branch that touches the file drops the
 * entry (a push to an organisation's `.github` repository drops the owner's entries); a short
 * lifetime bounds staleness for `_extends` bases in repositories the app is not installed on.
 */
import type { ConfigResult } from "./load.js";

/** Five minutes: how long an entry may serve without a push telling us it changed. */
const DEFAULT_TTL_MS = 5 * 60_000;

interface Entry {
  readonly result: Promise<ConfigResult>;
  readonly expires: number;
}

/** In-memory configuration cache keyed by `owner/repo`. */
export class ConfigCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly ttlMs = DEFAULT_TTL_MS,
    private readonly clock: () => number = Date.now,
  ) {}

  /** The cached result for the repository, loading it (once, even for concurrent callers) when absent or expired. */
  get(owner: string, repo: string, load: () => Promise<ConfigResult>): Promise<ConfigResult> {
    const key = `${owner}/${repo}`.toLowerCase();
    const entry = this.entries.get(key);
    if (entry && entry.expires > this.clock()) return entry.result;
    const result = load();
    this.entries.set(key, { result, expires: this.clock() + this.ttlMs });
    result.catch(() => {
      if (this.entries.get(key)?.result === result) this.entries.delete(key);
    });
    return result;
  }

  /** Drops one repository's entry, or every entry of the owner when `repo` is omitted. */
  invalidate(owner: string, repo?: string): void {
    const prefix = `${owner}/`.toLowerCase();
    for (const key of this.entries.keys()) {
      if (repo === undefined ? key.startsWith(prefix) : key === `${owner}/${repo}`.toLowerCase()) this.entries.delete(key);
    }
  }
}
