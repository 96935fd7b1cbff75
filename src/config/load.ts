/**
 * From configuration files to a Policy or a list of precise problems. The files arrive already
 * fetched (repository file, organisation `.github` fallback, `_extends` chain); this module
 * merges them (arrays replaced, never concatenated), validates the result against the schema and,
 * when it is invalid, says which file holds the bad key, its path, what was expected and what
 * was found. The organisation floor (`floor:`, honoured only in the organisation's `.github`
 * file) is validated on its own and applied last (`floor.ts`); a loosening attempt is a row in
 * the policy's source, not an invalid configuration. Invalid configuration is a result, never an
 * exception.
 */
import type { z } from "zod";
import { configSchema } from "./schema.js";
import { floorSchema, type Floor } from "./schema-rollout.js";
import { compilePolicy, type ConfigSource, type Policy } from "./policy.js";
import { applyFloor } from "./floor.js";

/** One configuration file as fetched: `config` is null when the file does not exist. */
export interface ConfigFile {
  /** `owner/repo:path`. */
  readonly location: string;
  readonly config: unknown;
  /** The organisation's `.github` file: the only one whose `floor:` counts. */
  readonly organisation?: boolean;
  /** Read only for its `floor:` (the repository has its own file): its other settings do not apply. */
  readonly floorOnly?: boolean;
}

/** One thing wrong with the configuration. */
export interface ConfigProblem {
  /** The file the bad value is in (`owner/repo:path`), or where the error was raised. */
  readonly file: string;
  /** Dotted key path such as `approvals.required`, or `(file)` for the file as a whole. */
  readonly path: string;
  readonly expected: string;
  readonly found: string;
}

/** A loaded configuration: a policy, or the problems that prevent one. */
export type ConfigResult =
  | { readonly ok: true; readonly policy: Policy }
  | { readonly ok: false; readonly problems: readonly ConfigProblem[]; readonly files: readonly string[]; readonly raw: unknown };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Deep-merges `override` onto `base`: objects merge key by key, arrays and scalars replace.
 * Objects are rebuilt with `Object.fromEntries`, which defines keys as own properties, so a
 * `__proto__` key stays a plain (unknown, hence reported) key and never reaches a prototype.
 */
export function mergeConfig(base: unknown, override: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(override)) return override === undefined ? base : override;
  const keys = new Set([...Object.keys(base), ...Object.keys(override)]);
  return Object.fromEntries([...keys].map((key) => [key, mergeConfig(base[key], override[key])]));
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let current = root;
  for (const key of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/** Renders a path as `a.b[2].c`. */
export function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return "(top level)";
  return path.reduce<string>((out, key) => (typeof key === "number" ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)), "");
}

/** Renders a found value briefly: strings quoted, long values cut. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null (an empty value)";
  const json = JSON.stringify(value) ?? String(value);
  const short = json.length > 80 ? `${json.slice(0, 77)}...` : json;
  if (Array.isArray(value)) return `a list: ${short}`;
  if (isPlainObject(value)) return `a mapping: ${short}`;
  return short;
}

function expectedFrom(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "invalid_type":
      return `a ${issue.expected}`;
    case "invalid_value":
      return `one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "too_small":
      return issue.origin === "array" ? `a list of at least ${String(issue.minimum)} item(s)` : issue.origin === "string" ? "a non-empty text" : `at least ${String(issue.minimum)}`;
    case "too_big":
      return `at most ${String(issue.maximum)}`;
    case "invalid_union":
      return "a section name, or a mapping with `name` and optional `formats`, `hotfix`, `not_hotfix`, `required_checkboxes`";
    default:
      return issue.message;
  }
}

/** The first file, in precedence order, that sets the value at `path`; else the first file that exists. */
function fileHolding(files: readonly ConfigFile[], path: readonly PropertyKey[]): string {
  const existing = files.filter((file) => file.config !== null);
  const holder = existing.find((file) => valueAt(file.config, path) !== undefined);
  return (holder ?? existing[0] ?? files[0])?.location ?? "(defaults)";
}

function problemsOf(error: z.ZodError, merged: unknown, files: readonly ConfigFile[]): ConfigProblem[] {
  return error.issues.flatMap((issue): ConfigProblem[] => {
    if (issue.code === "unrecognized_keys") {
      const parent = valueAt(merged, issue.path);
      const known = Object.keys(configShape(issue.path) ?? {});
      return issue.keys.map((key) => ({
        file: fileHolding(files, [...issue.path, key]),
        path: formatPath([...issue.path, key]),
        expected: known.length > 0 ? `one of the known keys: ${known.join(", ")}` : "no such key",
        found: `an unknown key (value ${describeValue(isPlainObject(parent) ? parent[key] : undefined)})`,
      }));
    }
    return [
      {
        file: fileHolding(files, issue.path),
        path: formatPath(issue.path),
        expected: expectedFrom(issue),
        found: describeValue(valueAt(merged, issue.path)),
      },
    ];
  });
}

/** The keys the schema knows at a path, for "did you mean" help on unknown keys. */
function configShape(path: readonly PropertyKey[]): Record<string, unknown> | undefined {
  let schema: unknown = configSchema;
  for (const key of path) {
    const shape = (schema as { shape?: Record<string, unknown> }).shape ?? unwrapShape(schema);
    if (!shape || typeof key !== "string") return undefined;
    schema = shape[key];
  }
  return (schema as { shape?: Record<string, unknown> }).shape ?? unwrapShape(schema);
}

