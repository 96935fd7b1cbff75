/**
 * What teams copy from this repository: the JSON Schema their editor loads, and the example
 * configurations. The schema file must be what the zod schema generates; every example must be a
 * valid policy, its copy in docs/configuration.md current, and it must accept a hotfix pull request
 * that follows its own procedure while refusing what that procedure sends to the regular release.
 */
import { readdirSync, readFileSync } from "node:fs";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/config/load.js";
import type { Policy } from "../../src/config/policy.js";
import { CONFIGURATION_DOC, EXAMPLES_DIR, JSON_SCHEMA_FILE, exampleMarkers, renderConfigJsonSchema } from "../../src/config/reference.js";
import { configSchema } from "../../src/config/schema.js";
import { classifyPullRequest } from "../../src/rules/classify.js";
import { evaluateHotfix } from "../../src/rules/index.js";
import type { PullRequestSnapshot } from "../../src/rules/types.js";
import { COMPLETE_BODY, HEAD_SHA, NOW, snapshot } from "../helpers/builders.js";

interface SchemaNode {
  description?: string;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  anyOf?: SchemaNode[];
  additionalProperties?: SchemaNode | boolean;
}

/** Dotted paths of the keys without a description, anywhere in the schema. */
function undocumentedKeys(node: SchemaNode, path = ""): string[] {
  const own = Object.entries(node.properties ?? {}).flatMap(([key, child]) => [
    ...(child.description ? [] : [`${path}${key}`]),
    ...undocumentedKeys(child, `${path}${key}.`),
  ]);
  const nested = [...(node.items ? [node.items] : []), ...(node.anyOf ?? [])].flatMap((child) => undocumentedKeys(child, path));
  return [...own, ...nested];
}

/** The YAML embedded for an example file in the configuration guide, or null when it is not embedded. */
function embeddedExample(guide: string, file: string): string | null {
  const { start, end } = exampleMarkers(file);
  const from = guide.indexOf(start);
  const to = guide.indexOf(end);
  if (from === -1 || to < from) return null;
  const block = guide.slice(from + start.length, to).trim();
  return /^```yaml\n([\s\S]*)\n```$/.exec(block)?.[1] ?? null;
}

function policyOf(yaml: string, file: string): Policy {
  const result = resolveConfig([{ location: `acme/payments:.github/hotfix-guard.yml (${file})`, config: parse(yaml) }]);
  if (!result.ok) throw new Error(`${file} is invalid: ${JSON.stringify(result.problems)}`);
  return result.policy;
}

const REVIEW = { state: "APPROVED" as const, commitId: HEAD_SHA, submittedAt: "2026-11-23T14:40:00Z" };

