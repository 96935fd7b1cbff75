/**
 * What `hotfix-guard check` reads from the git checkout it runs in: the latest `vX.Y.Z` tag,
 * so that the version in a branch name is compared with it without `--latest-tag`. Git runs
 * through `execFile` with fixed arguments (no shell), and every way it can fail is an answer the
 * command prints, never an exception.
 */
import { execFile } from "node:child_process";
import semver from "semver";

/** The release tag looked up in the checkout. */
export type LocalTag =
  | { readonly kind: "found"; readonly tag: string }
  | { readonly kind: "none" }
  | { readonly kind: "not-a-checkout"; readonly reason: string };

const VERSION_TAG = /^v\d{1,9}\.\d{1,9}\.\d{1,9}$/;
/** Git's answers are small; a checkout with more tag output than this is cut, not buffered without bound. */
const MAX_OUTPUT = 8 * 1024 * 1024;

function git(args: readonly string[], cwd: string): Promise<string> {
  return new Promise((done, fail) => {
    execFile("git", args, { cwd, maxBuffer: MAX_OUTPUT, windowsHide: true, env: { ...process.env, GIT_TERMINAL_PROMPT: "0" } }, (error, stdout) => {
      if (error) fail(error);
      else done(stdout);
    });
  });
}

/** The highest `vX.Y.Z` among tag names, or null. */
export function highestVersionTag(tags: readonly string[]): string | null {
  return tags.filter((tag) => VERSION_TAG.test(tag)).reduce<string | null>((best, tag) => (best === null || semver.gt(tag, best) ? tag : best), null);
}

/** Reads the highest `vX.Y.Z` tag of the git checkout at `cwd` (`git tag --list 'v*'`). */
export async function latestLocalTag(cwd: string): Promise<LocalTag> {
  try {
    await git(["rev-parse", "--is-inside-work-tree"], cwd);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return { kind: "not-a-checkout", reason: code === "ENOENT" ? "git is not installed" : "the working directory is not inside a git checkout" };
  }
  try {
    const tag = highestVersionTag((await git(["tag", "--list", "v*"], cwd)).split("\n").map((line) => line.trim()));
    return tag === null ? { kind: "none" } : { kind: "found", tag };
  } catch (error) {
    return { kind: "not-a-checkout", reason: `git tag failed (${(error as Error).message.split("\n")[0] ?? "no message"})` };
  }
}
