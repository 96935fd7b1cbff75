/**
 * The README's configuration reference is generated from the schema; this fails when someone
 * changes the schema without running `npm run docs`.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { REFERENCE_END, REFERENCE_START, renderConfigReference } from "../../src/config/reference.js";

describe("the configuration reference", () => {
  it("in README.md is what the schema says (run `npm run docs` to update it)", () => {
    const readme = readFileSync("README.md", "utf8");
    const embedded = readme.slice(readme.indexOf(REFERENCE_START) + REFERENCE_START.length, readme.indexOf(REFERENCE_END)).trim();
    expect(embedded).toBe(renderConfigReference().trim());
  });

  it("documents every key with a description", () => {
    const rows = renderConfigReference().split("\n").filter((line) => line.startsWith("| `"));
    expect(rows.length).toBeGreaterThan(20);
    for (const row of rows) expect(row.split("|")[4]?.trim(), row).not.toBe("");
  });
});
