/**
 * Issue 15: `hotfix-guard check --commits <file>` tests commit messages offline, and without
 * `--latest-tag` the command reads the latest `vX.Y.Z` tag of the git checkout it runs in, or
 * says it did not look.
 */
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { checkCommand, commitsFromText } from "../../src/cli/check.js";
import { highestVersionTag } from "../../src/cli/local-git.js";
import type { Finding } from "../../src/rules/types.js";
import { COMPLETE_BODY, NOW } from "../helpers/builders.js";
import { captureIo, workspace } from "./cli-io.js";

const CONFIG = `commits:
  convention: fail
  subject: ["hotfix(*): *"]
  fields: [Root Cause]
  examples: ["hotfix(api): fix currency"]
`;

async function run(args: string[], cwd: string) {
  const captured = captureIo([...args, "--now", NOW.toISOString(), "--json"], { cwd });
  const code = await checkCommand(captured.io);
  const output = JSON.parse(captured.stdout.text) as { findings: Finding[]; notes: string[] };
  return { code, output, commits: output.findings.find((finding) => finding.rule === "commits") };
}

describe("check --commits", () => {
  it.each([
    ["a good message with a / in it", "hotfix(api): fix a/b currency\n\nRoot Cause: empty code\n\0", 0, "pass"],
    ["a first line without the scope", "hotfix: fix currency\n\nRoot Cause: x\n\0", 1, "fail"],
    ["a missing field", "hotfix(api): fix currency\n\nImpact: all\n\0", 1, "fail"],
    ["one message without separators", "hotfix(api): fix currency\n\nRoot Cause: empty code\n", 0, "pass"],
  ])("%s", async (_, messages, code, status) => {
    const cwd = await workspace({ "body.md": COMPLETE_BODY, "commits.txt": messages, ".github/hotfix-guard.yml": CONFIG });
    const result = await run(["--branch", "hotfix/v1.4.3-x", "--body", "body.md", "--latest-tag", "v1.4.2", "--commits", "commits.txt"], cwd);
    expect([result.code, result.commits?.status]).toStrictEqual([code, status]);
  });

  it("without --commits the row still needs GitHub", async () => {
    const cwd = await workspace({ "body.md": COMPLETE_BODY, ".github/hotfix-guard.yml": CONFIG });
    const { commits } = await run(["--branch", "hotfix/v1.4.3-x", "--body", "body.md", "--latest-tag", "v1.4.2"], cwd);
    expect(commits?.status).toBe("skip");
  });

  it("splits git log --format=%B%x00 output into messages", () => {
    expect(commitsFromText("a\n\nb: c\n\0\nd\n\0\n").map((commit) => [commit.sha, commit.message])).toStrictEqual([
      ["#1", "a\n\nb: c"],
      ["#2", "d"],
    ]);
  });
});

function git(cwd: string, ...args: string[]): void {
  execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false", ...args], { cwd, stdio: "ignore" });
}

describe("check without --latest-tag", () => {
  it.each([
    ["reads the highest tag of the checkout", ["v1.4.2", "v1.10.0", "v1.9.9", "release-2"], "pass", "The latest release tag v1.10.0 was read from this git checkout"],
    ["says the checkout has no release tag", ["release-2"], "pass", "This git checkout has no vX.Y.Z tag"],
  ])("%s", async (_, tags, status, note) => {
    const cwd = await workspace({ "body.md": COMPLETE_BODY });
    git(cwd, "init", "-q");
    git(cwd, "commit", "-q", "--allow-empty", "-m", "start");
    for (const tag of tags) git(cwd, "tag", tag);
    const { output } = await run(["--branch", "hotfix/v1.10.1-default-currency", "--body", "body.md"], cwd);
    expect(output.findings.find((finding) => finding.rule === "branch-name")?.status).toBe(status);
    expect(output.notes.join("\n")).toContain(note);
  });

  it("fails the version against the tag it read", async () => {
    const cwd = await workspace({ "body.md": COMPLETE_BODY });
    git(cwd, "init", "-q");
    git(cwd, "commit", "-q", "--allow-empty", "-m", "start");
    git(cwd, "tag", "v2.0.0");
    const { output, code } = await run(["--branch", "hotfix/v1.10.1-default-currency", "--body", "body.md"], cwd);
    expect(code).toBe(1);
    expect(output.findings.find((finding) => finding.rule === "branch-name")?.status).toBe("fail");
  });

  it("says it did not look outside a git checkout", async () => {
    const cwd = await workspace({ "body.md": COMPLETE_BODY });
    const { output } = await run(["--branch", "hotfix/v1.10.1-default-currency", "--body", "body.md"], cwd);
    expect(output.notes.join("\n")).toContain("Did not look for the latest release tag: the working directory is not inside a git checkout.");
  });

  it.each([
    [["v1.2.3", "v1.2.10", "v0.9.0"], "v1.2.10"],
    [["1.2.3", "vX"], null],
  ])("highest of %j is %s", (tags, highest) => {
    expect(highestVersionTag(tags)).toBe(highest);
  });
});