/** Each example, with a hotfix pull request made by its procedure and what the procedure refuses. */
const PROCEDURES: Record<string, { pr: PullRequestSnapshot; refused: { change: Partial<PullRequestSnapshot>; rule: string } }> = {
  "emergency-fix-workflow.yml": {
    pr: snapshot({
      headRef: "hotfix/disable-payment-retry",
      latestVersionTag: null,
      title: "Disable the failing payment retry",
      body: [
        "**Incident:** INC-311",
        "**Severity:** CRITICAL",
        "",
        "### Impact",
        "**Users affected:** every customer at checkout",
        "**Features affected:** checkout",
        "**Data impact:** None",
        "",
        "### Root Cause",
        "The payment retry loops on a declined card and exhausts the connection pool.",
        "",
        "### Emergency Fix Applied",
        "The retry is disabled behind its flag.",
        "",
        "### Fast Testing",
        "- [x] Tested the specific issue",
        "- [x] Quick smoke test",
        "- [x] No obvious breaks",
        "",
        "### Review Skipped",
        "dev-alice deployed it; the retry design review waits for the proper fix.",
      ].join("\n"),
      commits: [{ sha: HEAD_SHA, parents: 1, message: "Disable the failing payment retry\n\nEMERGENCY FIX: the retry exhausts the connection pool" }],
      reviews: [],
    }),
    refused: { change: { body: "**Incident:** INC-311\n**Severity:** HIGH" }, rule: "severity" },
  },
  "hotfix-log.yml": {
    pr: snapshot({
      headRef: "hotfix/restore-search-index",
      latestVersionTag: null,
      title: "HOTFIX-014 restore the search index name",
      body: [
        "**Tracking:** HOTFIX-014",
        "**Date/Time:** 2026-11-23 14:20",
        "**Severity:** 🔴 Critical",
        "**Who:** dev-alice",
        "",
        "#### The Emergency",
        "**Problem:** Search returns 500 for every query.",
        "**Impact:** All users; no orders from search.",
        "**Why Emergency:** Search is down in production and cannot wait 2 hours.",
        "",
        "#### The Fix",
        "**Change Made:** Restore the index name.",
        "**Files/Systems Affected:** search service config",
        "**Rollback Plan:** Revert the merge commit.",
        "",
        "#### The Context",
        "**Root Cause (Initial):** The index was renamed in the last deploy.",
        "**Risk Accepted:** No load test.",
        "**Monitoring:** Search 5xx rate.",
      ].join("\n"),
      reviews: [{ reviewer: "senior-eve", ...REVIEW }],
      reviewers: { "senior-eve": { permission: "write", teams: ["senior-engineers"], notes: [] } },
    }),
    refused: { change: { reviewers: { "senior-eve": { permission: "write", teams: [], notes: [] } } }, rule: "approvals" },
  },
  "versioned-release-flow.yml": {
    pr: snapshot({
      headRef: "hotfix/v1.2.1-security-vulnerability-fix",
      latestVersionTag: "v1.2.0",
      body: COMPLETE_BODY.replace("INC-4521", "#4521"),
      commits: [
        {
          sha: HEAD_SHA,
          parents: 1,
          message:
            "hotfix(auth): reject expired session tokens\n\nEMERGENCY FIX: expired tokens were accepted\nRoot Cause: the expiry check compared seconds with milliseconds\nImpact: every signed-in user\nSolution: compare in seconds\n\nIncident: #4521",
        },
      ],
      reviews: [{ reviewer: "senior-bob", ...REVIEW }],
      reviewers: { "senior-bob": { permission: "write", teams: ["senior-developers"], notes: [] } },
    }),
    refused: { change: { body: COMPLETE_BODY.replace("INC-4521", "#4521").replace("**Severity:** CRITICAL", "**Severity:** MEDIUM") }, rule: "severity" },
  },
  "timestamped-emergency.yml": {
    pr: snapshot({
      headRef: "hotfix/emergency-20261123-1405",
      latestVersionTag: null,
      title: "HOTFIX: restore comment saving",
      body: [
        "**Incident Reference:** INC-4521",
        "**Severity:** CRITICAL",
        "",
        "### Issue Description",
        "Saving a comment fails for every user since the 13:50 deploy.",
        "",
        "### Fix Implementation",
        "Restore the missing column default.",
        "",
        "### Testing Performed",
        "- [x] Smoke tests pass",
        "",
        "### Rollback Plan",
        "./scripts/rollback.sh production",
      ].join("\n"),
      files: [{ filename: "packages/backend/src/comments.ts", status: "modified", additions: 2, deletions: 1 }],
      changedFiles: 1,
      additions: 2,
      deletions: 1,
      commits: [{ sha: HEAD_SHA, parents: 1, message: "HOTFIX: restore comment saving\n\nFixes: comments cannot be saved\nRisk: Low\nRollback: Available via ./scripts/rollback.sh" }],
      reviews: [{ reviewer: "senior-bob", ...REVIEW }],
    }),
    refused: { change: { headRef: "hotfix/emergency-20261120-0900" }, rule: "branch-name" },
  },
  "prod-dev-squash.yml": {
    pr: snapshot({
      headRef: "hotfix/critical-issue",
      baseRef: "kars-prod",
      latestVersionTag: null,
      title: "hotfix: payments webhook signature",
      body: [
        "**Severity:** P0",
        "",
        "### Issue Description",
        "Payment webhooks are rejected: the signature is checked against the old secret.",
        "",
        "### Fix Implementation",
        "Read the secret from the new environment variable.",
        "",
        "### Testing Performed",
        "- [x] Test reproduces the bug",
        "- [x] npm test passes",
        "",
        "### Rollback Plan",
        "railway rollback",
      ].join("\n"),
      reviews: [{ reviewer: "senior-eve", ...REVIEW }],
      reviewers: { "senior-eve": { permission: "write", teams: ["senior-engineers"], notes: [] } },
    }),
    refused: { change: { body: "**Severity:** P2\n\n### Issue Description\nA typo.\n\n### Fix Implementation\nFixed.\n\n### Testing Performed\n- [x] Test reproduces the bug\n- [x] npm test passes\n\n### Rollback Plan\nrailway rollback" }, rule: "severity" },
  },
};

