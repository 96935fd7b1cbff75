/**
 * Branch protection rules and rulesets changed → a durable record, when the change covers the
 * production branch. "Switch protection off, merge, switch it back on" leaves no trace in the
 * protection read after the merge, so each change is appended to the repository's protection log
 * issue as it happens, and the audit of every merge reads the changes made while its pull
 * request was open. The log lives on GitHub (an issue with a hidden marker, one comment per
 * change) so it survives restarts and needs no database. This handler renders the issue and the
 * entry; the GitHub door appends them through the write policy, found again by the codec's markers.
 */
import type { Context, Probot } from "probot";
import { appendMarkedEntry } from "../github/audit-publish.js";
import { fullName, repoRef } from "../github/gateway.js";
import { changeMarker, PROTECTION_LOG_LABEL, protectionLogMarker } from "../model/records.js";
import { renderProtectionEntry, renderProtectionLogIssue } from "../render/audit.js";
import { protectionRuleCovers, rulesetCovers, type ProtectionChange, type RulesetScope } from "../rules/merge-audit.js";
import { auditGatewayFor, recheckPendingAudits } from "./audit-run.js";
import { configFor, isOwnEvent, ownBotLogin, type Services } from "./services.js";
import { isEvaluating } from "../config/policy.js";

/** How far back a duplicate delivery of a protection change is looked for: GitHub redelivers within three days. */
const REDELIVERY_WINDOW_MS = 4 * 24 * 60 * 60_000;

type ProtectionContext = Context<"branch_protection_rule" | "repository_ruleset">;

interface RulesetPayload {
  name: string;
  target?: string;
  updated_at?: string;
  conditions?: { ref_name?: { include?: string[]; exclude?: string[] } } | null;
}

function rulesetScope(ruleset: RulesetPayload): RulesetScope {
  const refName = ruleset.conditions?.ref_name;
  return { target: ruleset.target ?? null, include: refName?.include ?? null, exclude: refName?.exclude ?? [] };
}

/** The change the event describes, or null when it does not cover the production branch. */
function changeOf(context: ProtectionContext, branch: string, defaultBranch: string, now: Date): ProtectionChange | null {
  const actor = context.payload.sender?.login ?? "unknown";
  const at = now.toISOString();
  if (context.name === "branch_protection_rule") {
    const { rule, action } = (context as Context<"branch_protection_rule">).payload;
    return protectionRuleCovers(rule.name, branch) ? { at, actor, kind: "branch protection rule", action, name: rule.name } : null;
  }
  const payload = (context as Context<"repository_ruleset">).payload as { action: string; repository_ruleset: RulesetPayload; changes?: { conditions?: unknown } };
  const covers = rulesetCovers(rulesetScope(payload.repository_ruleset), branch, branch === defaultBranch);
  const scopeChanged = payload.action === "edited" && payload.changes?.conditions !== undefined;
  return covers || scopeChanged ? { at, actor, kind: "ruleset", action: payload.action, name: payload.repository_ruleset.name } : null;
}

/**
 * What names the change as GitHub does, so that the same change delivered again (under a new
 * delivery id too) is recognised: the rule or ruleset, its id, the action and its `updated_at`.
 * Without an `updated_at`, the delivery id stands in for it.
 */
function changeIdentity(context: ProtectionContext): string {
  const payload = context.payload as { action: string; rule?: { id?: number; updated_at?: string }; repository_ruleset?: { id?: number; updated_at?: string } };
  const subject = payload.rule ?? payload.repository_ruleset;
  return [context.name, subject?.id ?? "", payload.action, subject?.updated_at ?? `delivery ${context.id}`].join(" ");
}

/** Records a protection change of the production branch in the repository's protection log. */
export async function handleProtectionChange(context: ProtectionContext, services: Services): Promise<void> {
  const repository = (context.payload as { repository?: { full_name: string; default_branch: string } }).repository;
  if (!repository) return;
  const gateway = auditGatewayFor(context, services);
  if (await isOwnEvent(context, gateway, services)) return;
  const repo = repoRef(repository.full_name);
  const config = await configFor(gateway, repo, services);
  if (!config.ok) return;
  const branch = config.policy.config.branches.production;
  const now = services.now();
  const change = changeOf(context, branch, repository.default_branch, now);
  if (change && isEvaluating(config.policy)) {
    context.log.info({ kind: change.kind, action: change.action, name: change.name }, "protection change not recorded: evaluate mode opens no protection log issue");
  } else if (change) {
    const ownLogin = await ownBotLogin(gateway, services);
    const entryMarker = changeMarker(changeIdentity(context));
    const result = await services.locks.run(`protection-log:${repository.full_name}`, () =>
      appendMarkedEntry(gateway, repo, {
        ownLogin,
        label: PROTECTION_LOG_LABEL,
        marker: protectionLogMarker(fullName(repo)),
        issue: () => renderProtectionLogIssue(fullName(repo), branch),
        entryMarker,
        body: renderProtectionEntry(change, entryMarker, context.id),
        since: new Date(now.getTime() - REDELIVERY_WINDOW_MS).toISOString(),
      }),
    );
    context.log.info({ kind: change.kind, action: change.action, name: change.name, result }, "protection change recorded");
  }
  await recheckPendingAudits(gateway, repo, services, context.log);
}

/** Registers the protection change handlers. */
export function registerProtectionChangeHandlers(app: Probot, services: Services): void {
  app.on(["branch_protection_rule", "repository_ruleset"], (context) => handleProtectionChange(context, services));
}
