/**
 * `npm start`'s prestart step, scripts/build-if-stale.mjs, in a throw-away copy of the project
 * layout with a stand-in for tsc (the real compilation takes tens of seconds): a start after a
 * fresh install says what it is building and why, then how long it took; an up-to-date lib/ starts
 * silently; a failed build says so and leaves lib/ stale.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

const SCRIPT = fileURLToPath(new URL("../../scripts/build-if-stale.mjs", import.meta.url));

let root: string;

/** A project with src/ and a stand-in tsc that writes lib/index.js, or fails when told to. */
function project(tscFails = false): void {
  mkdirSync(join(root, "scripts"));
  copyFileSync(SCRIPT, join(root, "scripts", "build-if-stale.mjs"));
  mkdirSync(join(root, "src"));
  writeFileSync(join(root, "src", "index.ts"), "export {};\n");
  writeFileSync(join(root, "tsconfig.build.json"), "{}\n");
  mkdirSync(join(root, "node_modules", "typescript", "bin"), { recursive: true });
  const tsc = tscFails
    ? "process.exit(2);\n"
    : 'import { mkdirSync, writeFileSync } from "node:fs";\nmkdirSync("lib", { recursive: true });\nwriteFileSync("lib/index.js", "");\n';
  writeFileSync(join(root, "node_modules", "typescript", "bin", "tsc"), tsc);
  writeFileSync(join(root, "package.json"), '{ "type": "module" }\n');
}

function prestart(): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, [join(root, "scripts", "build-if-stale.mjs")], { cwd: root, encoding: "utf8" });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "hotfix-guard-prestart-"));
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe("npm start's build of lib/", () => {
  it("after a fresh install, says what it builds and why, then how long it took", () => {
    project();
    const { status, output } = prestart();
    expect(status, output).toBe(0);
    expect(output).toMatch(/^Building lib\/ from src\/ \(lib\/index\.js is missing\) with tsc -p tsconfig\.build\.json; this takes up to a minute …\nBuilt lib\/ in \d+\.\d s\.\n$/);
    expect(existsSync(join(root, "lib", "index.js"))).toBe(true);
  });

  it("is silent when lib/ is newer than src/, and names the cause when src/ changed", () => {
    project();
    prestart();
    expect(prestart()).toStrictEqual({ status: 0, output: "" });
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(root, "src", "index.ts"), later, later);
    expect(prestart().output).toContain("Building lib/ from src/ (src/ is newer than lib/index.js)");
  });

  it("says when the build failed and exits with tsc's status", () => {
    project(true);
    const { status, output } = prestart();
    expect(status).toBe(2);
    expect(output).toContain("build-if-stale: the build failed (tsc exited with 2); lib/ was left as it was.");
    expect(existsSync(join(root, "lib", "index.js"))).toBe(false);
  });
});
