/**
 * The bench's webhook deliveries: `pull_request.opened` for a hotfix pull request of installation
 * `n` (repository `acme-n/repo-n`, pull request `n`), signed with the bench's secret, optionally
 * padded with an unread field to a realistic size (GitHub's pull request deliveries are about 24 KB).
 */
import { randomUUID } from "node:crypto";
import { sign } from "@octokit/webhooks-methods";
import { pullRequestEvent } from "../test/helpers/fixtures.js";
import { headShaOf } from "./mock-github.js";

/** A signed delivery, ready to POST. */
export interface SignedDelivery {
  readonly event: string;
  readonly body: string;
  readonly signature: string;
}

/** The hotfix pull request `number` opened in installation `installation`, padded to at least `bytes`. */
export async function hotfixOpened(secret: string, installation: number, number: number, bytes = 0): Promise<SignedDelivery> {
  const { payload } = pullRequestEvent("opened", { number, headSha: headShaOf(number) });
  const owner = `acme-${installation}`;
  const name = `repo-${installation}`;
  payload.repository = { ...payload.repository, name, full_name: `${owner}/${name}`, owner: { ...payload.repository.owner, login: owner } };
  payload.installation = { id: installation };
  let body = JSON.stringify(payload);
  if (body.length < bytes) body = JSON.stringify({ ...payload, bench_padding: "x".repeat(bytes - body.length) });
  return { event: "pull_request", body, signature: await sign(secret, body) };
}

/** The headers GitHub sends with a delivery, under a new delivery id. */
export function deliveryHeaders(delivery: SignedDelivery): Record<string, string> {
  return { "content-type": "application/json", "x-github-event": delivery.event, "x-github-delivery": randomUUID(), "x-hub-signature-256": delivery.signature };
}

/** POSTs a delivery; resolves with the HTTP status and the milliseconds until the answer was read. */
export async function postDelivery(url: string, delivery: SignedDelivery): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  const response = await fetch(url, { method: "POST", headers: deliveryHeaders(delivery), body: delivery.body });
  await response.arrayBuffer();
  return { status: response.status, ms: performance.now() - started };
}
