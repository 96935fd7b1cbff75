/**
 * The public webhook endpoint. It only verifies, stores and answers: the signature is checked
 * against the webhook secret (401 and nothing stored when it is missing or wrong), the delivery is
 * stored under its `X-GitHub-Delivery` id (a duplicate is recognised and not queued again), and
 * GitHub gets its answer in milliseconds, once the delivery is on disk (deliveries arriving
 * together share one write and one flush: the queue's group commit, src/store/jobs.ts). Handlers
 * run later, from the queue, so neither GitHub's 10-second window nor a crash can lose a delivery.
 * The body is stored as the text GitHub sent and parsed by the worker; the ingress only checks
 * that it starts like JSON (400 otherwise, with what to set).
 *
 * Hostile requests are cut early and answered before the connection is closed: no signature
 * header is a 401 before any of the body is read, a body above GitHub's 25 MB cap a 413 (at once
 * when `Content-Length` says so), and a body that has not arrived within the body timeout a 408,
 * instead of Node's default of five minutes.
 *
 * Deliveries are accepted at the configured webhook path and at `/`: Probot's setup page registers
 * the app with `/` as its webhook URL, and a delivery there goes through this same store-first
 * path. Probot's own webhook middleware (which would run handlers without the store) is given
 * {@link PROBOT_WEBHOOK_PATH}, a path no request can reach.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { JobQueue } from "../store/jobs.js";
import type { Metrics } from "./metrics.js";

/** GitHub caps webhook payloads at 25 MB. */
export const MAX_BODY_BYTES = 25 * 1024 * 1024;

/** How long a whole body may take to arrive by default; GitHub sends a delivery in well under a second. */
export const BODY_TIMEOUT_MS = 10_000;

/** The webhook URL Probot's setup page registers (`<address the page was opened at>/`). */
export const MANIFEST_WEBHOOK_PATH = "/";

/**
 * Where Probot's own webhook middleware is put. Probot compares it with the request's URL parsed by
 * WHATWG `URL`, whose pathname never contains a space (it becomes `%20`), so no request can reach
 * it; deliveries reach handlers only through the store.
 */
export const PROBOT_WEBHOOK_PATH = "/probot webhooks are only received through the store";

/** What the ingress needs. */
export interface IngressOptions {
  /** The public webhook path GitHub posts to. */
  readonly path: string;
  /** The webhook secret deliveries are signed with. */
  readonly secret: string;
  /** Where deliveries are stored. */
  readonly queue: JobQueue;
  /** Where received and rejected requests are counted. */
  readonly metrics: Metrics;
  /** The clock deliveries are stored with. */
  readonly now: () => Date;
  /** Told when a delivery starts arriving and when it has been answered, whatever the answer. */
  readonly activity?: { received(): void; answered(stored: boolean): void };
  /** How long the whole body may take to arrive (default {@link BODY_TIMEOUT_MS}). */
  readonly bodyTimeoutMs?: number;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const NOT_JSON = "the payload is not JSON: set the webhook's content type to application/json";

const TOO_LARGE = `the payload is larger than GitHub's ${MAX_BODY_BYTES / 1024 / 1024} MB limit`;

/** Reads the body, failing with 413 past the size cap, 408 when it is not complete in time, 400 when the client aborts. */
function readBody(req: IncomingMessage, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (outcome: () => void) => {
      clearTimeout(timer);
      req.off("data", onData).off("end", onEnd).off("error", onError);
      outcome();
    };
    const timer = setTimeout(() => stop(() => reject(new HttpError(408, `the body did not arrive within ${timeoutMs / 1000} s`))), timeoutMs);
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) stop(() => reject(new HttpError(413, TOO_LARGE)));
      else chunks.push(chunk);
    };
    const onEnd = () => stop(() => resolve(Buffer.concat(chunks)));
    const onError = (error: Error) => stop(() => reject(new HttpError(400, `the body could not be read: ${error.message}`)));
    req.on("data", onData).on("end", onEnd).on("error", onError);
  });
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Everything that can be refused from the headers alone, before a byte of the body is read. */
function checkHeaders(req: IncomingMessage): { signature: string; id: string; name: string } {
  const signature = header(req, "x-hub-signature-256");
  if (!signature) throw new HttpError(401, "missing X-Hub-Signature-256");
  const declared = Number(header(req, "content-length"));
  if (declared > MAX_BODY_BYTES) throw new HttpError(413, TOO_LARGE);
  const id = header(req, "x-github-delivery");
  const name = header(req, "x-github-event");
  if (!id || !name) throw new HttpError(400, "missing X-GitHub-Delivery or X-GitHub-Event");
  return { signature, id, name };
}