describe("the JSON Schema for editors", () => {
  it(`in ${JSON_SCHEMA_FILE} is what the configuration schema generates (run \`npm run docs\` to update it)`, () => {
    expect(readFileSync(JSON_SCHEMA_FILE, "utf8")).toBe(renderConfigJsonSchema());
  });

  it("describes every key an editor completes, knows _extends, and flags a misspelt key", () => {
    const schema = JSON.parse(readFileSync(JSON_SCHEMA_FILE, "utf8")) as SchemaNode & { title?: string; $id?: string };
    expect(schema.title).toContain("hotfix-guard.yml");
    expect(undocumentedKeys(schema)).toStrictEqual([]);
    expect(Object.keys(schema.properties ?? {})).toContain("_extends");
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties?.approvals?.additionalProperties).toBe(false);
  });
});

describe("the example configurations", () => {
  const guide = readFileSync(CONFIGURATION_DOC, "utf8");

  it(`are the five procedures' files in ${EXAMPLES_DIR}, each embedded in ${CONFIGURATION_DOC} as it is (run \`npm run docs\` to update it)`, () => {
    expect(readdirSync(EXAMPLES_DIR).filter((file) => file.endsWith(".yml")).sort()).toStrictEqual(Object.keys(PROCEDURES).sort());
    for (const file of Object.keys(PROCEDURES)) {
      expect(embeddedExample(guide, file), file).toBe(readFileSync(`${EXAMPLES_DIR}/${file}`, "utf8").trimEnd());
    }
  });

  describe.each(Object.entries(PROCEDURES))("%s", (file, { pr, refused }) => {
    const yaml = embeddedExample(guide, file) ?? "";

    it("is valid for the schema and for the app, and tells editors where the JSON Schema is", () => {
      expect(configSchema.safeParse(parse(yaml)).error).toBeUndefined();
      expect(resolveConfig([{ location: file, config: parse(yaml) }]).ok).toBe(true);
      expect(yaml.split("\n")[0]).toBe(`# yaml-language-server: $schema=https://raw.githubusercontent.com/<owner>/hotfix-guard/main/${JSON_SCHEMA_FILE}`);
    });

    it("passes a hotfix pull request made by its procedure on every row", () => {
      const policy = policyOf(yaml, file);
      expect(classifyPullRequest(pr, policy).kind).toBe("hotfix");
      const evaluation = evaluateHotfix(pr, policy, NOW);
      expect(evaluation.findings.filter((finding) => finding.status !== "pass" && finding.status !== "skip")).toStrictEqual([]);
    });

    it("fails what its procedure refuses as a hotfix", () => {
      const evaluation = evaluateHotfix({ ...pr, ...refused.change }, policyOf(yaml, file), NOW);
      expect(evaluation.conclusion).toBe("failure");
      expect(evaluation.failures.map((finding) => finding.rule)).toContain(refused.rule);
    });
  });
});
