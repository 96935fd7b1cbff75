/**
 * The hotfix PR template rule. Seed 001 asks every hotfix PR to fill in a template (incident,
 * severity, justification, testing, risks) because that is what reviewers and auditors read
 * under pressure. This rule reads the description the way a reviewer does and says, row by row,
 * which section is missing or still unfilled and exactly what to write. Pure: no clock, no I/O.
 */
import type { Policy, TemplateSection } from "../config/policy.js";
import type { Matcher } from "../config/patterns.js";
import { contentProblem, findSection, MAX_BODY_LENGTH, normalizeName, type Checkbox, type ParsedBody, type Section } from "../markdown/sections.js";
import { declaredSeverity, parsedDescription, type DeclaredSeverity } from "./document.js";
import { excerpt, listInProse } from "./excerpt.js";
import type { Finding, PullRequestSnapshot, Rule } from "./types.js";

/** The folder whose files GitHub's `?template=<file name>` query parameter pre-fills a new PR with. */
const TEMPLATE_FOLDER = ".github/PULL_REQUEST_TEMPLATE/";
const IGNORED_TEXT = "Text inside `<!-- -->` comments, `[bracketed placeholders]` and 'TBD' does not count.";

/** Why a piece of text is not an answer, as the developer reads it. */
function describeProblem(problem: NonNullable<ReturnType<typeof contentProblem>>, text: string): string {
  switch (problem) {
    case "empty":
      return "empty";
    case "placeholder":
      return `still the template placeholder \`${excerpt(text, 60)}\``;
    case "non-answer":
      return `'${excerpt(text, 40)}' is not an answer`;
  }
}

/** A plain section that is not an answer yet: which, why, and where to write the answer. */
interface Gap {
  readonly where: string;
  readonly reason: string;
  /** Where the content goes (`after **Label:**`, `under the … heading`); null when the section is missing. */
  readonly place: string | null;
}

function isPlainSection(section: TemplateSection): boolean {
  return !section.formats && !section.severity && !section.requiredCheckboxes;
}

function unfilledGap(found: Section, where: string, place: string): Gap[] {
  const problem = contentProblem(found.text);
  return problem ? [{ where, reason: describeProblem(problem, found.text), place }] : [];
}

/**
 * What the section's configured `fields` lack. A field under the heading is judged with the
 * heading's other fields; one written elsewhere must be filled in; one deleted fails as missing,
 * like a field left as a placeholder.
 */
function requiredFieldGaps(parsed: ParsedBody, heading: Section, section: TemplateSection): Gap[] {
  return (section.requiredFields ?? []).flatMap((name) => {
    const key = normalizeName(name);
    if (heading.fields.some((field) => field.key === key)) return [];
    const elsewhere = findSection(parsed, name);
    if (elsewhere) return unfilledGap(elsewhere, `${elsewhere.title} (${section.name})`, `after \`**${elsewhere.title}:**\``);
    return [{ where: `${name} (${section.name})`, reason: "missing", place: `in a \`**${name}:**\` line under \`${heading.title}\`` }];
  });
}

/**
 * What keeps one plain section from being an answer. A heading with `**Label:**` fields (Risk
 * Assessment: Risks Accepted, Rollback Plan, Monitoring Plan) needs every field filled in, and
 * every field the section's `fields` names present.
 */
function gapsOf(parsed: ParsedBody, section: TemplateSection): Gap[] {
  const found = findSection(parsed, section.name);
  if (!found) return [{ where: section.name, reason: "missing", place: null }];
  if (found.kind === "field") return unfilledGap(found, section.name, `after \`**${found.title}:**\``);
  if (found.fields.length === 0 && !section.requiredFields) return unfilledGap(found, section.name, `under the \`${found.title}\` heading`);
  return [
    ...found.fields.flatMap((field) =>
      unfilledGap(field, `${field.title} (${section.name})`, `after \`**${field.title}:**\` (under \`${found.title}\`)`),
    ),
    ...requiredFieldGaps(parsed, found, section),
  ];
}

/** Where the expected layout is: the configured template file, or the sections when none is configured. */
function layoutPointer(policy: Policy): string {
  const path = policy.config.template.path;
  if (path === null) return `No PR template file is configured (\`template.path\`); the sections expected are ${listInProse(policy.sections.map((section) => section.name))}.`;
  return `The expected layout is in \`${path}\`.`;
}

