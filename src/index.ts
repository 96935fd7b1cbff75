/**
 * Hotfix Guard, the Probot app: wires the handlers to the events and serves `/healthz`.
 * `createApp` takes the clock and identity so tests can pin them; the default export is what
 * `probot run ./lib/index.js` loads.
 */
import type { ApplicationFunction, Probot } from "probot";
import type { IncomingMessage, ServerResponse } from "node:http";
import { registerBranchCreatedHandler } from "./handlers/branch-created.js";
import { registerBypassCommandHandlers } from "./handlers/bypass-commands.js";
import { registerCheckRerunHandler } from "./handlers/check-rerun.js";
import { registerConfigPushHandler } from "./handlers/config-push.js";
import { registerDeploymentGateHandler } from "./handlers/deployment-gate.js";
import { registerInstallationHandlers } from "./handlers/installation.js";
import { registerMergeAuditHandlers } from "./handlers/merge-audit.js";
import { registerMergeBackHandlers } from "./handlers/merge-back.js";
import { MERGED_HOTFIX_STEPS, mergedPullRequestHandler } from "./handlers/merged-hotfix.js";
import { registerPostIncidentHandlers } from "./handlers/post-incident.js";
import { registerPullRequestHandlers } from "./handlers/pull-request.js";
import { registerBackMergeCheckHandlers } from "./handlers/back-merge-check.js";
import { registerReleaseCommandHandlers } from "./handlers/release-commands.js";
import { registerReleaseGuardHandlers } from "./handlers/release-guard.js";
import type { HotfixRecorder } from "./log/recorder.js";
import { registerHotfixLogRoutes } from "./log/routes.js";
import type { KeyedLock } from "./handlers/keyed-lock.js";
import type { Notify } from "./notify/events.js";
import { createServices, type Scheduler, type Services } from "./handlers/services.js";

/** Options of {@link createApp}. */
export interface AppOptions {
  /** The clock the rules read; the real one by default. */
  readonly now?: () => Date;
  /** The GitHub App id, to tell the app's check runs from others'; `APP_ID` by default. */
  readonly appId?: number;
  /** Durable timed jobs, when the app runs with a store. */
  readonly scheduler?: Scheduler;
  /** Per-pull-request ordering; with a shared database it holds across replicas. */
  readonly locks?: KeyedLock;
  /** The hotfix log, when the app runs with a store. */
  readonly hotfixLog?: HotfixRecorder;
  /** Notifications, when the app runs with a store (src/notify). */
  readonly notify?: Notify;
  /** Receives the services the handlers share, for the durable runtime's timed jobs. */
  readonly onServices?: (services: Services) => void;
}

/** Answers `GET /healthz` with 200 while the process serves requests. */
function healthz(req: IncomingMessage, res: ServerResponse): boolean {
  if (req.method !== "GET" || req.url?.split("?")[0] !== "/healthz") return false;
  res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ status: "ok" }));
  return true;
}

/** Builds the app function. */
export function createApp(options: AppOptions = {}): ApplicationFunction {
  return (app: Probot, { addHandler }) => {
    const envAppId = Number(process.env.APP_ID);
    const appId = options.appId ?? (Number.isInteger(envAppId) && envAppId > 0 ? envAppId : undefined);
    const services = createServices({
      ...(options.now ? { now: options.now } : {}),
      ...(options.scheduler ? { scheduler: options.scheduler } : {}),
      ...(options.locks ? { locks: options.locks } : {}),
      ...(options.hotfixLog ? { hotfixLog: options.hotfixLog } : {}),
      ...(options.notify ? { notify: options.notify } : {}),
      identity: { ...(appId ? { appId } : {}), appOctokit: () => app.auth() },
    });
    options.onServices?.(services);
    addHandler(healthz);
    registerPullRequestHandlers(app, services);
    registerBranchCreatedHandler(app, services);
    registerConfigPushHandler(app, services);
    registerCheckRerunHandler(app, services);
    // A merged pull request: one pipeline, the audit (with its post-incident issue) before merge-back;
    // the command line's `audit` runs the same steps read-only.
    app.on("pull_request.closed", mergedPullRequestHandler(services, MERGED_HOTFIX_STEPS));
    registerMergeAuditHandlers(app, services);
    registerBypassCommandHandlers(app, services);
    registerPostIncidentHandlers(app, services);
    registerMergeBackHandlers(app, services);
    registerReleaseGuardHandlers(app, services);
    registerReleaseCommandHandlers(app, services);
    registerBackMergeCheckHandlers(app, services);
    registerInstallationHandlers(app, services);
    registerDeploymentGateHandler(app, services);
    registerHotfixLogRoutes(app, services);
  };
}

export default createApp();
