/**
 * Which feature is off for want of which permission. GitHub's permission tables for GitHub Apps
 * (github/docs `src/github-apps/data/fpt-2022-11-28/server-to-server-permissions.json`) decide
 * what each call needs; the app asks for least privilege by default (app.yml), so a feature a
 * team turns on may need a permission the installation never granted. This rule says so where the
 * team configures the feature, instead of letting it end in a 403 after the merge. Pure: the
 * configuration and the granted permissions in, the gaps out.
 */
import type { PermissionGap } from "../config/policy.js";
import type { HotfixConfig } from "../config/schema.js";

/** Permission levels by name as GitHub grants them (`{ contents: "read" }`). */
export type GrantedPermissions = Readonly<Record<string, string>>;

/** What a feature needs, and whether the configuration uses it. */
interface FeatureNeed {
  readonly feature: string;
  readonly setting: string | null;
  /** The permission's key in GitHub's API (`pull_requests`). */
  readonly key: string;
  readonly permission: string;
  readonly level: "read" | "write";
  readonly used: (config: HotfixConfig) => boolean;
}

const NEEDS: readonly FeatureNeed[] = [
  {
    feature: "GitHub's record of ruleset bypasses in the merge audit (the rule-suites API)",
    setting: null,
    key: "administration",
    permission: "Administration",
    level: "write",
    used: () => true,
  },
  {
    feature: "opening back-merge pull requests",
    setting: "merge_back.open_pull_requests",
    key: "pull_requests",
    permission: "Pull requests",
    level: "write",
    used: (config) => config.merge_back.open_pull_requests,
  },
  {
    feature: "creating a backport branch for a back-merge pull request when the hotfix branch is gone",
    setting: "merge_back.open_pull_requests",
    key: "contents",
    permission: "Contents",
    level: "write",
    used: (config) => config.merge_back.open_pull_requests,
  },
  {
    feature: "deleting the hotfix branch once every target has the fix",
    setting: "merge_back.delete_hotfix_branch",
    key: "contents",
    permission: "Contents",
    level: "write",
    used: (config) => config.merge_back.delete_hotfix_branch,
  },
  {
    feature: "asking reviewers on the escalation ladder",
    setting: "escalation.ladder",
    key: "pull_requests",
    permission: "Pull requests",
    level: "write",
    used: (config) => config.escalation.ladder.some((step) => step.request_review.length > 0),
  },
  {
    feature: "team membership of reviewers, authorisers and notified teams",
    setting: "approvals.reviewers.teams, bypass.authorizers.teams, audit.notify.teams",
    key: "members",
    permission: "Members (organisation)",
    level: "read",
    used: (config) => [config.approvals.reviewers.teams, config.bypass.authorizers.teams, config.audit.notify.teams].some((teams) => teams.length > 0),
  },
];

const RANK: Readonly<Record<string, number>> = { none: 0, read: 1, write: 2, admin: 3 };

function satisfies(granted: string | undefined, level: "read" | "write"): boolean {
  return (RANK[granted ?? "none"] ?? 0) >= (RANK[level] ?? 0);
}

/**
 * The features the configuration uses (and the always-on ones) that the installation's
 * permissions do not allow, in a fixed order.
 */
export function missingPermissions(config: HotfixConfig, granted: GrantedPermissions): PermissionGap[] {
  return NEEDS.filter((need) => need.used(config) && !satisfies(granted[need.key], need.level)).map((need) => ({
    feature: need.feature,
    setting: need.setting,
    permission: need.permission,
    level: need.level,
    granted: granted[need.key] ?? "none",
  }));
}
