/**
 * `hotfix-guard validate-config`: a file is judged as the app judges it, and its problems are the
 * ones the "invalid configuration" check run lists, word for word.
 */
import { describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/cli.js";
import { validateConfigCommand } from "../../src/cli/validate-config.js";
import { resolveConfig } from "../../src/config/load.js";
import { renderInvalidConfigCheck } from "../../src/render/check-run.js";
import { captureIo, runExecutable, workspace } from "./cli-io.js";

const CONFIG = ".github/hotfix-guard.yml";

const INVALID = `approvals:
  required: 25
  reviewrs:
    users: []
hotfix:
  branch_names: ["hotfix/{nope}"]
`;

/** The problems the app reports for the invalid file, as resolveConfig gives them. */
function appProblems() {
  const result = resolveConfig([{ location: CONFIG, config: { approvals: { required: 25, reviewrs: { users: [] } }, hotfix: { branch_names: ["hotfix/{nope}"] } } }]);
  if (result.ok) throw new Error("expected the test file to be invalid");
  return result;
}

describe("validate-config", () => {
  it("accepts a valid file (exit 0)", async () => {
    const cwd = await workspace({ [CONFIG]: "approvals:\n  required: 2\nscope:\n  level: fail\n" });
    const { io, stdout } = captureIo([], { cwd });

    expect(await validateConfigCommand(io)).toBe(0);
    expect(stdout.text).toBe(".github/hotfix-guard.yml is valid: the app applies it over the defaults.\n");
  });

  it("lists each problem with its file, key path, expected and found (exit 1)", async () => {
    const cwd = await workspace({ [CONFIG]: INVALID });
    const { io, stdout } = captureIo(["--json"], { cwd });

    expect(await validateConfigCommand(io)).toBe(1);
    const output = JSON.parse(stdout.text) as { valid: boolean; problems: unknown[] };
    expect(output.valid).toBe(false);
    expect(output.problems).toStrictEqual(appProblems().problems);
    expect(output.problems).toContainEqual({ file: CONFIG, path: "approvals.required", expected: "at most 20", found: "25" });
    expect(output.problems).toContainEqual({
      file: CONFIG,
      path: "approvals.reviewrs",
      expected: "one of the known keys: required, by_severity, reviewers, stale_after_push, keep_on_base_merge, keep_on_pushes_by",
      found: 'an unknown key (value a mapping: {"users":[]})',
    });
  });

  it("prints the problems as a table with the check run's strings", async () => {
    const cwd = await workspace({ [CONFIG]: INVALID });
    const { io, stdout } = captureIo([], { cwd });

    expect(await validateConfigCommand(io)).toBe(1);
    expect(stdout.text).toContain(".github/hotfix-guard.yml is invalid: 3 problems.");
    expect(stdout.text).toMatch(/^File +Key +Expected +Found$/m);
    expect(stdout.text).toMatch(/^\.github\/hotfix-guard\.yml +approvals\.required +at most 20 +25$/m);
  });

  it("prints exactly the check run's summary with --markdown", async () => {
    const cwd = await workspace({ [CONFIG]: INVALID });
    const { io, stdout } = captureIo(["--markdown"], { cwd });

    expect(await validateConfigCommand(io)).toBe(1);
    const { problems, files } = appProblems();
    expect(stdout.text).toBe(`${renderInvalidConfigCheck(problems, files).summary}\n`);
  });

  it("reports a YAML syntax error with its line and column as a problem of the whole file", async () => {
    const cwd = await workspace({ "hotfix.yml": "approvals:\n  required: 2\n reviewers: [a\n" });
    const { io, stdout } = captureIo(["hotfix.yml", "--json"], { cwd });

    expect(await validateConfigCommand(io)).toBe(1);
    const [problem, ...others] = (JSON.parse(stdout.text) as { problems: { file: string; path: string; expected: string; found: string }[] }).problems;
    expect(others).toStrictEqual([]);
    expect(problem).toMatchObject({ file: "hotfix.yml", path: "(file)", expected: "valid YAML with a mapping at the top" });
    expect(problem?.found).toMatch(/^YAML syntax error at line 3, column 1: .+ \(the line reads " reviewers: \[a", indentation and tabs included\)$/);
  });

  it("says that `_extends` is not followed offline, without calling it an error", async () => {
    const cwd = await workspace({ [CONFIG]: "_extends: .github\napprovals:\n  required: 2\n" });
    const { io, stdout } = captureIo([], { cwd });

    expect(await validateConfigCommand(io)).toBe(0);
    expect(stdout.text).toContain("is valid");
    expect(stdout.text).toContain("Note: `_extends: .github` is not followed offline: this file was validated on its own, over the defaults.");
  });

  it("treats an empty file as the app does: the defaults apply", async () => {
    const cwd = await workspace({ "empty.yml": "" });
    const { io, stdout } = captureIo(["empty.yml"], { cwd });

    expect(await validateConfigCommand(io)).toBe(0);
    expect(stdout.text).toContain("Note: The file is empty: the app applies the defaults.");
  });

  it("fails with exit 2 and says where it looked when the file does not exist", async () => {
    const cwd = await workspace();
    const { io, stdout, stderr } = captureIo([], { cwd });

    expect(await runCli(["validate-config"], io)).toBe(2);
    expect(stdout.text).toBe("");
    expect(stderr.text).toContain("hotfix-guard validate-config: cannot read the configuration file .github/hotfix-guard.yml: there is no such file");
    expect(stderr.text).toContain("Run hotfix-guard validate-config --help for usage.");
  });

  it("rejects an unknown option with exit 2", async () => {
    const { io, stderr } = captureIo([]);

    expect(await runCli(["validate-config", "--strict"], io)).toBe(2);
    expect(stderr.text).toContain("Unknown option '--strict'");
  });
});

describe("the hotfix-guard executable", () => {
  it("validates a file in a child process with the exit code of the result", async () => {
    const cwd = await workspace({ [CONFIG]: "approvals:\n  required: 25\n" });
    const result = await runExecutable(["validate-config"], cwd);

    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^\.github\/hotfix-guard\.yml +approvals\.required +at most 20 +25$/m);
  });
});
