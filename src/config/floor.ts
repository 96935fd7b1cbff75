/**
 * The organisation floor applied to a validated configuration: a repository's configuration may
 * tighten the floored values (more approvals, more template sections, fewer bypass authorisers,
 * more merge-back targets, enforce rather than evaluate) but not loosen them. Where a repository's
 * file (or any base it extends) loosens one, the floor value applies and a problem row says so,
 * naming the floor and its file; where the repository says nothing, the floor applies silently.
 * Pure: validated values in, the configuration that applies and its rows out.
 */
import type { ConfigProblem } from "./load.js";
import type { Floor } from "./schema-rollout.js";
import type { HotfixConfig } from "./schema.js";
import { normalizeName } from "../markdown/sections.js";

/** Where the configuration's values come from, for the rows: which file sets a key, if any. */
export interface FloorContext {
  /** The floor's file (`owner/.github:.github/hotfix-guard.yml`). */
  readonly floorFile: string;
  /** The repository's owner, the organisation of a team named without one. */
  readonly owner: string;
  /** The file that sets the value at `path`, or null when no file does (the default applies). */
  readonly setBy: (path: readonly string[]) => string | null;
}

/** The configuration the floor leaves, and a row for each loosening attempt. */
export interface FloorOutcome {
  readonly config: HotfixConfig;
  readonly problems: readonly ConfigProblem[];
}

type Step = (config: HotfixConfig, floor: Floor, context: FloorContext) => { config: HotfixConfig; problems: ConfigProblem[] };

function row(context: FloorContext, path: readonly string[], floorKey: string, expected: string, found: string): ConfigProblem[] {
  const file = context.setBy(path);
  if (file === null) return [];
  return [{ file, path: path.join("."), expected: `${expected}: the organisation floor \`floor.${floorKey}\` in \`${context.floorFile}\`, which applies instead`, found }];
}

const modeStep: Step = (config, floor, context) => {
  if (floor.mode !== "enforce" || config.mode === "enforce") return { config, problems: [] };
  return { config: { ...config, mode: "enforce" }, problems: row(context, ["mode"], "mode", '"enforce"', JSON.stringify(config.mode)) };
};

const approvalsStep: Step = (config, floor, context) => {
  const least = floor.approvals?.required;
  if (least === undefined) return { config, problems: [] };
  const { approvals } = config;
  const problems: ConfigProblem[] = [];
  if (approvals.required < least) problems.push(...row(context, ["approvals", "required"], "approvals.required", `at least ${least}`, String(approvals.required)));
  const bySeverity = Object.fromEntries(
    Object.entries(approvals.by_severity).map(([severity, count]) => {
      if (count < least) problems.push(...row(context, ["approvals", "by_severity", severity], "approvals.required", `at least ${least}`, String(count)));
      return [severity, Math.max(count, least)];
    }),
  );
  return { config: { ...config, approvals: { ...approvals, required: Math.max(approvals.required, least), by_severity: bySeverity } }, problems };
};

const sectionsStep: Step = (config, floor, context) => {
  const names = config.template.sections.map((section) => normalizeName(typeof section === "string" ? section : section.name));
  const missing = (floor.template?.sections ?? []).filter((name) => !names.includes(normalizeName(name)));
  if (missing.length === 0) return { config, problems: [] };
  const problems = row(
    context,
    ["template", "sections"],
    "template.sections",
    `sections including ${missing.map((name) => JSON.stringify(name)).join(", ")}`,
    `a list without ${missing.length === 1 ? "it" : "them"}`,
  );
  return { config: { ...config, template: { ...config.template, sections: [...config.template.sections, ...missing] } }, problems };
};

function teamKey(team: string, owner: string): string {
  return (team.includes("/") ? team : `${owner}/${team}`).toLowerCase();
}

const authorizersStep: Step = (config, floor, context) => {
  const allowed = floor.bypass?.authorizers;
  if (!allowed || (allowed.users.length === 0 && allowed.teams.length === 0)) return { config, problems: [] };
  const { users, teams } = config.bypass.authorizers;
  const floorUsers = new Set(allowed.users.map((user) => user.toLowerCase()));
  const floorTeams = new Set(allowed.teams.map((team) => teamKey(team, context.owner)));
  const keptUsers = users.filter((user) => floorUsers.has(user.toLowerCase()));
  const keptTeams = teams.filter((team) => floorTeams.has(teamKey(team, context.owner)));
  const others = [...users.filter((user) => !keptUsers.includes(user)), ...teams.filter((team) => !keptTeams.includes(team))];
  const admins = users.length === 0 && teams.length === 0;
  const narrowed = keptUsers.length + keptTeams.length > 0;
  const authorizers = narrowed ? { users: keptUsers, teams: keptTeams } : { users: allowed.users, teams: allowed.teams };
  const expected = `authorisers among ${[...allowed.users, ...allowed.teams].join(", ")}`;
  const problems = admins
    ? row(context, ["bypass", "authorizers"], "bypass.authorizers", expected, "repository administrators (an empty list)")
    : others.length > 0
      ? row(context, ["bypass", "authorizers"], "bypass.authorizers", expected, `others as well: ${others.join(", ")}`)
      : [];
  return { config: { ...config, bypass: { ...config.bypass, authorizers } }, problems };
};

const targetsStep: Step = (config, floor, context) => {
  const required = floor.merge_back?.targets ?? [];
  const current = config.merge_back.targets ?? [config.branches.develop, config.branches.release];
  const missing = required.filter((target) => !current.includes(target));
  if (missing.length === 0) return { config, problems: [] };
  const problems = row(
    context,
    ["merge_back", "targets"],
    "merge_back.targets",
    `targets including ${missing.map((target) => JSON.stringify(target)).join(", ")}`,
    `${JSON.stringify(current)}`,
  );
  return { config: { ...config, merge_back: { ...config.merge_back, targets: [...current, ...missing] } }, problems };
};

const STEPS: readonly Step[] = [modeStep, approvalsStep, sectionsStep, authorizersStep, targetsStep];

/** Applies the organisation floor to a validated configuration. Pure. */
export function applyFloor(config: HotfixConfig, floor: Floor, context: FloorContext): FloorOutcome {
  return STEPS.reduce<FloorOutcome>(
    (outcome, step) => {
      const next = step(outcome.config, floor, context);
      return { config: next.config, problems: [...outcome.problems, ...next.problems] };
    },
    { config, problems: [] },
  );
}
