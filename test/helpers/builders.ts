/**
 * Builders for rule tests: a policy from a partial config file, and a snapshot of a hotfix PR
 * that passes every default rule, to be overridden field by field.
 */
import { resolveConfig } from "../../src/config/load.js";
import type { Policy } from "../../src/config/policy.js";
import type { PullRequestSnapshot } from "../../src/rules/types.js";

/** A policy from the given config file contents (defaults for everything else); throws when invalid. */
export function policyFrom(config: unknown = null): Policy {
  const result = resolveConfig([{ location: "acme/payments:.github/hotfix-guard.yml", config }]);
  if (!result.ok) throw new Error(`invalid test config: ${JSON.stringify(result.problems)}`);
  return result.policy;
}

/** A description that fills in seed 001's hotfix template completely. */
export const COMPLETE_BODY = `## 🚨 HOTFIX - EMERGENCY DEPLOYMENT

**Incident Reference:** INC-4521
**Severity:** CRITICAL
**Emergency Justification:** Checkout fails for every customer since the 14:05 deploy.

### Issue Description
The payment gateway client sends an empty currency code, so every charge is rejected.

### Fix Implementation
Default the currency to the account's currency when the cart has none.

### Testing Performed
- [x] Existing tests pass
- [x] New test validates fix
- [ ] Manual validation: N/A: no staging access during the outage
- [ ] Staging validation: N

### Risk Assessment
**Risks Accepted:** Shortened review.
**Rollback Plan:** Revert the merge commit and redeploy.
**Monitoring Plan:** Watch the checkout error rate for 30 minutes.

### Post-Deployment Actions
- [ ] Monitor production for 30 minutes
- [ ] Schedule post-incident review
`;

/** The head commit of the default snapshot. */
export const HEAD_SHA = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678";
/** The time rules are evaluated at in tests. */
export const NOW = new Date("2026-11-23T15:00:00Z");

/** A snapshot of a compliant hotfix PR under the default policy, with overrides. */
export function snapshot(overrides: Partial<PullRequestSnapshot> = {}): PullRequestSnapshot {
  return {
    number: 42,
    title: "hotfix(payments): default the currency code",
    body: COMPLETE_BODY,
    author: "dev-alice",
    headRef: "hotfix/v1.4.3-default-currency",
    headSha: HEAD_SHA,
    baseRef: "main",
    labels: [],
    additions: 12,
    deletions: 3,
    changedFiles: 2,
    files: [
      { filename: "src/payments/charge.ts", status: "modified", additions: 4, deletions: 3 },
      { filename: "src/payments/charge.test.ts", status: "modified", additions: 8, deletions: 0 },
    ],
    reviews: [{ reviewer: "senior-bob", state: "APPROVED", commitId: HEAD_SHA, submittedAt: "2026-11-23T14:40:00Z" }],
    reviewers: { "senior-bob": { permission: "write", teams: [], notes: [] } },
    latestVersionTag: "v1.4.2",
    ...overrides,
  };
}
