/**
 * Runs CLI commands in-process with captured streams, and temporary working directories holding
 * the files a command reads.
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterEach } from "vitest";
import type { CliIo, OutputStream } from "../../src/cli/io.js";

/** A stream that keeps what is written. */
export interface CapturedStream extends OutputStream {
  text: string;
}

function capturedStream(tty: boolean): CapturedStream {
  return {
    text: "",
    isTTY: tty,
    columns: 160,
    write(chunk: string) {
      this.text += chunk;
      return true;
    },
  };
}

/** What a command run captured. */
export interface Captured {
  readonly io: CliIo;
  readonly stdout: CapturedStream;
  readonly stderr: CapturedStream;
}

/** A CLI I/O for `argv`, with captured streams; standard error is a terminal only when `tty`. */
export function captureIo(argv: string[], options: { cwd?: string; env?: Record<string, string>; stdin?: string; tty?: boolean } = {}): Captured {
  const stdout = capturedStream(false);
  const stderr = capturedStream(options.tty ?? false);
  const io: CliIo = { argv, stdout, stderr, env: options.env ?? {}, cwd: options.cwd ?? process.cwd(), readStdin: async () => options.stdin ?? "" };
  return { io, stdout, stderr };
}

const directories: string[] = [];

afterEach(async () => {
  await Promise.all(directories.splice(0).map((directory) => rm(directory, { recursive: true, force: true })));
});

/** A temporary directory holding the given files (path → content), removed after the test. */
export async function workspace(files: Record<string, string> = {}): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), "hotfix-guard-cli-"));
  directories.push(directory);
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(directory, path)), { recursive: true });
    await writeFile(join(directory, path), content);
  }
  return directory;
}

const REPOSITORY_ROOT = resolve(import.meta.dirname, "../..");

/**
 * Runs `src/cli/main.ts` as its own process through the repository's `tsx` (as `npx tsx` does),
 * in `cwd`, and returns its exit code and output.
 */
export function runExecutable(args: string[], cwd: string, stdin?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = execFile(join(REPOSITORY_ROOT, "node_modules/.bin/tsx"), [join(REPOSITORY_ROOT, "src/cli/main.ts"), ...args], { cwd }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : null) : 0;
      if (code === null) fail(error);
      else done({ code, stdout, stderr });
    });
    child.stdin?.end(stdin ?? "");
  });
}