function unwrapShape(schema: unknown): Record<string, unknown> | undefined {
  let current = schema as { shape?: Record<string, unknown>; def?: { innerType?: unknown } } | undefined;
  for (let guard = 0; current && !current.shape && current.def?.innerType && guard < 8; guard += 1) {
    current = current.def.innerType as typeof current;
  }
  return current?.shape;
}

/** A central audit repository of another owner: refused, so one tenant's audit never lands in another's repository. */
function foreignAuditRepository(repository: string | null, owner: string | undefined, files: readonly ConfigFile[]): ConfigProblem | null {
  if (!repository || owner === undefined || repository.slice(0, repository.indexOf("/")).toLowerCase() === owner.toLowerCase()) return null;
  return {
    file: fileHolding(files, ["audit", "repository"]),
    path: "audit.repository",
    expected: `a repository of \`${owner}\`, the owner of this repository (audit issues never go to another owner's repository)`,
    found: JSON.stringify(repository),
  };
}

/** The file's settings without its `floor:` key, which only the organisation's file may declare (`floor.ts`). */
function withoutFloor(file: ConfigFile): ConfigFile {
  if (!isPlainObject(file.config) || !("floor" in file.config)) return file;
  const { floor: _floor, ...settings } = file.config;
  return { ...file, config: settings };
}

/** A `floor:` declared outside the organisation's `.github` file: ignored, and said so. */
function strayFloor(file: ConfigFile): ConfigProblem[] {
  if (file.organisation || !isPlainObject(file.config) || !("floor" in file.config)) return [];
  return [
    {
      file: file.location,
      path: "floor",
      expected: "a floor only in the organisation's `.github` repository (`<owner>/.github:.github/hotfix-guard.yml`)",
      found: "a floor in another file: ignored",
    },
  ];
}

/** The organisation floor: validated, or the problems of its file. */
function readFloor(files: readonly ConfigFile[]): { ok: true; floor: { file: string; value: Floor } | null } | { ok: false; problems: ConfigProblem[] } {
  const holder = files.find((file) => file.organisation && isPlainObject(file.config) && file.config.floor !== undefined);
  if (!holder) return { ok: true, floor: null };
  const value = (holder.config as Record<string, unknown>).floor;
  const parsed = floorSchema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => ({ ...issue, path: ["floor", ...issue.path] }));
    return { ok: false, problems: problemsOf({ issues } as unknown as z.ZodError, { floor: value }, [{ location: holder.location, config: { floor: value } }]) };
  }
  return { ok: true, floor: parsed.data ? { file: holder.location, value: parsed.data } : null };
}

/**
 * Merges and validates fetched configuration files, then applies the organisation floor.
 * @param files - repository file first, then the `.github` fallback and `_extends` bases in order,
 * and the organisation's file read only for its floor (`floorOnly`) when it is not among them.
 * @param owner - the repository's owner, when known: `audit.repository` must belong to it.
 */
export function resolveConfig(files: readonly ConfigFile[], owner?: string): ConfigResult {
  const strays = files.flatMap(strayFloor);
  const floor = readFloor(files);
  const settingsFiles = files.filter((file) => !file.floorOnly).map(withoutFloor);
  const existing = settingsFiles.filter((file) => file.config !== null);
  const locations = existing.map((file) => file.location);
  const merged = [...existing].reverse().reduce<unknown>((acc, file) => mergeConfig(acc, file.config), {});
  const notObject = existing.find((file) => !isPlainObject(file.config));
  if (notObject) {
    return {
      ok: false,
      files: locations,
      raw: merged,
      problems: [{ file: notObject.location, path: "(top level)", expected: "a mapping of settings (key: value)", found: describeValue(notObject.config) }],
    };
  }
  if (!floor.ok) return { ok: false, files: [...new Set([...locations, ...floor.problems.map((problem) => problem.file)])], raw: merged, problems: floor.problems };
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) return { ok: false, files: locations, raw: merged, problems: problemsOf(parsed.error, merged, settingsFiles) };
  const foreign = foreignAuditRepository(parsed.data.audit.repository, owner, settingsFiles);
  if (foreign) return { ok: false, files: locations, raw: merged, problems: [foreign] };
  const floored = floor.floor
    ? applyFloor(parsed.data, floor.floor.value, {
        floorFile: floor.floor.file,
        owner: owner ?? "",
        setBy: (path) => existing.find((file) => valueAt(file.config, path) !== undefined)?.location ?? null,
      })
    : { config: parsed.data, problems: [] };
  const source: ConfigSource = {
    ...(existing.length > 0 ? { kind: "file", files: locations } : { kind: "defaults", files: [] }),
    ...(floor.floor ? { floorFile: floor.floor.file } : {}),
    ...(floored.problems.length + strays.length > 0 ? { floorProblems: [...strays, ...floored.problems] } : {}),
  };
  return { ok: true, policy: compilePolicy(floored.config, source) };
}

/** A configuration that could not even be read (too large, YAML syntax, a bad `_extends` value): its one problem. */
export function unusableConfig(problem: ConfigProblem): ConfigResult {
  return { ok: false, files: [problem.file], raw: undefined, problems: [problem] };
}
