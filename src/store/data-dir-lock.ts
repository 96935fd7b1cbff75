/**
 * The embedded database belongs to one process: two PGlite instances on one data directory
 * each believe they own it, and the second silently loses what the first writes (measured: 20 of
 * 30 acknowledged deliveries lost). Opening the directory therefore takes a lock file created
 * with `O_EXCL` holding the owner's pid; a lock whose pid no longer runs (the owner was killed) is
 * stale and taken over, and the lock is released when the database closes or the process exits.
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { join, resolve } from "node:path";

/** The lock file's name inside the data directory. */
export const LOCK_FILE = "hotfix-guard.lock";

/** The data directory is held by another live process. */
export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holderPid: number,
  ) {
    super(
      `The data directory ${dataDir} is in use by process ${holderPid}. Only one process may use an embedded database: ` +
        `stop that process, give this one another DATA_DIR, or set DATABASE_URL so that several processes share a PostgreSQL server.`,
    );
    this.name = "DataDirLockedError";
  }
}

/** Directories this process holds, so a second open in the same process is refused too. */
const held = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function readHolder(file: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(file, "utf8"), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function removeIfOurs(file: string): void {
  try {
    if (readHolder(file) === process.pid) unlinkSync(file);
  } catch {
    // Already gone: nothing to release.
  }
}

/**
 * Takes the data directory's lock for this process; throws {@link DataDirLockedError} naming the
 * directory and the holder's pid when a live process holds it. Returns the release function.
 */
export function lockDataDir(dataDir: string): () => void {
  const dir = resolve(dataDir);
  const file = join(dir, LOCK_FILE);
  for (let attempt = 0; ; attempt += 1) {
    try {
      const fd = openSync(file, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = readHolder(file);
      // The same pid without an in-process hold is a previous life of this process (a container's pid 1 restarted).
      const live = holder !== null && (holder === process.pid ? held.has(dir) : alive(holder));
      if (live || attempt > 2) throw new DataDirLockedError(dir, holder ?? 0);
      try {
        unlinkSync(file);
      } catch {
        // Another process removed the stale lock first; the next attempt finds out who holds it now.
      }
    }
  }
  held.add(dir);
  const onExit = () => removeIfOurs(file);
  process.once("exit", onExit);
  return () => {
    held.delete(dir);
    process.removeListener("exit", onExit);
    removeIfOurs(file);
  };
}
