/**
 * `npm pack` makes a tarball a team installs in its own repository (issue 15): the `hotfix-guard`
 * binary, the compiled code, the app manifest and the editor schema, nothing from src/ or test/.
 *
 * What is tested, exactly: lib/ is brought up to date with `scripts/build-if-stale.mjs` (the same
 * `tsc -p tsconfig.build.json` the `prepack` script runs; packing with scripts would rebuild on
 * every run), then `npm pack --ignore-scripts` packs it. The tarball is extracted and its bin is
 * executed through its own shebang, with this repository's node_modules linked beside it, because
 * `npm install --offline <tarball>` needs every dependency in the npm cache and this machine's
 * cache is empty. Installing the tarball with its dependencies from the registry is not tested.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string; bin: Record<string, string>; scripts: Record<string, string> };
let directory = "";
let files: string[] = [];
let bin = "";

beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), "hotfix-guard-pack-"));
  const build = spawnSync(process.execPath, [join(ROOT, "scripts/build-if-stale.mjs")], { cwd: ROOT, encoding: "utf8" });
  expect(build.status, `${build.stdout}${build.stderr}`).toBe(0);
  const packed = JSON.parse(execFileSync("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", directory], { cwd: ROOT, encoding: "utf8" })) as { filename: string; files: { path: string }[] }[];
  const [tarball] = packed;
  if (!tarball) throw new Error("npm pack printed no tarball");
  files = tarball.files.map((file) => file.path);
  execFileSync("tar", ["-xzf", join(directory, tarball.filename), "-C", directory]);
  symlinkSync(join(ROOT, "node_modules"), join(directory, "package", "node_modules"), "dir");
  bin = join(directory, "package", manifest.bin["hotfix-guard"] ?? "");
  chmodSync(bin, 0o755);
}, 600_000);

afterAll(() => {
  if (directory) rmSync(directory, { recursive: true, force: true });
});

function runBin(args: string[], cwd: string) {
  return spawnSync(bin, args, { cwd, encoding: "utf8" });
}

describe("npm pack", () => {
  it("packs the binary, the compiled code, app.yml and the schema, and no sources or tests", () => {
    expect(files).toEqual(expect.arrayContaining(["package.json", "README.md", "app.yml", "schema/hotfix-guard.schema.json", "lib/cli/main.js", "lib/index.js"]));
    expect(files.filter((path) => /^(src|test|bench|docs|\.github)\//.test(path))).toStrictEqual([]);
  });

  it("builds lib/ before packing and names the bin", () => {
    expect(manifest.scripts.prepack).toBe("npm run build");
    expect(manifest.bin).toStrictEqual({ "hotfix-guard": "lib/cli/main.js" });
    expect(readFileSync(bin, "utf8").split("\n")[0]).toBe("#!/usr/bin/env node");
  });

  it.each([
    [["--version"], 0, manifest.version],
    [["check", "--help"], 0, "Usage: hotfix-guard check"],
    [["validate-config", "cfg.yml"], 1, "hotfix.timezone"],
  ])("runs the packed bin: hotfix-guard %j", (args, code, text) => {
    const project = mkdtempSync(join(directory, "project-"));
    writeFileSync(join(project, "cfg.yml"), "hotfix:\n  timezone: Mars/Olympus\n");
    const result = runBin(args, project);
    expect(result.status, result.stderr).toBe(code);
    expect(`${result.stdout}${result.stderr}`).toContain(text);
  });
});
