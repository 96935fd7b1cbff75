/**
 * "Re-run" on the Hotfix Guard check → evaluate its pull requests again. This is how a
 * developer refreshes the verdict after something the app hears no event for (a fixed
 * configuration, a reviewer's new permission, a new tag) without pushing a commit.
 */
import type { Context, Probot } from "probot";
import { CHECK_NAME } from "../render/check-run.js";
import { evaluatePullRequest } from "./pull-request.js";
import { gatewayFor, isForeignDelivery, refOf, type Services } from "./services.js";

/** Re-evaluates the pull requests of a re-requested Hotfix Guard check run. */
export async function rerunCheck(context: Context<"check_run.rerequested">, services: Services): Promise<void> {
  const { check_run: run } = context.payload;
  const { appId } = services.identity;
  if (run.name !== CHECK_NAME || (appId !== undefined && run.app?.id !== appId)) return;
  if (await isForeignDelivery(context, services)) return;
  const gateway = gatewayFor(context, services);
  for (const pr of run.pull_requests) {
    const ref = { ...refOf(context), number: pr.number, baseRef: pr.base.ref, headSha: pr.head.sha, force: true };
    await evaluatePullRequest(gateway, ref, services, context.log);
  }
}

/** Registers the re-run handler. */
export function registerCheckRerunHandler(app: Probot, services: Services): void {
  app.on("check_run.rerequested", (context) => rerunCheck(context, services));
}
