/**
 * The configuration reference in docs/configuration.md is generated from the schema; this fails
 * when someone changes the schema without running `npm run docs`.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CONFIGURATION_DOC, REFERENCE_END, REFERENCE_START, renderConfigReference } from "../../src/config/reference.js";

describe("the configuration reference", () => {
  it(`in ${CONFIGURATION_DOC} is what the schema says (run \`npm run docs\` to update it)`, () => {
    const guide = readFileSync(CONFIGURATION_DOC, "utf8");
    expect(guide).toContain(REFERENCE_START);
    const embedded = guide.slice(guide.indexOf(REFERENCE_START) + REFERENCE_START.length, guide.indexOf(REFERENCE_END)).trim();
    expect(embedded).toBe(renderConfigReference().trim());
  });

  it("documents every key with a description", () => {
    const rows = renderConfigReference().split("\n").filter((line) => line.startsWith("| `"));
    expect(rows.length).toBeGreaterThan(20);
    for (const row of rows) expect(row.split("|")[4]?.trim(), row).not.toBe("");
  });

  it("is linked from the README, which keeps only a pointer to it", () => {
    const readme = readFileSync("README.md", "utf8");
    expect(readme).toContain(`(${CONFIGURATION_DOC})`);
    expect(readme).not.toContain(REFERENCE_START);
  });
});