const SIGNATURE_PREFIX = "sha256=";

/**
 * Whether `signature` (`sha256=<hex>`) is the HMAC-SHA256 of the body's bytes under the secret,
 * compared in constant time. Synchronous `node:crypto`: a tenth of the cost of the WebCrypto
 * `verify` of @octokit/webhooks-methods, which imports the key again for every delivery.
 */
export function signatureMatches(secret: string, body: Buffer, signature: string): boolean {
  if (!signature.startsWith(SIGNATURE_PREFIX)) return false;
  const given = Buffer.from(signature.slice(SIGNATURE_PREFIX.length), "hex");
  const expected = createHmac("sha256", secret).update(body).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** ASCII whitespace JSON allows before a value. */
const JSON_SPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);
/** `{` and `[`: how a JSON document GitHub could send starts. */
const JSON_OPENERS = new Set([0x7b, 0x5b]);

/**
 * Whether the body starts like JSON (an object or an array after optional space). The full parse
 * is the worker's, which marks a payload that is not a JSON object unprocessable with the reason;
 * parsing 24 KB here would cost the ingress a fifth of its time. This look still answers at once
 * the misconfiguration that happens: a webhook set to send `application/x-www-form-urlencoded`.
 */
function startsLikeJson(body: Buffer): boolean {
  let first = 0;
  while (first < body.length && JSON_SPACE.has(body[first] as number)) first += 1;
  return JSON_OPENERS.has(body[first] as number);
}

async function accept(req: IncomingMessage, options: IngressOptions): Promise<{ status: number; body: Record<string, unknown> }> {
  const { signature, id, name } = checkHeaders(req);
  const bytes = await readBody(req, options.bodyTimeoutMs ?? BODY_TIMEOUT_MS);
  if (!signatureMatches(options.secret, bytes, signature)) throw new HttpError(401, "invalid X-Hub-Signature-256");
  if (!startsLikeJson(bytes)) throw new HttpError(400, NOT_JSON);
  const stored = await options.queue.enqueueDelivery({ id, name, body: bytes.toString("utf8") }, options.now());
  options.metrics.countDelivery(name, stored ? "queued" : "duplicate");
  return { status: 202, body: { id, status: stored ? "queued" : "duplicate" } };
}

function reply(res: ServerResponse, status: number, body: Record<string, unknown>, headers: Record<string, string> = {}): ServerResponse {
  const text = JSON.stringify(body);
  return res.writeHead(status, { "content-type": "application/json", "content-length": String(Buffer.byteLength(text)), ...headers }).end(text);
}

/**
 * How long the rest of a refused request's body is read and thrown away before the connection is
 * closed: a client that writes its whole body before reading the answer (most HTTP clients do)
 * still gets the answer instead of a reset, and no client holds the connection longer than this.
 */
const LINGER_MS = 2_000;

/**
 * Answers a request whose body was not (or not completely) read, then closes the connection: the
 * answer is written first, the rest of the body is discarded unread for at most {@link LINGER_MS}
 * (a lingering close), then the socket is destroyed.
 */
function refuseUnread(req: IncomingMessage, res: ServerResponse, status: number, body: Record<string, unknown>): void {
  reply(res, status, body, { connection: "close" });
  const close = () => {
    clearTimeout(timer);
    req.destroy();
  };
  const timer = setTimeout(close, LINGER_MS);
  req.once("end", close).once("error", close).resume();
}

/** The ingress as a Probot server handler (true when it handled the request). */
export function createIngress(options: IngressOptions): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  return async (req, res) => {
    const path = req.url?.split("?")[0];
    if (path === MANIFEST_WEBHOOK_PATH && options.path !== MANIFEST_WEBHOOK_PATH && req.method !== "POST") return false;
    if (path !== options.path && path !== MANIFEST_WEBHOOK_PATH) return false;
    if (req.method !== "POST") {
      reply(res, 405, { error: "webhooks are POSTed" });
      return true;
    }
    options.activity?.received();
    let stored = false;
    try {
      const { status, body } = await accept(req, options);
      stored = body.status === "queued";
      reply(res, status, body);
    } catch (error) {
      const status = error instanceof HttpError ? error.status : 503;
      options.metrics.count("hotfix_guard_deliveries_rejected_total", { status: String(status) });
      const body = { error: error instanceof HttpError ? error.message : "the delivery could not be stored; GitHub will show it as failed and it can be redelivered" };
      if (req.complete) reply(res, status, body);
      else refuseUnread(req, res, status, body);
    } finally {
      options.activity?.answered(stored);
    }
    return true;
  };
}
