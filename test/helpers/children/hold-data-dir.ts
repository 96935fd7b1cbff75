/**
 * Child process: opens the embedded database in `DATA_DIR`, says so, and holds it until killed
 * (or closes it on SIGTERM).
 */
import { openDatabase } from "../../../src/store/database.js";

const db = await openDatabase({ dataDir: process.env.DATA_DIR });
console.log(`holding the data directory as ${process.pid}`);
const alive = setInterval(() => undefined, 60_000);
process.once("SIGTERM", () => {
  clearInterval(alive);
  void db.close().then(() => process.exit(0));
});
