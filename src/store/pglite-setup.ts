/**
 * How the embedded database (PGlite) is opened light, fast and durable.
 *
 * Light: PostgreSQL's defaults size shared memory for a server (128 MB of shared buffers, 100
 * connections, 4 MB of WAL buffers), and PGlite places all of it inside the WebAssembly memory,
 * whose pages stay resident once touched and which never shrinks. One embedded connection needs
 * far less, so the server is started with {@link PGLITE_SETTINGS}; the WebAssembly module's own
 * minimum (128 MB, which the module declares and PGlite cannot go below) then bounds it.
 *
 * Fast: a fresh data directory would run `initdb`, which PGlite does with a second PostgreSQL
 * instance and the initdb program, three WebAssembly memories alive at once (785–910 MB of RSS
 * and 8 s measured). Instead the data directory of a freshly initialised database, dumped once by
 * `npm run pglite-template` into `assets/`, is unpacked into it: the start is that of an existing
 * directory. The template names the PGlite version it was made with; with another version (or
 * without the file) the directory is initialised the slow way, and the log says so.
 *
 * Durable: PGlite starts PostgreSQL with `fsync` off, and its Node file system answers `fsync` by
 * doing nothing, so a commit is only in the page cache. The server is started with `fsync` on
 * and the file system's `fsync` made a real `fdatasync`: a commit returns once its WAL is on disk,
 * and checkpoints flush the data files as PostgreSQL intends.
 */
import { fdatasyncSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join, normalize } from "node:path";
import { gunzipSync } from "node:zlib";
import { PGlite } from "@electric-sql/pglite";

/** PostgreSQL settings for one embedded connection (each `-c` overrides `postgresql.conf`). */
export const PGLITE_SETTINGS: Readonly<Record<string, string>> = {
  shared_buffers: "16MB",
  wal_buffers: "1MB",
  max_connections: "8",
  work_mem: "2MB",
  maintenance_work_mem: "8MB",
  temp_buffers: "1MB",
  // PGlite's `fdatasync` does nothing whatever the file system; `fsync` reaches {@link honourFsync}.
  wal_sync_method: "fsync",
};

/** PGlite's start parameters without `-F` (fsync off), plus {@link PGLITE_SETTINGS}. */
export function pgliteStartParams(): string[] {
  const settings = Object.entries(PGLITE_SETTINGS).flatMap(([name, value]) => ["-c", `${name}=${value}`]);
  return [...PGlite.defaultStartParams.filter((param) => param !== "-F"), ...settings];
}

/** The installed PGlite's version, which a data directory template must have been made with. */
export function pgliteVersion(): string {
  const entry = createRequire(import.meta.url).resolve("@electric-sql/pglite");
  for (let dir = dirname(entry); dir !== dirname(dir); dir = dirname(dir)) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: string; version?: string };
      if (manifest.name === "@electric-sql/pglite" && manifest.version) return manifest.version;
    } catch {
      // No manifest at this level: look one level up.
    }
  }
  throw new Error("cannot find @electric-sql/pglite's package.json");
}

/** Where the template of a fresh data directory for this PGlite version is (it may not exist). */
export function templatePath(version = pgliteVersion()): string {
  return new URL(`../../assets/pglite-datadir-${version}.tar.gz`, import.meta.url).pathname;
}

/** The template's gzipped tar, or null when there is none for this PGlite version. */
export function readTemplate(): Buffer | null {
  try {
    return readFileSync(templatePath());
  } catch {
    return null;
  }
}

function octal(block: Buffer, start: number, length: number): number {
  const text = block.toString("latin1", start, start + length).replace(/\0.*$/s, "").trim();
  return text === "" ? 0 : Number.parseInt(text, 8);
}

/** Flushes a file or directory to disk, off the event loop's thread. */
async function flush(path: string): Promise<void> {
  const handle = await open(path, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** How many files are flushed at once (libuv's thread pool runs four by default). */
const FLUSHES_AT_ONCE = 16;

/**
 * Unpacks a gzipped tar of a data directory (as PGlite's `dumpDataDir` writes it: directories and
 * regular files) into `dir`, durably: the files are written, then flushed in parallel, then their
 * directories. `PG_VERSION`, by which PGlite recognises an initialised directory, is written and
 * flushed last: a start interrupted while unpacking unpacks again.
 */
export async function unpackDataDir(tarGz: Buffer, dir: string): Promise<void> {
  const tar = gunzipSync(tarGz);
  const directories = new Set([dir]);
  const files: string[] = [];
  let version: Buffer | undefined;
  mkdirSync(dir, { recursive: true });
  for (let offset = 0; offset + 512 <= tar.length; ) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) break;
    const name = header.toString("utf8", 0, 100).replace(/\0.*$/s, "");
    const prefix = header.toString("utf8", 257, 263).startsWith("ustar") ? header.toString("utf8", 345, 500).replace(/\0.*$/s, "") : "";
    const size = octal(header, 124, 12);
    const mode = octal(header, 100, 8) & 0o777;
    const type = String.fromCharCode(header[156] ?? 0);
    const relative = normalize(`${prefix}${prefix ? "/" : ""}${name}`).replace(/^\/+/, "").replace(/\/+$/, "");
    if (relative.startsWith("..")) throw new Error(`the data directory template names a path outside it: ${relative}`);
    const target = join(dir, relative);
    const data = tar.subarray(offset + 512, offset + 512 + size);
    if (type === "5") {
      mkdirSync(target, { recursive: true, mode: mode || 0o700 });
      directories.add(target);
    } else if (type !== "0" && type !== "\0") throw new Error(`the data directory template holds an entry of unsupported type ${JSON.stringify(type)}`);
    else if (relative === "PG_VERSION") version = Buffer.from(data);
    else {
      mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
      directories.add(dirname(target));
      writeFileSync(target, data, { mode: mode || 0o600 });
      if (size > 0) files.push(target);
    }
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  if (!version) throw new Error("the data directory template has no PG_VERSION");
  for (const paths of [files, [...directories]]) {
    for (let start = 0; start < paths.length; start += FLUSHES_AT_ONCE) await Promise.all(paths.slice(start, start + FLUSHES_AT_ONCE).map(flush));
  }
  writeFileSync(join(dir, "PG_VERSION"), version, { mode: 0o600 });
  await flush(join(dir, "PG_VERSION"));
  await flush(dir);
}

/** The Emscripten file system PGlite mounts its Node data directory with (the part used here). */
interface NodeFsModule {
  NODEFS?: { stream_ops?: { fsync?: (stream: { nfd?: number }) => void } };
}

/**
 * Makes PGlite's Node file system honour `fsync` (Emscripten's NODEFS has none, so the call was a
 * no-op): with PostgreSQL's `fsync` on, a commit then returns once its WAL is on disk.
 */
export function honourFsync(db: PGlite): void {
  const ops = (db.Module as NodeFsModule).NODEFS?.stream_ops;
  if (!ops) throw new Error("PGlite's Node file system was not found: cannot make fsync durable");
  ops.fsync = (stream) => {
    if (stream.nfd !== undefined) fdatasyncSync(stream.nfd);
  };
}
