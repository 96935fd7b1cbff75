/**
 * `npx tsx bench/pglite-memory.ts`: where the embedded store's memory goes. Starts Hotfix Guard
 * (`node lib/main.js`, built first when stale) on a fresh and then on the same, now existing,
 * PGlite data directory, GitHub served by the bench's mock, and reads the process's memory from
 * outside: RSS every 100 ms, and at each step `/proc/<pid>/smaps` split into the WebAssembly
 * memory (its size, which only grows, and its touched pages), the native heap, V8's code and the
 * rest. On the existing directory it sends PGLITE_MEMORY_DELIVERIES (default 2,000) signed 24 KB
 * deliveries over 16 connections, waits until the worker has drained the queue, and reads again:
 * a store that keeps memory shows it as growth between "at rest" and "drained", and still 30 s later.
 * Node flags for the system under test: those of `npm start`, or PGLITE_MEMORY_NODE_OPTIONS instead; extra environment
 * (`NAME=value` pairs, e.g. `MALLOC_ARENA_MAX=2` or an `LD_PRELOAD` allocator): PGLITE_MEMORY_ENV.
 * Nothing is asserted.
 */
import { spawnSync } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { appEnvironment, productionNodeFlags, ROOT, runLoad, startHelper, startSystem, waitForDrain, type RunningSystem } from "./processes.js";

const DELIVERIES = Number(process.env.PGLITE_MEMORY_DELIVERIES ?? 2000);
const NODE_FLAGS = process.env.PGLITE_MEMORY_NODE_OPTIONS === undefined ? productionNodeFlags() : process.env.PGLITE_MEMORY_NODE_OPTIONS.split(" ").filter(Boolean);
const EXTRA_ENV = Object.fromEntries((process.env.PGLITE_MEMORY_ENV ?? "").split(" ").filter(Boolean).map((pair) => [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)]));
/** Makes the system under test print `process.memoryUsage()` on SIGUSR2, to split the anonymous memory. */
const REPORT_ON_SIGNAL = `--import=data:text/javascript,process.on("SIGUSR2",()=>console.error("memoryUsage "+JSON.stringify(process.memoryUsage())))`;
const SECRET = randomBytes(16).toString("hex");
const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs8", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });

/** A process's resident memory by where it lives, in MiB. */
interface MemoryMap {
  readonly rss: number;
  /** The WebAssembly memory's size (what PGlite's heap has grown to) and its resident pages. */
  readonly wasmSize: number;
  readonly wasmResident: number;
  /** malloc's heap and arenas, and V8's heap (anonymous mappings other than the WebAssembly memory). */
  readonly anonymous: number;
  /** Machine code V8 generated (JavaScript and WebAssembly). */
  readonly code: number;
  /** Mapped files: the node binary and shared libraries. */
  readonly files: number;
}

/**
 * Reads `/proc/<pid>/smaps`. PGlite's WebAssembly memory is the one anonymous read-write mapping of
 * at least 128 MiB (the module's declared minimum) that is not V8's or malloc's reservation: V8
 * maps a memory exactly at its current size, so the largest such mapping whose size is a whole
 * number of 64 KiB pages and at least 128 MiB is taken.
 */
function memoryMap(pid: number): MemoryMap {
  const mappings = readFileSync(`/proc/${pid}/smaps`, "utf8").split(/\n(?=[0-9a-f]+-[0-9a-f]+ )/);
  let wasmSize = 0;
  let wasmResident = 0;
  let anonymous = 0;
  let code = 0;
  let files = 0;
  let rss = 0;
  for (const mapping of mappings) {
    const [, perms = "", , , , ...path] = (mapping.split("\n")[0] ?? "").split(/\s+/);
    const sizeKiB = Number(/\nSize:\s+(\d+)/.exec(mapping)?.[1] ?? 0);
    const residentMiB = Number(/\nRss:\s+(\d+)/.exec(mapping)?.[1] ?? 0) / 1024;
    rss += residentMiB;
    const name = path.join(" ");
    if (name !== "" && !name.startsWith("[")) files += residentMiB;
    else if (perms.includes("x")) code += residentMiB;
    else if (name === "" && perms.startsWith("rw") && sizeKiB >= 128 * 1024 && sizeKiB % 64 === 0 && sizeKiB / 1024 > wasmSize) {
      anonymous += wasmResident;
      wasmSize = sizeKiB / 1024;
      wasmResident = residentMiB;
    } else anonymous += residentMiB;
  }
  return { rss, wasmSize, wasmResident, anonymous, code, files };
}

