/**
 * Sending one rendered message to one destination, once: the clients make no retries of their
 * own (Slack's `WebClient` with `retryConfig: { retries: 0 }` and `rejectRateLimitedCalls`), so
 * the durable queue decides when to try again and honours `Retry-After`. A failure becomes a
 * {@link SendError} that says whether trying again can help and how long the destination asked
 * to wait. Slack: the official clients `@slack/webhook` (IncomingWebhook) and `@slack/web-api`
 * (WebClient). Teams workflow webhooks and the generic webhook: `fetch` (no Teams client library
 * runs on Node 20; see the README's design notes).
 */
import { createHmac } from "node:crypto";
import { IncomingWebhook, IncomingWebhookHTTPError } from "@slack/webhook";
import { ErrorCode as SlackErrorCode, LogLevel, WebClient, type WebAPICallError } from "@slack/web-api";
import type { Destination } from "./destinations.js";

/** A failed send: `retryAfterMs` when the destination asked to wait, `permanent` when retrying cannot help. */
export class SendError extends Error {
  override readonly name = "SendError";
  constructor(
    message: string,
    readonly permanent: boolean,
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
  }
}

/** What a send produced: the Slack message's `ts` and channel (a thread's root), when the destination says. */
export interface SendResult {
  readonly ts?: string;
  readonly channel?: string;
}

/** One message, in every format, ready to send. */
export interface OutgoingMessage {
  /** Slack mrkdwn. */
  readonly slack: string;
  /** The Teams Adaptive Card message. */
  readonly teams: object;
  /** The generic webhook's JSON body. */
  readonly webhook: object;
  /** The generic webhook's delivery id, stable across retries of the same message. */
  readonly deliveryId: string;
}

/** The header carrying the generic webhook's signature: `sha256=<hex HMAC-SHA256 of the raw body>`. */
export const SIGNATURE_HEADER = "X-Hotfix-Guard-Signature-256";
/** The header carrying the delivery's id (unchanged across retries: receivers deduplicate on it). */
export const DELIVERY_HEADER = "X-Hotfix-Guard-Delivery";
/** The header carrying the send time (Unix seconds), signed with the body so a replay can be refused. */
export const TIMESTAMP_HEADER = "X-Hotfix-Guard-Timestamp";

/** How long one request may take. */
const TIMEOUT_MS = 10_000;

/** `retry-after` in seconds (or an HTTP date) as milliseconds; null when absent or unreadable. */
export function retryAfterMs(value: string | null | undefined, now: Date = new Date()): number | null {
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.max(1000, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(1000, at - now.getTime());
}

/** An HTTP failure: 429 waits, other 4xx (but 408) are permanent, 5xx and the rest are retried. */
function httpError(what: string, status: number, retryAfter: string | null, body = ""): SendError {
  const detail = `${what} answered HTTP ${status}${body ? `: ${body.slice(0, 200)}` : ""}`;
  if (status === 429) return new SendError(detail, false, retryAfterMs(retryAfter) ?? 60_000);
  return new SendError(detail, status >= 400 && status < 500 && status !== 408, status === 503 ? retryAfterMs(retryAfter) : null);
}

async function postJson(what: string, url: string, body: string, headers: Record<string, string> = {}): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body, signal: AbortSignal.timeout(TIMEOUT_MS), redirect: "error" });
  } catch (error) {
    throw new SendError(`${what} unreachable: ${(error as Error).message}`, false);
  }
  const text = await response.text().catch(() => "");
  if (!response.ok) throw httpError(what, response.status, response.headers.get("retry-after"), text);
}

async function sendSlackWebhook(url: string, text: string): Promise<SendResult> {
  let retryAfter: string | null = null;
  const webhook = new IncomingWebhook(url, {
    timeout: TIMEOUT_MS,
    // Keeps the answer's Retry-After, which the client's HTTP error does not carry.
    fetch: async (input, init) => {
      const response = await fetch(input, { ...init, redirect: "error" } as RequestInit);
      retryAfter = response.headers.get("retry-after");
      return response;
    },
  });
  try {
    await webhook.send({ text, unfurl_links: false, unfurl_media: false });
    return {};
  } catch (error) {
    if (error instanceof IncomingWebhookHTTPError) throw httpError("Slack incoming webhook", error.statusCode, retryAfter, error.body);
    throw new SendError(`Slack incoming webhook unreachable: ${(error as Error).message}`, false);
  }
}

/** Slack Web API errors that retrying cannot fix (a wrong token, channel or scope). */
const PERMANENT_SLACK_ERRORS = new Set(["invalid_auth", "not_authed", "account_inactive", "token_revoked", "channel_not_found", "not_in_channel", "is_archived", "missing_scope", "msg_too_long", "no_text", "invalid_blocks"]);

async function sendSlackBot(destination: Extract<Destination, { type: "slack-bot" }>, text: string, threadTs: string | undefined): Promise<SendResult> {
  const client = new WebClient(destination.token, {
    ...(destination.api_url ? { slackApiUrl: destination.api_url.endsWith("/") ? destination.api_url : `${destination.api_url}/` } : {}),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: TIMEOUT_MS,
    logLevel: LogLevel.ERROR,
  });
  try {
    const answer = await client.chat.postMessage({ channel: destination.channel, text, unfurl_links: false, unfurl_media: false, ...(threadTs ? { thread_ts: threadTs } : {}) });
    return { ...(answer.ts ? { ts: answer.ts } : {}), ...(answer.channel ? { channel: answer.channel } : {}) };
  } catch (caught) {
    const error = caught as WebAPICallError;
    switch (error.code) {
      case SlackErrorCode.RateLimitedError:
        throw new SendError("Slack Web API rate limited chat.postMessage", false, Math.max(1, error.retryAfter) * 1000);
      case SlackErrorCode.HTTPError:
        throw httpError("Slack Web API", error.statusCode, error.headers["retry-after"] ?? null);
      case SlackErrorCode.PlatformError: {
        const reason = String(error.data.error);
        throw new SendError(`Slack Web API refused chat.postMessage: ${reason}`, PERMANENT_SLACK_ERRORS.has(reason));
      }
      default:
        throw new SendError(`Slack Web API unreachable: ${error.message}`, false);
    }
  }
}

/** The generic webhook's signature of a raw body: `sha256=` and the hex HMAC-SHA256 of `timestamp.body`. */
export function signatureOf(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

/**
 * Sends a message to a destination. `threadTs` (Slack bot only) posts it as a reply in that
 * thread. Throws {@link SendError}; never logs or includes a secret.
 */
export async function sendMessage(destination: Destination, message: OutgoingMessage, threadTs?: string, now: Date = new Date()): Promise<SendResult> {
  switch (destination.type) {
    case "slack-webhook":
      return sendSlackWebhook(destination.url, message.slack);
    case "slack-bot":
      return sendSlackBot(destination, message.slack, threadTs);
    case "teams":
      await postJson("Teams workflow webhook", destination.url, JSON.stringify(message.teams));
      return {};
    case "webhook": {
      const body = JSON.stringify(message.webhook);
      const timestamp = String(Math.floor(now.getTime() / 1000));
      await postJson("webhook", destination.url, body, {
        [SIGNATURE_HEADER]: signatureOf(destination.secret, timestamp, body),
        [TIMESTAMP_HEADER]: timestamp,
        [DELIVERY_HEADER]: message.deliveryId,
        "user-agent": "hotfix-guard",
      });
      return {};
    }
  }
}
