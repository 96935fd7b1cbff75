/**
 * The public webhook endpoint. It only verifies, stores and answers: the signature is checked
 * against the webhook secret (401 and nothing stored when it is missing or wrong), the delivery is
 * stored under its `X-GitHub-Delivery` id (a duplicate is recognised and not queued again), and
 * GitHub gets its answer in milliseconds. Handlers run later, from the queue, so neither GitHub's
 * 10-second window nor a crash can lose a delivery.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { verify } from "@octokit/webhooks-methods";
import type { JobQueue } from "../store/jobs.js";
import type { Metrics } from "./metrics.js";

/** GitHub caps webhook payloads at 25 MB. */
const MAX_BODY_BYTES = 25 * 1024 * 1024;

/** What the ingress needs. */
export interface IngressOptions {
  readonly path: string;
  readonly secret: string;
  readonly queue: JobQueue;
  readonly metrics: Metrics;
  readonly now: () => Date;
  /** Called after a new delivery is stored, to wake a worker. */
  readonly onStored?: () => void;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new HttpError(413, "payload larger than 25 MB"));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function reply(res: ServerResponse, status: number, body: Record<string, unknown>): void {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

async function accept(req: IncomingMessage, options: IngressOptions): Promise<{ status: number; body: Record<string, unknown> }> {
  const signature = header(req, "x-hub-signature-256");
  const body = await readBody(req);
  if (!signature || !(await verify(options.secret, body, signature).catch(() => false))) {
    throw new HttpError(401, "missing or invalid X-Hub-Signature-256");
  }
  const id = header(req, "x-github-delivery");
  const name = header(req, "x-github-event");
  if (!id || !name) throw new HttpError(400, "missing X-GitHub-Delivery or X-GitHub-Event");
  let payload: unknown;
  try {
    payload = JSON.parse(body);
  } catch {
    throw new HttpError(400, "the payload is not JSON");
  }
  const stored = await options.queue.enqueueDelivery({ id, name, payload }, options.now());
  options.metrics.count("hotfix_guard_deliveries_received_total", { event: name, result: stored ? "queued" : "duplicate" });
  if (stored) options.onStored?.();
  return { status: 202, body: { id, status: stored ? "queued" : "duplicate" } };
}

/** The ingress as a Probot server handler (true when it handled the request). */
export function createIngress(options: IngressOptions): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  return async (req, res) => {
    if (req.url?.split("?")[0] !== options.path) return false;
    if (req.method !== "POST") {
      reply(res, 405, { error: "webhooks are POSTed" });
      return true;
    }
    try {
      const { status, body } = await accept(req, options);
      reply(res, status, body);
    } catch (error) {
      const status = error instanceof HttpError ? error.status : 503;
      options.metrics.count("hotfix_guard_deliveries_rejected_total", { status: String(status) });
      reply(res, status, { error: error instanceof HttpError ? error.message : "the delivery could not be stored; GitHub will show it as failed and it can be redelivered" });
    }
    return true;
  };
}
