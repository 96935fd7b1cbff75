/**
 * A map that keeps at most a fixed number of entries, dropping the least recently used first:
 * the bound of every in-memory cache the service keeps per repository, per installation or per
 * pattern, so that its memory does not grow with the number of tenants it has seen.
 */

/** A `Map` bounded to `limit` entries; reading an entry with {@link LruMap.get} marks it used. */
export class LruMap<K, V> {
  /** Entries in order of last use, oldest first (a Map iterates in insertion order). */
  private readonly entries = new Map<K, V>();

  /** @param limit - how many entries are kept (at least one). */
  constructor(private readonly limit: number) {
    this.limit = Math.max(1, limit);
  }

  /** How many entries are kept now. */
  get size(): number {
    return this.entries.size;
  }

  /** The entry, marked as the most recently used; undefined when it is not kept. */
  get(key: K): V | undefined {
    const value = this.entries.get(key);
    if (value === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  /** Stores the entry as the most recently used and drops the least recently used beyond the limit. */
  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.limit) return;
      this.entries.delete(oldest);
    }
  }

  /** Drops the entry; true when it was kept. */
  delete(key: K): boolean {
    return this.entries.delete(key);
  }

  /** The keys, least recently used first, without marking them used. */
  keys(): IterableIterator<K> {
    return this.entries.keys();
  }

  /** The entry without marking it used. */
  peek(key: K): V | undefined {
    return this.entries.get(key);
  }
}
