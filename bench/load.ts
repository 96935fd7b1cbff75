/**
 * The bench's load generator, run in a process of its own (`tsx bench/load.ts '<json>'`) so that
 * sending never shares an event loop with the system under test. Two modes, each printing one
 * JSON line: `sequential` POSTs `count` deliveries one after the other and reports the
 * acknowledgement latency's p50 and p99; `burst` runs autocannon with `connections` connections for
 * `seconds` (or until `amount` deliveries) and reports acknowledgements per second and latency.
 * Deliveries are 24 KB hotfix pull requests spread over 64 installations, each under a new id.
 */
import autocannon from "autocannon";
import { deliveryHeaders, hotfixOpened, postDelivery, type SignedDelivery } from "./deliveries.js";
import { percentile } from "./summary.js";

/** What the generator is asked to do. */
export type LoadPlan =
  | { readonly mode: "sequential"; readonly url: string; readonly secret: string; readonly count: number }
  | { readonly mode: "burst"; readonly url: string; readonly secret: string; readonly connections: number; readonly seconds?: number; readonly amount?: number };

/** What it measured. */
export interface LoadResult {
  readonly acknowledged: number;
  readonly failed: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

const INSTALLATIONS = 64;
const DELIVERY_BYTES = 24 * 1024;

async function deliveries(secret: string): Promise<SignedDelivery[]> {
  return Promise.all(Array.from({ length: INSTALLATIONS }, (_, i) => hotfixOpened(secret, i + 1, 1000 + i, DELIVERY_BYTES)));
}

async function sequential(plan: Extract<LoadPlan, { mode: "sequential" }>): Promise<LoadResult> {
  const signed = await deliveries(plan.secret);
  const latencies: number[] = [];
  let failed = 0;
  const started = performance.now();
  for (let i = 0; i < plan.count; i += 1) {
    const { status, ms } = await postDelivery(plan.url, signed[i % signed.length] as SignedDelivery);
    if (status >= 300) failed += 1;
    latencies.push(ms);
  }
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { acknowledged: plan.count - failed, failed, perSecond: plan.count / seconds, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99) };
}

async function burst(plan: Extract<LoadPlan, { mode: "burst" }>): Promise<LoadResult> {
  const signed = await deliveries(plan.secret);
  let next = 0;
  const result = await autocannon({
    url: plan.url,
    connections: plan.connections,
    timeout: 30,
    ...(plan.amount ? { amount: plan.amount } : { duration: plan.seconds ?? 5 }),
    requests: [
      {
        method: "POST",
        setupRequest: (request) => {
          const delivery = signed[next++ % signed.length] as SignedDelivery;
          return { ...request, headers: deliveryHeaders(delivery), body: delivery.body };
        },
      },
    ],
  });
  const acknowledged = result["2xx"];
  return { acknowledged, failed: result.non2xx + result.errors, perSecond: acknowledged / result.duration, p50Ms: result.latency.p50, p99Ms: result.latency.p99 };
}

const plan = JSON.parse(process.argv[2] ?? "{}") as LoadPlan;
console.log(JSON.stringify(plan.mode === "sequential" ? await sequential(plan) : await burst(plan)));
