/**
 * `npm run docs`: rewrites the configuration reference in README.md from the schema.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { REFERENCE_END, REFERENCE_START, renderConfigReference } from "../src/config/reference.js";

const readme = readFileSync("README.md", "utf8");
const start = readme.indexOf(REFERENCE_START);
const end = readme.indexOf(REFERENCE_END);
if (start === -1 || end === -1) throw new Error("README.md lacks the config-reference markers");
writeFileSync("README.md", `${readme.slice(0, start + REFERENCE_START.length)}\n\n${renderConfigReference()}\n\n${readme.slice(end)}`);
console.log("README.md: configuration reference updated");
