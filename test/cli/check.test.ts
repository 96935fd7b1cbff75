/**
 * `hotfix-guard check`: the branch-name and template rows are the app's own rows for the same
 * branch, description and clock; rows that need GitHub data are skipped, never failed.
 */
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { checkCommand, GITHUB_DATA_RULES } from "../../src/cli/check.js";
import { runCli } from "../../src/cli/cli.js";
import { findingsTable, remedies } from "../../src/render/check-run.js";
import { evaluateHotfix, PRE_MERGE_RULES } from "../../src/rules/index.js";
import type { Finding } from "../../src/rules/types.js";
import { COMPLETE_BODY, NOW, policyFrom, snapshot } from "../helpers/builders.js";
import { captureIo, runExecutable, workspace } from "./cli-io.js";

const GOOD_BRANCH = "hotfix/v1.4.3-default-currency";
const TEMPLATE = await readFile(new URL("../../.github/PULL_REQUEST_TEMPLATE/hotfix.md", import.meta.url), "utf8");
const OFFLINE_RULES = new Set(["branch-name", "template", "severity", "incident-reference", "testing"]);

interface CheckOutput {
  branch: string;
  base: string;
  configuration: string;
  conclusion: "success" | "failure";
  findings: Finding[];
  notes: string[];
}

async function check(args: string[], options: { files?: Record<string, string>; stdin?: string } = {}) {
  const cwd = await workspace({ "body.md": COMPLETE_BODY, ...options.files });
  const captured = captureIo([...args, "--now", NOW.toISOString()], { cwd, ...(options.stdin !== undefined ? { stdin: options.stdin } : {}) });
  const code = await checkCommand(captured.io);
  return { code, ...captured };
}

