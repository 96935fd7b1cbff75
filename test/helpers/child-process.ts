/**
 * Child processes for tests that need a real process boundary (kill -9, SIGTERM, two processes on
 * one data directory): TypeScript entry points run through tsx, their output collected, and a
 * wait for a line they print.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";

/** A running child with its output so far. */
export interface Child {
  readonly process: ChildProcess;
  readonly pid: number;
  /** Everything it wrote to stdout and stderr. */
  output(): string;
  /** Resolves with the first line matching `pattern` (rejects when the child exits first, or after `timeoutMs`). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves with the exit code (or signal) once it exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs a TypeScript file with tsx, in `cwd`, with `env` added to this process's environment. */
export function spawnTs(file: string, env: Record<string, string>, cwd = process.cwd()): Child {
  // tsx resolved from here, so a child running in a scratch directory finds it too.
  const child = spawn(process.execPath, ["--import", import.meta.resolve("tsx"), file], { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let text = "";
  child.stdout?.on("data", (chunk: Buffer) => (text += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (text += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  let done = false;
  void exited.then(() => (done = true));
  return {
    process: child,
    pid: child.pid ?? 0,
    output: () => text,
    exited,
    async waitFor(pattern, timeoutMs = 120_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const line = text.split("\n").find((candidate) => pattern.test(candidate));
        if (line !== undefined) return line;
        if (done) throw new Error(`the child exited before printing ${pattern}:\n${text}`);
        if (Date.now() > deadline) throw new Error(`the child did not print ${pattern} in time:\n${text}`);
        await sleep(50);
      }
    },
  };
}