/** The remedy for a failing template row: what to add, then where to write. */
function templateRemedy(gaps: readonly Gap[], policy: Policy): string {
  const missing = gaps.filter((gap) => gap.place === null).map((gap) => `\`### ${gap.where}\``);
  const places = gaps.flatMap((gap) => (gap.place === null ? [] : [gap.place]));
  return [
    missing.length > 0 ? `Add ${listInProse(missing)} with real content (a \`**Name:**\` line works too).` : "",
    places.length > 0 ? `Write real content ${listInProse(places)}.` : "",
    IGNORED_TEXT,
    layoutPointer(policy),
  ]
    .filter(Boolean)
    .join(" ");
}

/** Alternatives in prose: "a", "a or b", "a, b or c". */
function alternatives(items: readonly string[]): string {
  return items.length <= 1 ? items.join("") : `${items.slice(0, -1).join(", ")} or ${items[items.length - 1]}`;
}

function truncationNote(parsed: ParsedBody): string {
  const limit = MAX_BODY_LENGTH.toLocaleString("en-US");
  return parsed.truncated ? ` The description is longer than ${limit} characters; only the first ${limit} were read.` : "";
}

/** How to start the description from the configured template, or from the section list when none is configured. */
function pasteRemedy(snapshot: PullRequestSnapshot, policy: Policy): string {
  const path = policy.config.template.path;
  if (path === null) return `Write the description with a \`### <name>\` heading (or a \`**Name:**\` line) for each section, with real content. ${layoutPointer(policy)}`;
  const paste = `Paste \`${path}\` into the description and fill in every section.`;
  const file = path.startsWith(TEMPLATE_FOLDER) ? path.slice(TEMPLATE_FOLDER.length) : null;
  if (file === null || file.includes("/")) return paste;
  const compareUrl = `/compare/${snapshot.baseRef}...${snapshot.headRef}?quick_pull=1&template=${file}`;
  return `${paste} To have GitHub pre-fill it, open hotfix PRs from the compare page with the \`?template=${file}\` query parameter, for example \`${compareUrl}\`.`;
}

function emptyBodyFinding(snapshot: PullRequestSnapshot, policy: Policy): Finding {
  return {
    rule: "template",
    title: "PR template",
    status: "fail",
    actual: "The PR description is empty.",
    expected: `The hotfix template filled in: ${listInProse(policy.sections.map((section) => section.name))}.`,
    remedy: pasteRemedy(snapshot, policy),
  };
}

/** The `template` row: every plain section present and filled in. */
function templateFinding(snapshot: PullRequestSnapshot, policy: Policy, parsed: ParsedBody): Finding {
  const plain = policy.sections.filter(isPlainSection);
  const names = listInProse(plain.map((section) => section.name));
  if (plain.length === 0) {
    return { rule: "template", title: "PR template", status: "skip", actual: "No free-text sections are required by `template.sections`.", expected: "-" };
  }
  if (snapshot.body.trim() === "") return emptyBodyFinding(snapshot, policy);
  const expected = `Real content in ${names}.`;
  const gaps = plain.flatMap((section) => gapsOf(parsed, section));
  const note = truncationNote(parsed);
  if (gaps.length === 0) {
    return { rule: "template", title: "PR template", status: "pass", actual: `${names} filled in.${note}`, expected };
  }
  return {
    rule: "template",
    title: "PR template",
    status: "fail",
    actual: `${gaps.map((gap) => `${gap.where}: ${gap.reason}`).join("; ")}.${note}`,
    expected,
    remedy: templateRemedy(gaps, policy),
  };
}

/** The `severity` row, from what {@link declaredSeverity} read. */
function severityFinding(declared: Exclude<DeclaredSeverity, { kind: "none" }>, policy: Policy): Finding {
  const { name, severity } = declared.section;
  const hotfixValues = severity?.hotfix ?? [];
  const accepted = alternatives(hotfixValues);
  const expected = `\`**${name}:**\` one of ${accepted}.`;
  const setIt = `Set \`**${name}:**\` to one of ${accepted}, for example \`**${name}:** ${hotfixValues[0] ?? ""}\`.`;
  const row = { rule: "severity", title: "Severity", expected } as const;
  switch (declared.kind) {
    case "hotfix":
      return { ...row, status: "pass", actual: `Declared ${listInProse(declared.values.map((value) => `\`${value}\``))}.` };
    case "missing":
      return { ...row, status: "fail", actual: `No \`**${name}:**\` field or \`${name}\` heading.`, remedy: setIt };
    case "unrecognised": {
      const problem = contentProblem(declared.text);
      const found = problem ? describeProblem(problem, declared.text) : `\`${excerpt(declared.text, 40)}\` is not a severity this policy knows`;
      return { ...row, status: "fail", actual: `\`**${name}:**\`: ${found}.`, remedy: setIt };
    }
    case "ambiguous": {
      const regular = declared.values.filter((value) => severity?.notHotfix.includes(value));
      const hotfix = declared.values.filter((value) => !regular.includes(value));
      return {
        ...row,
        status: "fail",
        actual: `\`${excerpt(declared.text, 40)}\` names ${listInProse(declared.values)}: choose one.`,
        remedy:
          `Choose one: for a hotfix write only ${alternatives(hotfix)} (\`**${name}:** ${hotfix[0] ?? ""}\`); ` +
          `if it is ${alternatives(regular)}, it is not a hotfix: use the regular release process.`,
      };
    }
    case "not-hotfix":
      return {
        ...row,
        status: "fail",
        actual: `Severity ${declared.value} is not a hotfix: use the regular release process.`,
        remedy:
          `Close this PR and ship the fix through the regular release process (a PR into \`${policy.config.branches.develop}\`). ` +
          `If production really needs it now, set \`**${name}:**\` to one of ${accepted} and explain the emergency.`,
      };
  }
}

