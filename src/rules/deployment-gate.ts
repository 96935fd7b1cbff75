/**
 * The deployment gate's decision, pure: GitHub asks the app (a custom deployment protection rule)
 * whether a commit may be deployed to an environment. For the configured environments, a commit
 * that carries a hotfix merged as an unjustified bypass, or a hotfix whose Hotfix Guard check
 * fails, is rejected with why and how to clear it; anything else is approved. A hotfix merged as a
 * justified bypass fails its check by design (it skipped what the check asks), so for it the
 * audit's verdict decides alone. Other environments
 * are not the app's to decide.
 */
import type { Policy } from "../config/policy.js";

/** What the app knows about one hotfix pull request the deployed commit belongs to. */
export interface GatedHotfix {
  readonly number: number;
  readonly merged: boolean;
  /**
   * From the app's own audit record: how many requirements the merge did not meet (any makes it a
   * bypass) and whether a verified justification covers it; null while no audit is recorded.
   */
  readonly audit: { readonly unmet: number; readonly justified: boolean } | null;
  /** The conclusion of the app's own Hotfix Guard check on the hotfix's head commit; null when none. */
  readonly check: string | null;
}

/** The gate's answer. */
export type GateDecision =
  | { readonly kind: "ignore"; readonly reason: string }
  | { readonly kind: "wait"; readonly reason: string }
  | { readonly kind: "decide"; readonly state: "approved" | "rejected"; readonly comment: string };

/** True when the environment is one the gate answers for (names compared without case). */
export function gatedEnvironment(environment: string, policy: Policy): boolean {
  return policy.config.deployment_gate.environments.some((name) => name.toLowerCase() === environment.toLowerCase());
}

function problemsOf(hotfix: GatedHotfix): string[] {
  const problems: string[] = [];
  if (hotfix.merged && hotfix.audit && hotfix.audit.unmet > 0 && !hotfix.audit.justified) {
    problems.push(
      `#${hotfix.number} was merged as an unjustified bypass. To clear it, complete the EMERGENCY BYPASS JUSTIFICATION form on #${hotfix.number} and have a repository administrator confirm it; once the audit says "justified bypass", re-run this deployment.`,
    );
  }
  if (hotfix.check === "failure" && !(hotfix.merged && hotfix.audit?.justified)) {
    problems.push(`The Hotfix Guard check of #${hotfix.number} fails. To clear it, fix what the check lists (or justify the bypass after the merge), then re-run this deployment.`);
  }
  return problems;
}

/**
 * Decides a deployment of `sha` to `environment`: ignore an environment outside
 * `deployment_gate.environments`; wait while a merged hotfix has no audit record yet (the audit
 * runs on the merge and is about to say); otherwise reject with every problem, or approve.
 */
export function decideDeployment(environment: string, sha: string, hotfixes: readonly GatedHotfix[], policy: Policy): GateDecision {
  if (!gatedEnvironment(environment, policy)) return { kind: "ignore", reason: `environment ${environment} is not in deployment_gate.environments` };
  const unaudited = hotfixes.filter((hotfix) => hotfix.merged && hotfix.audit === null);
  if (unaudited.length > 0) return { kind: "wait", reason: `the merge audit of ${unaudited.map((h) => `#${h.number}`).join(", ")} is not recorded yet` };
  const problems = hotfixes.flatMap(problemsOf);
  const short = sha.slice(0, 7);
  if (problems.length > 0) return { kind: "decide", state: "rejected", comment: `Hotfix Guard holds ${short} from ${environment}. ${problems.join(" ")}` };
  const what = hotfixes.length === 0 ? "it carries no hotfix" : `hotfix ${hotfixes.map((h) => `#${h.number}`).join(", ")}: no unjustified bypass and no failing check`;
  return { kind: "decide", state: "approved", comment: `Hotfix Guard approves ${short} for ${environment}: ${what}.` };
}
