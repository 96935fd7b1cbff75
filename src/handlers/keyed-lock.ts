/**
 * Runs work for the same key one at a time. Two events for one pull request arriving together
 * (opened and labeled, or a duplicate delivery) would otherwise both find no check run and both
 * create one, or an older reading could be written after a newer one; in sequence, the second
 * finds the first's result. Within a process a promise chain orders the work; across replicas
 * an optional shared lock (the database's advisory lock) is taken around it too.
 */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<unknown>>();

  /** @param shared - a lock every replica respects, taken inside the process-local one. */
  constructor(private readonly shared?: <T>(key: string, work: () => Promise<T>) => Promise<T>) {}

  /** Runs `work` after every earlier `run` with the same key has settled. */
  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const { shared } = this;
    const current = previous.catch(() => undefined).then(() => (shared ? shared(key, work) : work()));
    this.tails.set(key, current);
    try {
      return await current;
    } finally {
      if (this.tails.get(key) === current) this.tails.delete(key);
    }
  }
}
