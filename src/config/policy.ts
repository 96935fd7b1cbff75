/**
 * The validated configuration with every pattern compiled once. Rules receive a Policy, never
 * raw strings, so a pattern is compiled when the configuration is loaded (and cached with it),
 * not on every evaluation.
 */
import { compileGrammar, type BranchGrammar } from "./branch-grammar.js";
import { compilePattern, compileReferenceFormat, compileTextPattern, type Matcher } from "./patterns.js";
import { normalizeName } from "../markdown/sections.js";
import type { HotfixConfig, SectionSpec } from "./schema.js";
import type { ConfigProblem } from "./load.js";

/** A required template section, ready for the template rule. */
export interface TemplateSection {
  readonly name: string;
  /** Accepted reference formats (the incident reference), when the section is a reference. */
  readonly formats?: readonly Matcher[];
  /** Severity values, when the section is the severity. */
  readonly severity?: { readonly hotfix: readonly string[]; readonly notHotfix: readonly string[] };
  readonly requiredCheckboxes?: readonly string[];
  /** `**Label:**` fields a heading section must contain, each filled in. */
  readonly requiredFields?: readonly string[];
}

/** A feature that is off because the installation lacks the permission it needs. */
export interface PermissionGap {
  /** What the feature does, in a few words (`opening back-merge pull requests`). */
  readonly feature: string;
  /** The configuration key that turns it on, or null for a feature that is always on. */
  readonly setting: string | null;
  /** The permission as GitHub's settings page names it (`Pull requests`). */
  readonly permission: string;
  readonly level: "read" | "write";
  /** What the installation has: `read`, or `none`. */
  readonly granted: string;
}

/** Where the configuration came from, as the check run reports it. */
export interface ConfigSource {
  /** `defaults` when no file exists anywhere. */
  readonly kind: "defaults" | "file";
  /** Every file that contributed, repository file first, each as `owner/repo:path`. */
  readonly files: readonly string[];
  /** Features off for want of a permission of the installation; absent when its permissions are unknown. */
  readonly missingPermissions?: readonly PermissionGap[];
  /** The organisation floor's file (`owner/.github:.github/hotfix-guard.yml`), when it declares a floor. */
  readonly floorFile?: string;
  /** Where a file loosened the floor (the floor applied instead), or declared one outside the organisation's file. */
  readonly floorProblems?: readonly ConfigProblem[];
}

/** The compiled policy. */
export interface Policy {
  readonly config: HotfixConfig;
  readonly source: ConfigSource;
  readonly releaseBranches: Matcher;
  readonly branchGrammars: readonly BranchGrammar[];
  readonly sections: readonly TemplateSection[];
  readonly forbiddenPaths: readonly Matcher[];
  readonly testGlobs: readonly Matcher[];
  readonly commitSubjects: readonly Matcher[];
}

/**
 * Whether the policy only evaluates: every rule runs and the check runs show what would fail,
 * but conclude neutral, and nothing else is written (no issue, no comment, no label). The one
 * place that decides; every publisher asks it before writing.
 */
export function isEvaluating(policy: Policy): boolean {
  return policy.config.mode === "evaluate";
}

/** Sections whose content only exists after the merge; never required before it (seed 001). */
const AFTER_MERGE_SECTIONS = new Set([normalizeName("Post-Deployment Actions")]);

function compileSection(spec: SectionSpec): TemplateSection {
  if (typeof spec === "string") return { name: spec };
  return {
    name: spec.name,
    ...(spec.formats ? { formats: spec.formats.map(compileReferenceFormat) } : {}),
    ...(spec.hotfix ? { severity: { hotfix: spec.hotfix, notHotfix: spec.not_hotfix ?? [] } } : {}),
    ...(spec.required_checkboxes ? { requiredCheckboxes: spec.required_checkboxes } : {}),
    ...(spec.fields ? { requiredFields: spec.fields } : {}),
  };
}

/** Compiles a validated configuration. Patterns were checked by the schema, so this does not throw. */
export function compilePolicy(config: HotfixConfig, source: ConfigSource): Policy {
  return {
    config,
    source,
    releaseBranches: compilePattern(config.branches.release),
    branchGrammars: config.hotfix.branch_names.map(compileGrammar),
    sections: config.template.sections
      .map(compileSection)
      .filter((section) => !AFTER_MERGE_SECTIONS.has(normalizeName(section.name))),
    forbiddenPaths: config.scope.forbidden_paths.map(compilePattern),
    testGlobs: config.tests.globs.map(compilePattern),
    commitSubjects: config.commits.subject.map(compileTextPattern),
  };
}
