#!/usr/bin/env node
// `prestart`: compile src/ to lib/ with `tsc -p tsconfig.build.json` when lib/index.js is missing
// or older than any file under src/. Silent when lib/ is up to date; otherwise it says what it is
// building and why before the compilation (which takes tens of seconds on a small machine), and how
// long it took after. In a production image (dev dependencies pruned, so no TypeScript) an existing
// lib/ is used as it is.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const output = join(root, "lib", "index.js");
const sources = join(root, "src");
const tsc = join(root, "node_modules", "typescript", "bin", "tsc");

/** The newest modification time under `dir`, the directories included (a deleted file changes its directory's). */
function newestMtime(dir) {
  let newest = statSync(dir).mtimeMs;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path));
    else if (entry.isFile()) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** Why a build is needed, or null when lib/ is current. */
function staleReason() {
  if (!existsSync(output)) return "lib/index.js is missing";
  if (!existsSync(sources)) return null;
  const built = statSync(output).mtimeMs;
  return newestMtime(sources) > built ? "src/ is newer than lib/index.js" : null;
}

const reason = staleReason();
if (reason) {
  if (!existsSync(tsc)) {
    if (existsSync(output)) {
      // Production install without dev dependencies: run what was built into the image.
      process.exit(0);
    }
    console.error(`build-if-stale: ${reason} and TypeScript is not installed: run \`npm ci\` then \`npm run build\`.`);
    process.exit(1);
  }
  console.error(`Building lib/ from src/ (${reason}) with tsc -p tsconfig.build.json; this takes up to a minute …`);
  const started = performance.now();
  // --noEmitOnError: a failed build leaves lib/ stale, so the next start tries again instead of running it.
  const result = spawnSync(process.execPath, [tsc, "-p", join(root, "tsconfig.build.json"), "--noEmitOnError"], {
    cwd: root,
    stdio: "inherit",
  });
  if (result.error) {
    console.error(`build-if-stale: could not run tsc: ${result.error.message}`);
    process.exit(1);
  }
  if (result.status !== 0) {
    console.error(`build-if-stale: the build failed (tsc exited with ${result.status ?? result.signal}); lib/ was left as it was.`);
    process.exit(result.status ?? 1);
  }
  console.error(`Built lib/ in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
}