const FORMAT_EXAMPLES: Record<string, string> = { number: "1234", url: "https://status.example.com/incidents/1234", key: "OPS-1234" };

/** A value in the first non-regex format (`INC-{number}` → `INC-1234`), or null when all are regexes. */
function formatExample(formats: readonly Matcher[]): string | null {
  const format = formats.find((matcher) => !matcher.source.startsWith("/"));
  return format ? format.source.replace(/\{(number|url|key)\}/g, (_, name: string) => FORMAT_EXAMPLES[name] ?? name) : null;
}

/** Title of a row for a configured section: the default title, naming the section when it is not the default one. */
function rowTitle(title: string, defaultName: string, section: TemplateSection): string {
  return normalizeName(section.name) === normalizeName(defaultName) ? title : `${title} (${section.name})`;
}

/** The `incident-reference` row for one section with reference formats. */
function referenceFinding(parsed: ParsedBody, section: TemplateSection, formats: readonly Matcher[]): Finding {
  const name = section.name;
  const formatList = alternatives(formats.map((matcher) => `\`${matcher.source}\``));
  const example = formatExample(formats);
  const write = `Write the reference after \`**${name}:**\`${example ? `, for example \`**${name}:** ${example}\`` : ""} (accepted formats: ${formatList}).`;
  const row = { rule: "incident-reference", title: rowTitle("Incident reference", "Incident Reference", section), expected: `A reference in one of the formats ${formatList}.` } as const;
  const found = findSection(parsed, name);
  if (!found) return { ...row, status: "fail", actual: `No \`**${name}:**\` field or \`${name}\` heading.`, remedy: write };
  const problem = contentProblem(found.text);
  if (problem) return { ...row, status: "fail", actual: `\`**${name}:**\`: ${describeProblem(problem, found.text)}.`, remedy: write };
  if (!formats.some((matcher) => matcher.test(found.text))) {
    return { ...row, status: "fail", actual: `\`${excerpt(found.text, 60)}\` is not in an accepted format.`, remedy: write };
  }
  return { ...row, status: "pass", actual: `\`${excerpt(found.text, 60)}\`.` };
}

/** `N/A`, then an optional colon and whatever follows it. */
const NOT_APPLICABLE = /(?:^|[^\p{L}\p{N}])N\/A(?![\p{L}\p{N}])(\s*:)?([\s\S]*)$/iu;

/** What one required checkbox says. */
type CheckboxState =
  | { readonly kind: "ticked" }
  | { readonly kind: "not-applicable"; readonly reason: string }
  | { readonly kind: "not-applicable-without-reason" }
  | { readonly kind: "unticked" }
  | { readonly kind: "missing" };

function stateOf(checkbox: Checkbox): CheckboxState {
  if (checkbox.checked) return { kind: "ticked" };
  const notApplicable = NOT_APPLICABLE.exec(checkbox.text);
  if (!notApplicable) return { kind: "unticked" };
  const reason = (notApplicable[2] ?? "").trim();
  const hasReason = notApplicable[1] !== undefined && contentProblem(reason) === null && /\p{L}/u.test(reason);
  return hasReason ? { kind: "not-applicable", reason } : { kind: "not-applicable-without-reason" };
}

const STATE_RANK: Record<CheckboxState["kind"], number> = {
  ticked: 0,
  "not-applicable": 1,
  "not-applicable-without-reason": 2,
  unticked: 3,
  missing: 4,
};

