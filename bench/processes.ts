/**
 * The processes of the bench: each system under test started as production starts it (Hotfix
 * Guard: `node lib/main.js` with the deployment's environment; the no-op baseline: Probot's `run`),
 * the mock GitHub and the load generator, each in its own process. A system's resident memory is
 * read from `/proc/<pid>/status` every 100 ms from spawn to exit.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { LoadPlan, LoadResult } from "./load.js";

/** The repository's root. */
export const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** The environment the app runs with in production, here against the mock GitHub at `githubUrl`. */
export function appEnvironment(privateKey: string, webhookSecret: string, githubUrl: string) {
  return { NODE_ENV: "production", APP_ID: "1", PRIVATE_KEY: privateKey, WEBHOOK_SECRET: webhookSecret, GHE_HOST: new URL(githubUrl).host, GHE_PROTOCOL: "http" };
}

/**
 * The Node flags production starts the app with: those `npm start` gives `node` before
 * `lib/main.js` (the Dockerfile's CMD gives the same), so the bench measures the heap limits users run.
 */
export function productionNodeFlags(): string[] {
  const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: { start: string } };
  const words = manifest.scripts.start.trim().split(/\s+/);
  return words.slice(words.indexOf("node") + 1, words.indexOf("lib/main.js"));
}
const TSX = ["--import", "tsx"];

/** A free loopback port. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The resident set size of a process in MiB (VmRSS), NaN when it cannot be read. */
export function rssMiB(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** Linux's clock ticks per second (`getconf CLK_TCK`), the unit of `/proc/<pid>/stat`'s times. */
const CLOCK_TICKS_PER_SECOND = 100;

/**
 * The CPU time a process has used so far (user and system, all its threads) in ms, NaN when it
 * cannot be read. Unlike a rate, it barely depends on what else the machine is running.
 */
export function cpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}

/** RSS samples of one process, every 100 ms. */
export class RssSampler {
  readonly samples: { readonly at: number; readonly mib: number }[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly pid: number) {
    this.timer = setInterval(() => this.sample(), 100);
  }

  /** Takes a sample now; returns it. */
  sample(): number {
    const mib = rssMiB(this.pid);
    if (Number.isFinite(mib)) this.samples.push({ at: performance.now(), mib });
    return mib;
  }

  /** The highest sample since `from` (a `performance.now()` time), NaN when there is none. */
  peak(from = 0): number {
    const taken = this.samples.filter((sample) => sample.at >= from).map((sample) => sample.mib);
    return taken.length === 0 ? Number.NaN : Math.max(...taken);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

/** A system under test, running. */
export interface RunningSystem {
  readonly url: string;
  readonly webhookUrl: string;
  readonly pid: number;
  /** Spawn to the readiness probe's first 200, in ms. */
  readonly readyMs: number;
  /** When it was spawned (`performance.now()`). */
  readonly spawnedAt: number;
  readonly rss: RssSampler;
  output(): string;
  stop(): Promise<void>;
}

/** How to start one system. */
export interface SystemCommand {
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** The path that answers 200 once it can take deliveries. */
  readonly readyPath: string;
  readonly webhookPath: string;
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once("exit", () => resolve())));
}

/** Spawns a system, samples its memory and waits until its readiness probe answers 200. */
export async function startSystem(command: SystemCommand, timeoutMs = 120_000): Promise<RunningSystem> {
  const port = await freePort();
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, command.args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOST: "127.0.0.1", PORT: String(port), LOG_LEVEL: "warn", ...command.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
  child.stderr?.on("data", (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
  const rss = new RssSampler(child.pid as number);
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    rss.stop();
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    const killer = setTimeout(() => child.kill("SIGKILL"), 15_000);
    await exited(child);
    clearTimeout(killer);
  };
  for (const deadline = spawnedAt + timeoutMs; performance.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 20))) {
    if (child.exitCode !== null) break;
    const response = await fetch(`${url}${command.readyPath}`).catch(() => null);
    if (response?.status === 200) {
      await response.arrayBuffer();
      return { url, webhookUrl: `${url}${command.webhookPath}`, pid: child.pid as number, readyMs: performance.now() - spawnedAt, spawnedAt, rss, output: () => output, stop };
    }
    await response?.arrayBuffer();
  }
  await stop();
  throw new Error(`${command.args.join(" ")} did not become ready:\n${output}`);
}

/** Starts a TypeScript module of the bench in a process of its own and returns its first stdout line, parsed. */
export async function startHelper<T>(module: string, args: readonly string[], env: Record<string, string> = {}): Promise<{ value: T; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [...TSX, join(ROOT, "bench", module), ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] });
  const value = await new Promise<T>((resolve, reject) => {
    let buffered = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      buffered += chunk.toString();
      const newline = buffered.indexOf("\n");
      if (newline >= 0) resolve(JSON.parse(buffered.slice(0, newline)) as T);
    });
    child.once("exit", (code) => reject(new Error(`bench/${module} exited with ${code} before answering`)));
  });
  return {
    value,
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited(child);
    },
  };
}

/** Runs the load generator in its own process and returns what it measured. */
export async function runLoad(plan: LoadPlan): Promise<LoadResult> {
  const helper = await startHelper<LoadResult>("load.ts", [JSON.stringify(plan)]);
  await helper.stop();
  return helper.value;
}

/**
 * Whether Hotfix Guard's queue is idle, read from its `/metrics`: no job running and none due
 * (jobs scheduled for later, such as re-checks, do not count).
 */
export async function queueIdle(url: string): Promise<boolean> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const running = Number(/^hotfix_guard_queue_jobs\{status="running"\} (\d+)/m.exec(text)?.[1] ?? Number.NaN);
  const lag = Number(/^hotfix_guard_queue_lag_seconds (\S+)/m.exec(text)?.[1] ?? Number.NaN);
  return running === 0 && lag === 0;
}

/** Waits until the queue is empty; resolves with the seconds it took, or NaN after `timeoutS`. */
export async function waitForDrain(url: string, timeoutS: number): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < timeoutS * 1000) {
    if (await queueIdle(url)) return (performance.now() - started) / 1000;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return Number.NaN;
}
