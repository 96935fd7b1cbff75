/**
 * `installation.new_permissions_accepted` → the installation's permissions changed: exchange its
 * access token again (a token keeps the permissions it was issued with, and the features a
 * missing permission switches off are read from it) and record its account from the payload.
 */
import type { Context, Probot } from "probot";
import { installationFacts, refreshGrantedPermissions } from "../github/installation.js";
import type { Services } from "./services.js";

/** Handles newly accepted permissions of an installation. */
export async function handleNewPermissions(context: Context<"installation.new_permissions_accepted">, services: Services): Promise<void> {
  const { installation } = context.payload;
  services.installations.remember(installationFacts(installation));
  const granted = await refreshGrantedPermissions(context.octokit);
  context.log.info({ installation: installation.id, permissions: granted }, "installation permissions changed");
}

/** Registers the installation handler. */
export function registerInstallationHandlers(app: Probot, services: Services): void {
  app.on("installation.new_permissions_accepted", (context) => handleNewPermissions(context, services));
}
