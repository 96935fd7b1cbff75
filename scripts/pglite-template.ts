/**
 * `npm run pglite-template`: writes `assets/pglite-datadir-<version>.tar.gz`, the data directory
 * of a freshly initialised embedded database, which `openDatabase` unpacks into a fresh
 * `DATA_DIR` instead of running initdb (see src/store/pglite-setup.ts). Run it after upgrading
 * `@electric-sql/pglite`, commit the new file and delete the old one.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { pgliteStartParams, templatePath } from "../src/store/pglite-setup.js";

const db = await PGlite.create("memory://", { startParams: pgliteStartParams() });
await db.query("CHECKPOINT");
const dump = await db.dumpDataDir("gzip");
await db.close();
const path = templatePath();
mkdirSync(dirname(path), { recursive: true });
writeFileSync(path, Buffer.from(await dump.arrayBuffer()));
console.log(`wrote ${path} (${dump.size} bytes)`);