describe("check", () => {
  it("passes a filled-in template on a well-named branch (exit 0)", async () => {
    const { code, stdout } = await check(["--branch", GOOD_BRANCH, "--body", "body.md", "--latest-tag", "v1.4.2"]);

    expect(code).toBe(0);
    expect(stdout.text).toMatch(/^pass +Branch name +`hotfix\/v1\.4\.3-default-currency` matches/m);
    expect(stdout.text).toMatch(/^skip +Approvals +Not checked offline: needs the pull request's reviews/m);
    expect(stdout.text).toContain("Result: hotfix policy met by the rows checked offline.");
  });

  it("fails the bare template on a mis-named branch (exit 1) with a row per problem and how to fix it", async () => {
    const { code, stdout } = await check(["--branch", "Hotfix/Fix_Login", "--body", "template.md"], { files: { "template.md": TEMPLATE } });

    expect(code).toBe(1);
    for (const title of ["Branch name", "PR template", "Severity", "Incident reference", "Testing performed"]) {
      expect(stdout.text).toMatch(new RegExp(`^FAIL +${title} `, "m"));
    }
    expect(stdout.text).toContain("How to fix:\n- FAIL Branch name: Rename the branch to `hotfix/emergency-20261123-1500`.");
    expect(stdout.text).toContain("Result: 5 problems: Branch name, PR template, Severity, Incident reference, Testing performed.");
  });

  it("prints the findings as JSON with --json", async () => {
    const { code, stdout } = await check(["--branch", "Hotfix/Fix_Login", "--body", "template.md", "--json"], { files: { "template.md": TEMPLATE } });

    expect(code).toBe(1);
    const output = JSON.parse(stdout.text) as CheckOutput;
    expect(Object.keys(output)).toStrictEqual(["branch", "base", "configuration", "conclusion", "findings", "notes"]);
    expect(output).toMatchObject({ branch: "Hotfix/Fix_Login", base: "main", configuration: "defaults", conclusion: "failure" });
    expect(output.findings.map((finding) => [finding.rule, finding.status])).toStrictEqual([
      ["branch-name", "fail"],
      ["template", "fail"],
      ["severity", "fail"],
      ["incident-reference", "fail"],
      ["testing", "fail"],
      ["scope", "skip"],
      ["tests", "skip"],
      ["commits", "skip"],
      ["approvals", "skip"],
    ]);
    for (const finding of output.findings.filter((f) => f.status === "fail")) expect(finding.remedy).toEqual(expect.any(String));
  });

  it("shows for the offline rules exactly the rows the app's check run shows", async () => {
    const { stdout } = await check(["--branch", GOOD_BRANCH, "--body", "body.md", "--latest-tag", "v1.4.2", "--json"]);

    const app = evaluateHotfix(snapshot(), policyFrom(), NOW).findings.filter((finding) => OFFLINE_RULES.has(finding.rule));
    const offline = (JSON.parse(stdout.text) as CheckOutput).findings.filter((finding) => OFFLINE_RULES.has(finding.rule));
    expect(offline).toStrictEqual(app);
  });

  it("names the skipped rows as the app's rules name them", () => {
    const appTitles = new Map(PRE_MERGE_RULES.flatMap((rule) => rule(snapshot(), policyFrom({ commits: { convention: "warn" } }), NOW)).map((finding) => [finding.rule, finding.title]));

    for (const entry of GITHUB_DATA_RULES) expect(appTitles.get(entry.rule)).toBe(entry.title);
  });

  it("prints the check run's own table and remedies with --markdown", async () => {
    const markdown = await check(["--branch", "hotfix/oops", "--body", "body.md", "--markdown"]);
    const json = await check(["--branch", "hotfix/oops", "--body", "body.md", "--json"]);

    expect(markdown.code).toBe(1);
    const { findings } = JSON.parse(json.stdout.text) as CheckOutput;
    expect(markdown.stdout.text).toContain(findingsTable(findings));
    expect(markdown.stdout.text).toContain(remedies(findings));
  });

  it("reads the description from standard input with --body -", async () => {
    const { code, stdout } = await check(["--branch", GOOD_BRANCH, "--body", "-", "--latest-tag", "v1.4.2", "--json"], { stdin: TEMPLATE });

    expect(code).toBe(1);
    expect((JSON.parse(stdout.text) as CheckOutput).findings.find((finding) => finding.rule === "template")?.status).toBe("fail");
  });

  it("uses the repository's configuration file when there is one, and the rule it turns off runs as the app runs it", async () => {
    const { code, stdout } = await check(["--branch", "hotfix/fix-login", "--body", "body.md", "--json"], {
      files: { ".github/hotfix-guard.yml": 'hotfix:\n  branch_names: ["hotfix/{slug}"]\ntests:\n  required: false\n' },
    });

    expect(code).toBe(0);
    const output = JSON.parse(stdout.text) as CheckOutput;
    expect(output.configuration).toBe(".github/hotfix-guard.yml");
    expect(output.findings.find((finding) => finding.rule === "tests")).toMatchObject({ status: "skip", actual: "not required by the configuration" });
  });

  it("says that the version was not compared with a release tag when none is given", async () => {
    const { code, stdout } = await check(["--branch", GOOD_BRANCH, "--body", "body.md"]);

    expect(code).toBe(0);
    expect(stdout.text).toContain("Note: Did not look for the latest release tag: the working directory is not inside a git checkout. The version in the branch name was not compared with it: pass --latest-tag");
  });

  it("fails with the configuration's problems when --config is invalid (exit 1)", async () => {
    const { code, stdout } = await check(["--branch", GOOD_BRANCH, "--body", "body.md", "--config", "bad.yml"], { files: { "bad.yml": "approvals:\n  required: 25\n" } });

    expect(code).toBe(1);
    expect(stdout.text).toContain("The configuration bad.yml is invalid, so the app would fail the check with these problems");
    expect(stdout.text).toMatch(/^bad\.yml +approvals\.required +at most 20 +25$/m);
  });

  it.each([
    [["check", "--body", "body.md"], "--branch is required"],
    [["check", "--branch", GOOD_BRANCH], "--body is required"],
    [["check", "--branch", GOOD_BRANCH, "--body", "missing.md"], "cannot read the body file missing.md: there is no such file"],
    [["check", "--branch", GOOD_BRANCH, "--body", "body.md", "--latest-tag", "1.4.2"], "--latest-tag must be a release tag such as v1.4.2"],
    [["check", "--branch", GOOD_BRANCH, "--body", "body.md", "--now", "yesterday"], "--now must be an ISO 8601 time"],
  ])("rejects %j with exit 2: %s", async (args, message) => {
    const cwd = await workspace({ "body.md": COMPLETE_BODY });
    const { io, stderr } = captureIo([], { cwd });

    expect(await runCli(args, io)).toBe(2);
    expect(stderr.text).toContain(message);
  });

  it("runs as its own process, reading the description from standard input", async () => {
    const cwd = await workspace();
    const result = await runExecutable(["check", "--branch", "hotfix/oops", "--body", "-", "--now", NOW.toISOString()], cwd, COMPLETE_BODY);

    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^FAIL +Branch name /m);
    expect(result.stdout).toMatch(/^pass +PR template /m);
  });
});