const figure = (value: number) => value.toFixed(0);

/** What the process says of its own memory (V8's heap, buffers), asked by SIGUSR2; in MiB. */
async function memoryUsage(running: RunningSystem): Promise<string> {
  process.kill(running.pid, "SIGUSR2");
  await pause(300);
  const lines = running.output().split("\n").filter((line) => line.startsWith("memoryUsage "));
  const usage = JSON.parse(lines.at(-1)?.slice("memoryUsage ".length) ?? "{}") as Partial<NodeJS.MemoryUsage>;
  const mib = (bytes: number | undefined) => figure((bytes ?? Number.NaN) / 1048576);
  return `V8 heap ${mib(usage.heapUsed)} used of ${mib(usage.heapTotal)}, external ${mib(usage.external)} (WebAssembly memory included), array buffers ${mib(usage.arrayBuffers)}`;
}

async function describe(label: string, running: RunningSystem): Promise<string> {
  const map = memoryMap(running.pid);
  return `${label.padEnd(34)} RSS ${figure(map.rss)} MiB = WebAssembly memory ${figure(map.wasmResident)} resident of ${figure(map.wasmSize)} + anonymous (malloc, V8 heap) ${figure(map.anonymous)} + code ${figure(map.code)} + files ${figure(map.files)}; ${await memoryUsage(running)}`;
}

const build = spawnSync(process.execPath, [join(ROOT, "scripts", "build-if-stale.mjs")], { cwd: ROOT, stdio: "inherit" });
if (build.status !== 0) process.exit(build.status ?? 1);
const mock = await startHelper<{ url: string }>("mock-github.ts", []);
const scratch = mkdtempSync(join(tmpdir(), "hotfix-guard-pglite-memory-"));
const dataDir = join(scratch, "data");
const command = {
  args: [...NODE_FLAGS, REPORT_ON_SIGNAL, join(ROOT, "lib", "main.js")],
  env: { ...appEnvironment(privateKey, SECRET, mock.value.url), DATA_DIR: dataDir, ...EXTRA_ENV },
  readyPath: "/readyz",
  webhookPath: "/api/github/webhooks",
};
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const load = () => `load ${(loadavg()[0] as number).toFixed(1)}`;

async function startMeasured(label: string): Promise<RunningSystem> {
  const running = await startSystem(command);
  console.log(`${label}: ready after ${(running.readyMs / 1000).toFixed(2)} s, RSS peak during start-up ${figure(running.rss.peak())} MiB [${load()}]`);
  await pause(1000);
  console.log(await describe(`${label}, at rest`, running));
  return running;
}

try {
  await (await startMeasured("fresh data directory")).stop();
  const running = await startMeasured("existing data directory");
  try {
    const sent = await runLoad({ mode: "burst", url: running.webhookUrl, secret: SECRET, connections: 16, amount: DELIVERIES });
    console.log(await describe(`after ${sent.acknowledged} deliveries acked`, running));
    const drainS = await waitForDrain(running.url, 600);
    console.log(await describe(`drained after ${figure(drainS)} s`, running));
    await pause(3000);
    console.log(await describe("3 s later", running));
    // V8's memory reducer shrinks an idle heap some seconds after its last full collection.
    await pause(27_000);
    console.log(await describe("30 s later", running));
    console.log(`RSS peak over the run ${figure(running.rss.peak())} MiB [${load()}]`);
  } finally {
    await running.stop();
  }
} finally {
  await mock.stop();
  rmSync(scratch, { recursive: true, force: true });
}
