/**
 * One check run per head commit and name, written only when what it says has changed. The
 * output carries a hidden fingerprint of itself; reading the latest check run back (one request)
 * tells whether a write is needed, so a duplicate or redelivered event costs no write, and a
 * changed verdict updates the existing run instead of adding a second one.
 */
import { createHash } from "node:crypto";
import type { CheckRunOutput, GithubGateway, RepoRef } from "./gateway.js";

/** What publishing did. */
export type PublishResult = "created" | "updated" | "unchanged";

const MARKER = /<!-- hotfix-guard:fingerprint ([0-9a-f]{16}) -->/;

function fingerprintOf(output: CheckRunOutput): string {
  return createHash("sha256")
    .update(JSON.stringify([output.name, output.conclusion, output.title, output.summary, output.text ?? ""]))
    .digest("hex")
    .slice(0, 16);
}

/** Creates or updates the named check run on `sha` unless it already says exactly this. */
export async function publishCheckRun(gateway: GithubGateway, repo: RepoRef, sha: string, output: CheckRunOutput): Promise<PublishResult> {
  const fingerprint = fingerprintOf(output);
  const marked: CheckRunOutput = { ...output, summary: `${output.summary}\n\n<!-- hotfix-guard:fingerprint ${fingerprint} -->` };
  const existing = await gateway.findCheckRun(repo, sha, output.name);
  if (existing && MARKER.exec(existing.summary ?? "")?.[1] === fingerprint) return "unchanged";
  if (existing) {
    await gateway.updateCheckRun(repo, existing.id, marked);
    return "updated";
  }
  await gateway.createCheckRun(repo, sha, marked);
  return "created";
}
