// Preloaded into the system under test by bench/cpu-per-event.ts (`node --expose-gc --import
// bench/probe.mjs lib/main.js`). On SIGUSR2 it appends one JSON line to PROBE_OUT: the process's
// CPU time so far, its memory before and after two forced full collections (so lazy collection and
// real retention can be told apart), when PROBE_SNAPSHOT_DIR is set the path of a heap snapshot
// written after the collections, and the CPU time once all that is done (`cpuAfter`), so the probe's
// own work is left out of the next interval.
import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { writeHeapSnapshot } from "node:v8";

const out = process.env.PROBE_OUT;
const snapshots = process.env.PROBE_SNAPSHOT_DIR;
let taken = 0;

process.on("SIGUSR2", () => {
  const cpu = process.cpuUsage();
  const before = process.memoryUsage();
  globalThis.gc?.();
  globalThis.gc?.();
  const after = process.memoryUsage();
  taken += 1;
  const snapshot = snapshots ? writeHeapSnapshot(join(snapshots, `probe-${taken}.heapsnapshot`)) : null;
  if (out) appendFileSync(out, `${JSON.stringify({ at: Date.now(), cpu, before, after, snapshot, cpuAfter: process.cpuUsage() })}\n`);
});
