/**
 * Child process: a queue worker on the PostgreSQL database at `DATABASE_URL` with the default
 * lease, whose jobs of kind `hang` never finish. The test kills it with SIGKILL mid-job.
 */
import { Metrics } from "../../../src/server/metrics.js";
import { Worker } from "../../../src/server/worker.js";
import { openDatabase } from "../../../src/store/database.js";
import { JobQueue } from "../../../src/store/jobs.js";

const db = await openDatabase({ url: process.env.DATABASE_URL });
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const worker = new Worker({ queue: new JobQueue(db), probot: {} as never, metrics: new Metrics(), log: quiet as never, now: () => new Date(), pollMs: 200 });
worker.handle("hang", async (_payload, job) => {
  console.log(`started ${job.key}`);
  await new Promise(() => undefined);
});
worker.start();
setInterval(() => undefined, 60_000);
