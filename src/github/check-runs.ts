/**
 * One check run per head commit and name, written only when what it says has changed. The
 * output carries a hidden fingerprint of itself; reading the latest check run back (one request)
 * tells whether a write is needed, so a duplicate or redelivered event costs no write, and a
 * changed verdict updates the existing run instead of adding a second one. The create goes through
 * the write policy: sent once, and after an ambiguous failure the run is looked for again.
 */
import { createHash } from "node:crypto";
import type { CheckRunOutput, ExistingCheckRun, GithubGateway, RepoRef } from "./gateway.js";
import { createOnce } from "./writes.js";

/** What publishing did. */
export type PublishResult = "created" | "updated" | "unchanged";

const MARKER = /<!-- hotfix-guard:fingerprint ([0-9a-f]{16}) -->/g;

function fingerprintOf(output: CheckRunOutput): string {
  return createHash("sha256")
    .update(JSON.stringify([output.name, output.conclusion, output.title, output.summary, output.text ?? ""]))
    .digest("hex")
    .slice(0, 16);
}

/** The fingerprint in a summary the app wrote: the last marker, since only the app's own comes last. */
function fingerprintIn(summary: string | null): string | undefined {
  return [...(summary ?? "").matchAll(MARKER)].at(-1)?.[1];
}

/**
 * Creates or updates the named check run on `sha` unless it already says exactly this. With
 * `force` (a re-run was requested, and GitHub has reset the run) it writes even when unchanged.
 */
export async function publishCheckRun(gateway: GithubGateway, repo: RepoRef, sha: string, output: CheckRunOutput, force = false): Promise<PublishResult> {
  const fingerprint = fingerprintOf(output);
  const marked: CheckRunOutput = { ...output, summary: `${output.summary}\n\n<!-- hotfix-guard:fingerprint ${fingerprint} -->` };
  const existing = await gateway.findCheckRun(repo, sha, output.name);
  if (!force && existing && fingerprintIn(existing.summary) === fingerprint) return "unchanged";
  if (existing) {
    await gateway.updateCheckRun(repo, existing.id, marked);
    return "updated";
  }
  const created = await createOnce<ExistingCheckRun>({
    what: `check run "${output.name}" on ${sha.slice(0, 7)}`,
    found: null,
    find: () => gateway.findCheckRun(repo, sha, output.name),
    create: async () => ({ id: await gateway.createCheckRun(repo, sha, marked), conclusion: output.conclusion, summary: marked.summary }),
  });
  if (fingerprintIn(created.value.summary) === fingerprint) return "created";
  await gateway.updateCheckRun(repo, created.value.id, marked);
  return "updated";
}
