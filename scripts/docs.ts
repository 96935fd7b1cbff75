/**
 * `npm run docs`: regenerates what the schema documents. It writes the JSON Schema for editors
 * (schema/hotfix-guard.schema.json) and rewrites, in docs/configuration.md, the configuration
 * reference and the copy of every example file under docs/examples/, and, in docs/notifications.md,
 * every message as the renderers produce it. Tests fail until this has
 * been run after a change to the schema or an example.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import {
  CONFIGURATION_DOC,
  EXAMPLES_DIR,
  JSON_SCHEMA_FILE,
  REFERENCE_END,
  REFERENCE_START,
  exampleMarkers,
  renderConfigJsonSchema,
  renderConfigReference,
} from "../src/config/reference.js";
import { GALLERY_END, GALLERY_START, NOTIFICATIONS_DOC, renderGallery } from "../src/notify/reference.js";

/** `doc` with the text between the two markers replaced by `content`. */
function replaceBetween(doc: string, start: string, end: string, content: string, file = CONFIGURATION_DOC): string {
  const from = doc.indexOf(start);
  const to = doc.indexOf(end);
  if (from === -1 || to < from) throw new Error(`${file} lacks the markers ${start} … ${end}`);
  return `${doc.slice(0, from + start.length)}\n\n${content}\n\n${doc.slice(to)}`;
}

mkdirSync(dirname(JSON_SCHEMA_FILE), { recursive: true });
writeFileSync(JSON_SCHEMA_FILE, renderConfigJsonSchema());
console.log(`${JSON_SCHEMA_FILE}: written`);

let guide = replaceBetween(readFileSync(CONFIGURATION_DOC, "utf8"), REFERENCE_START, REFERENCE_END, renderConfigReference());
const examples = readdirSync(EXAMPLES_DIR).filter((file) => file.endsWith(".yml")).sort();
for (const file of examples) {
  const { start, end } = exampleMarkers(file);
  const yaml = readFileSync(`${EXAMPLES_DIR}/${file}`, "utf8").trimEnd();
  guide = replaceBetween(guide, start, end, `\`\`\`yaml\n${yaml}\n\`\`\``);
}
writeFileSync(CONFIGURATION_DOC, guide);
console.log(`${CONFIGURATION_DOC}: configuration reference and ${examples.length} examples (${examples.join(", ")}) updated`);

writeFileSync(NOTIFICATIONS_DOC, replaceBetween(readFileSync(NOTIFICATIONS_DOC, "utf8"), GALLERY_START, GALLERY_END, renderGallery(), NOTIFICATIONS_DOC));
console.log(`${NOTIFICATIONS_DOC}: message gallery updated`);