/** The best state among the checkboxes whose text starts with the required text. */
function requiredState(checkboxes: readonly Checkbox[], required: string): CheckboxState {
  const key = normalizeName(required);
  return checkboxes
    .filter((checkbox) => normalizeName(checkbox.text).startsWith(key))
    .map(stateOf)
    .reduce<CheckboxState>((best, state) => (STATE_RANK[state.kind] < STATE_RANK[best.kind] ? state : best), { kind: "missing" });
}

/** What is wrong with one required checkbox, or null when it counts. */
function checkboxProblem(state: CheckboxState): string | null {
  switch (state.kind) {
    case "ticked":
    case "not-applicable":
      return null;
    case "missing":
      return "no such checkbox";
    case "unticked":
      return "not ticked";
    case "not-applicable-without-reason":
      return "N/A needs a reason";
  }
}

interface RequiredCheckbox {
  readonly required: string;
  readonly state: CheckboxState;
}

/** The remedy for a failing testing row: boxes to add, to tick, and N/As to explain. */
function testingRemedy(heading: string, checkboxes: readonly RequiredCheckbox[]): string {
  const inState = (kind: CheckboxState["kind"]) => checkboxes.filter(({ state }) => state.kind === kind).map(({ required }) => required);
  const quoted = (texts: readonly string[]) => listInProse(texts.map((text) => `\`${text}\``));
  const missing = inState("missing");
  const unticked = inState("unticked");
  const unexplained = inState("not-applicable-without-reason");
  return [
    missing.length > 0 ? `Add ${listInProse(missing.map((text) => `\`- [x] ${text}\``))} under \`${heading}\`.` : "",
    unticked.length > 0 ? `Tick ${quoted(unticked)} (\`- [x]\`); a box that cannot apply may stay unticked with \`N/A: <reason>\` after its text.` : "",
    unexplained.length > 0
      ? `Give the reason after \`N/A:\` on ${quoted(unexplained)}, for example \`- [ ] ${unexplained[0] ?? ""} — N/A: config-only change\`.`
      : "",
  ]
    .filter(Boolean)
    .join(" ");
}

function stateSummary(required: string, state: CheckboxState): string {
  return state.kind === "not-applicable" ? `${required}: N/A (${excerpt(state.reason, 60)})` : `${required}: ticked`;
}

/** The `testing` row for one section with required checkboxes. */
function testingFinding(parsed: ParsedBody, section: TemplateSection, requiredCheckboxes: readonly string[]): Finding {
  const name = section.name;
  const row = {
    rule: "testing",
    title: rowTitle("Testing performed", "Testing Performed", section),
    expected: `Under \`${name}\`, ticked or marked \`N/A: <reason>\`: ${listInProse(requiredCheckboxes.map((text) => `\`${text}\``))}.`,
  } as const;
  const found = findSection(parsed, name);
  if (!found) {
    const boxes = listInProse(requiredCheckboxes.map((text) => `\`- [x] ${text}\``));
    return { ...row, status: "fail", actual: `No \`${name}\` heading.`, remedy: `Add a \`### ${name}\` heading with the checkboxes ${boxes}.` };
  }
  const checkboxes = requiredCheckboxes.map((required) => ({ required, state: requiredState(found.checkboxes, required) }));
  const problems = checkboxes.flatMap(({ required, state }) => {
    const problem = checkboxProblem(state);
    return problem ? [`\`${required}\`: ${problem}`] : [];
  });
  if (problems.length === 0) {
    return { ...row, status: "pass", actual: `${checkboxes.map(({ required, state }) => stateSummary(required, state)).join("; ")}.` };
  }
  return { ...row, status: "fail", actual: `${problems.join("; ")}.`, remedy: testingRemedy(found.title, checkboxes) };
}

/**
 * Checks the PR description against the configured template sections. Rows, in order:
 * `template` (free-text sections present and filled in), `severity` (when a section declares
 * severity values), one `incident-reference` per section with reference formats and one
 * `testing` per section with required checkboxes. Pure.
 */
export const templateRule: Rule = (snapshot, policy) => {
  const parsed = parsedDescription(snapshot.body);
  const declared = declaredSeverity(snapshot.body, policy);
  return [
    templateFinding(snapshot, policy, parsed),
    ...(declared.kind === "none" ? [] : [severityFinding(declared, policy)]),
    ...policy.sections.flatMap((section) => (section.formats ? [referenceFinding(parsed, section, section.formats)] : [])),
    ...policy.sections.flatMap((section) => (section.requiredCheckboxes ? [testingFinding(parsed, section, section.requiredCheckboxes)] : [])),
  ];
};
