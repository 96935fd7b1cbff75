/**
 * The app's replies to bypass commands: the request that asks the authorisers (the one place the
 * app mentions them), and the acknowledgement of a grant, whose hidden line records the head
 * commit the grant was given for. Only the policy's own texts and verified logins are shown; the
 * requester's words are not echoed. Each reply carries the marker a redelivery finds it by. Pure.
 */
import type { BypassGrant } from "../model/bypass.js";
import { bypassRequestMarker, grantBindingMarker } from "../model/records.js";
import { quiet, quietLogin } from "./audit.js";

function minute(iso: string): string {
  return `${new Date(iso).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/**
 * The reply to a `/hotfix request-bypass` that counted: who asked, for which allowed reason, and
 * the authorisers asked to decide (`mentions`, already `@`-prefixed; empty: the repository's
 * administrators, named without a mention because none could be listed).
 */
export function renderBypassRequest(requester: string, reason: string, mentions: readonly string[], commentId: number): string {
  const asked = mentions.length > 0 ? mentions.join(" ") : "Repository administrators";
  return [
    `${asked}: ${quietLogin(requester)} requests an emergency bypass of the hotfix policy: **${quiet(reason)}**.`,
    "",
    "An authoriser (not the pull request's author) decides in a new comment: `/hotfix grant-bypass [duration]` (for example `2h`) or `/hotfix deny-bypass <why>`. A grant holds for the current head commit only and runs out; the emergency bypass justification form is still required.",
    "",
    bypassRequestMarker(commentId),
  ].join("\n");
}

/** The reply to a `/hotfix grant-bypass` that counted: who granted, until when, for which commit. */
export function renderGrantRecorded(grant: BypassGrant): string {
  return [
    `Bypass granted by ${quietLogin(grant.login)} at ${minute(grant.at)}, until ${minute(grant.until)}, for commit \`${grant.sha.slice(0, 7)}\`. A later push needs a new grant; a \`/hotfix deny-bypass\` revokes it.`,
    "",
    grantBindingMarker(grant.commentId, grant.sha),
  ].join("\n");
}
