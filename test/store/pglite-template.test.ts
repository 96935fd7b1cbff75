/**
 * The data directory template, unpacked from a stream: the directory it leaves is the one the
 * archive holds (every file, its bytes and its mode), however the stream cuts the archive into
 * chunks; an archive cut short leaves no `PG_VERSION`, so the next start unpacks it again.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { Readable } from "node:stream";
import { gunzipSync, gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { readTemplate, templatePath, templateStream, unpackDataDir } from "../../src/store/pglite-setup.js";

const directories: string[] = [];
afterAll(() => {
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});

function scratch(): string {
  const directory = mkdtempSync(join(tmpdir(), "hotfix-guard-template-"));
  directories.push(directory);
  return directory;
}

/** Every entry under `dir`: its path, its permission bits, and a digest of a file's bytes. */
function contents(dir: string): Map<string, { mode: number; sha256?: string }> {
  const entries = new Map<string, { mode: number; sha256?: string }>();
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const path = join(dir, name);
    const stat = statSync(path);
    entries.set(relative(dir, path), { mode: stat.mode & 0o777, ...(stat.isFile() ? { sha256: createHash("sha256").update(readFileSync(path)).digest("hex") } : {}) });
  }
  return entries;
}

/** The template's bytes as a stream of `size`-byte chunks. */
function chunked(bytes: Buffer, size: number): Readable {
  return Readable.from((function* () {
    for (let offset = 0; offset < bytes.length; offset += size) yield bytes.subarray(offset, offset + size);
  })());
}

describe("the data directory template", () => {
  it("unpacks from a stream into the directory tar extracts, whatever the chunk size", async () => {
    const expected = join(scratch(), "tar");
    mkdirSync(expected);
    execFileSync("tar", ["-xzf", templatePath(), "-C", expected], { stdio: "ignore" });
    const reference = contents(expected);
    expect(reference.has("PG_VERSION")).toBe(true);

    const fromFile = join(scratch(), "data");
    await unpackDataDir(templateStream() as Readable, fromFile);
    expect(contents(fromFile)).toStrictEqual(reference);

    const fromOddChunks = join(scratch(), "data");
    await unpackDataDir(chunked(readTemplate() as Buffer, 777), fromOddChunks);
    expect(contents(fromOddChunks)).toStrictEqual(reference);
  });

  it("leaves no PG_VERSION when the archive is cut short, so the next start unpacks it again", async () => {
    const tar = gunzipSync(readTemplate() as Buffer);
    const dir = join(scratch(), "data");
    await expect(unpackDataDir(Readable.from([gzipSync(tar.subarray(0, Math.floor(tar.length / 2) + 100))]), dir)).rejects.toThrow(/ends in the middle of an entry/);
    expect(existsSync(join(dir, "PG_VERSION"))).toBe(false);
  });
});
