/**
 * A push to the default branch that touches `.github/hotfix-guard.yml` → drop the cached
 * configuration (all of the owner's when it is the organisation's `.github` repository), read
 * the new one, and report on the pushed commit whether it is valid, so whoever changed the
 * policy sees a mistake at once rather than on the next hotfix.
 */
import type { Context, Probot } from "probot";
import { publishCheckRun } from "../github/check-runs.js";
import { CONFIG_PATH } from "../config/schema.js";
import { renderInvalidConfigCheck, renderValidConfigCheck } from "../render/check-run.js";
import { configFor, gatewayFor, isOwnEvent, repoOf, type Services } from "./services.js";

/** The check the commit that changes the configuration gets. */
export const CONFIG_CHECK_NAME = "Hotfix Guard: configuration";
const DELETED = /^0+$/;

/** Whether a push may have changed the configuration file: it names it, or it rewrote history. */
function touchesConfig(payload: Context<"push">["payload"]): boolean {
  if (payload.forced || payload.commits.length === 0) return true;
  return payload.commits.some((commit) => [...(commit.added ?? []), ...(commit.modified ?? []), ...(commit.removed ?? [])].includes(CONFIG_PATH));
}

/** Handles a push: invalidates and re-validates the configuration when it changed. */
export async function handleConfigPush(context: Context<"push">, services: Services): Promise<void> {
  const { payload } = context;
  if (payload.ref !== `refs/heads/${payload.repository.default_branch}` || DELETED.test(payload.after)) return;
  if (!touchesConfig(payload)) return;
  const repo = repoOf(context);
  services.configs.invalidate(repo.owner, repo.repo === ".github" ? undefined : repo.repo);
  const gateway = gatewayFor(context, services);
  if (await isOwnEvent(context, gateway, services)) return;
  const config = await configFor(gateway, repo, services);
  const output = config.ok ? renderValidConfigCheck(config.policy.source, CONFIG_CHECK_NAME) : renderInvalidConfigCheck(config.problems, config.files, CONFIG_CHECK_NAME);
  const result = await publishCheckRun(gateway, repo, payload.after, output);
  context.log.info({ sha: payload.after, valid: config.ok, result }, "configuration changed");
}

/** Registers the push handler. */
export function registerConfigPushHandler(app: Probot, services: Services): void {
  app.on("push", (context) => handleConfigPush(context, services));
}
