/**
 * How the embedded database (PGlite) is opened light, fast and durable.
 *
 * Light: PostgreSQL's defaults size shared memory for a server (128 MB of shared buffers, 100
 * connections, 4 MB of WAL buffers), and PGlite places all of it inside the WebAssembly memory,
 * whose pages stay resident once touched and which never shrinks. One embedded connection needs
 * far less, so the server is started with {@link PGLITE_SETTINGS}; the WebAssembly module's own
 * minimum (128 MB, which the module declares and PGlite cannot go below) then bounds it: measured
 * by `bench/pglite-memory.ts`, about 30 MB of it is ever touched, and it does not grow past the
 * minimum after thousands of 24 KB deliveries. More memory goes to compiling PostgreSQL's 9 MB
 * WebAssembly: V8 compiles each function when first called, then recompiles the hot ones with its
 * optimising compiler in as many background tasks as there are cores, and what those tasks
 * allocate stays in malloc's heap (40–50 MB more after the migrations of a fresh directory). With
 * one task ({@link compileWasmInOneTask}) it stays 20–50 MB lower, for the same CPU time.
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
import { closeSync, createReadStream, existsSync, fdatasyncSync, mkdirSync, openSync, readFileSync, writeFileSync, writeSync } from "node:fs";
import { open } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join, normalize } from "node:path";
import type { Readable } from "node:stream";
import { setFlagsFromString } from "node:v8";
import { createGunzip } from "node:zlib";
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

/**
 * Makes V8 optimise WebAssembly in one background task rather than one per core, before PGlite's
 * module is compiled. The flag is read when a compilation starts, so setting it at run time takes
 * effect for PGlite; the app runs no other large WebAssembly.
 */
export function compileWasmInOneTask(): void {
  setFlagsFromString("--wasm-num-compilation-tasks=1");
}

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

/** The template's gzipped tar as a stream, or null when there is none for this PGlite version. */
export function templateStream(): Readable | null {
  const path = templatePath();
  return existsSync(path) ? createReadStream(path) : null;
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

/** One entry of a tar archive, from its 512-byte header. */
interface TarEntry {
  /** The path inside the archive, relative, without a trailing slash. */
  readonly path: string;
  readonly size: number;
  readonly mode: number;
  /** "5" a directory, "0" (or NUL) a regular file; nothing else is expected in a data directory. */
  readonly type: string;
}

function tarEntry(header: Buffer): TarEntry {
  const name = header.toString("utf8", 0, 100).replace(/\0.*$/s, "");
  const prefix = header.toString("utf8", 257, 263).startsWith("ustar") ? header.toString("utf8", 345, 500).replace(/\0.*$/s, "") : "";
  const path = normalize(`${prefix}${prefix ? "/" : ""}${name}`).replace(/^\/+/, "").replace(/\/+$/, "");
  if (path.startsWith("..")) throw new Error(`the data directory template names a path outside it: ${path}`);
  return { path, size: octal(header, 124, 12), mode: octal(header, 100, 8) & 0o777, type: String.fromCharCode(header[156] ?? 0) };
}

/** Reads a stream of bytes in pieces of exact sizes, handing on what it reads chunk by chunk. */
class ByteReader {
  private pending: Buffer = Buffer.alloc(0);
  constructor(private readonly source: AsyncIterator<Buffer>) {}

  /** Whether the stream has ended with no byte left to read. */
  async atEnd(): Promise<boolean> {
    while (this.pending.length === 0) {
      const next = await this.source.next();
      if (next.done) return true;
      this.pending = next.value;
    }
    return false;
  }

  /** Hands the next `count` bytes to `sink`, a chunk at a time. */
  async pass(count: number, sink: (bytes: Buffer) => void): Promise<void> {
    for (let left = count; left > 0; ) {
      if (await this.atEnd()) throw new Error("the data directory template ends in the middle of an entry");
      const bytes = this.pending.subarray(0, left);
      this.pending = this.pending.subarray(bytes.length);
      left -= bytes.length;
      sink(bytes);
    }
  }

  /** The next `count` bytes. */
  async read(count: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    await this.pass(count, (bytes) => parts.push(bytes));
    return Buffer.concat(parts);
  }
}

/**
 * Unpacks a gzipped tar of a data directory (as PGlite's `dumpDataDir` writes it: directories and
 * regular files) from the stream `tarGz` into `dir`, durably: the files are written, then flushed
 * in parallel, then their directories. `PG_VERSION`, by which PGlite recognises an initialised
 * directory, is written and flushed last: a start interrupted while unpacking unpacks again. Each
 * file is written as its bytes arrive, so memory holds a chunk of the archive, never the whole
 * unpacked tar (39 MB, which stayed in the process's resident memory).
 */
export async function unpackDataDir(tarGz: Readable, dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const tar = createGunzip();
  tarGz.once("error", (error) => tar.destroy(error));
  let unpacked: Unpacked;
  try {
    unpacked = await writeEntries(new ByteReader(tarGz.pipe(tar)[Symbol.asyncIterator]()), dir);
  } finally {
    tarGz.destroy();
  }
  const { files, directories, version } = unpacked;
  for (const paths of [files, [...directories]]) {
    for (let start = 0; start < paths.length; start += FLUSHES_AT_ONCE) await Promise.all(paths.slice(start, start + FLUSHES_AT_ONCE).map(flush));
  }
  writeFileSync(join(dir, "PG_VERSION"), version.bytes, { mode: version.mode });
  await flush(join(dir, "PG_VERSION"));
  await flush(dir);
}

/** What {@link writeEntries} wrote, to be flushed, and `PG_VERSION`, held back to be written last. */
interface Unpacked {
  readonly files: readonly string[];
  readonly directories: ReadonlySet<string>;
  readonly version: { readonly bytes: Buffer; readonly mode: number };
}

/** Writes the tar's entries under `dir`, each file as its bytes arrive, except `PG_VERSION`. */
async function writeEntries(reader: ByteReader, dir: string): Promise<Unpacked> {
  const directories = new Set([dir]);
  const files: string[] = [];
  let version: Unpacked["version"] | undefined;
  while (!(await reader.atEnd())) {
    const header = await reader.read(512);
    if (header.every((byte) => byte === 0)) break;
    const entry = tarEntry(header);
    const target = join(dir, entry.path);
    if (entry.type === "5") {
      mkdirSync(target, { recursive: true, mode: entry.mode || 0o700 });
      directories.add(target);
    } else if (entry.type !== "0" && entry.type !== "\0") throw new Error(`the data directory template holds an entry of unsupported type ${JSON.stringify(entry.type)}`);
    else if (entry.path === "PG_VERSION") version = { bytes: await reader.read(entry.size), mode: entry.mode || 0o600 };
    else {
      mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
      directories.add(dirname(target));
      const fd = openSync(target, "w", entry.mode || 0o600);
      try {
        await reader.pass(entry.size, (bytes) => writeSync(fd, bytes));
      } finally {
        closeSync(fd);
      }
      if (entry.size > 0) files.push(target);
    }
    await reader.pass(Math.ceil(entry.size / 512) * 512 - entry.size, () => undefined);
  }
  if (!version) throw new Error("the data directory template has no PG_VERSION");
  return { files, directories, version };
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
