/** Placeholder: being written in this session. */
import type { Probot } from "probot";
import type { Services } from "./services.js";

/** Registers the handlers. */
export function registerMergeAuditHandlers(_app: Probot, _services: Services): void {}
