/**
 * `hotfix-guard validate-config [file]`: checks a `.github/hotfix-guard.yml` before it is pushed,
 * with the problems the app's failing "invalid configuration" check run would list (file, key
 * path, expected, found), so a team never finds out from a blocked hotfix.
 */
import { CONFIG_PATH } from "../config/schema.js";
import { renderInvalidConfigCheck } from "../render/check-run.js";
import { readLocalConfig, type LocalConfig } from "./config-file.js";
import { EXIT_FAILED, EXIT_OK, outputWidth, parseCommandLine, UsageError, writeLine, type CliIo, type OutputStream } from "./io.js";
import { configProblemsText, writeJson } from "./output.js";

/** The help text of the command. */
export const VALIDATE_CONFIG_USAGE = `Usage: hotfix-guard validate-config [file] [--json | --markdown]

Validates a Hotfix Guard configuration file (default: ${CONFIG_PATH}) and lists each problem as
the app's check run would: the file, the key path, what was expected and what was found.
An \`_extends\` base is not fetched: the file is validated on its own, over the defaults.

Options:
  --json       print the result as JSON: { file, valid, problems, notes }
  --markdown   print the check run's Markdown (paste it into an issue or pull request)
  -h, --help   show this help

Exit codes: 0 valid, 1 invalid, 2 the file cannot be read or the command is used wrongly.`;

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

function writeNotes(stream: OutputStream, notes: readonly string[]): void {
  if (notes.length > 0) writeLine(stream);
  for (const note of notes) writeLine(stream, `Note: ${note}`);
}

function writeText(io: CliIo, local: LocalConfig): void {
  const { result, location } = local;
  if (result.ok) {
    writeLine(io.stdout, `${location} is valid: the app applies it over the defaults.`);
  } else {
    writeLine(
      io.stdout,
      `${location} is invalid: ${plural(result.problems.length, "problem")}. Until it is fixed on the default branch, Hotfix Guard fails its check on every pull request into the production branch.`,
    );
    writeLine(io.stdout);
    writeLine(io.stdout, configProblemsText(result.problems, outputWidth(io.stdout)));
  }
  writeNotes(io.stdout, local.notes);
}

function writeMarkdown(io: CliIo, local: LocalConfig): void {
  const { result, location } = local;
  writeLine(io.stdout, result.ok ? `\`${location}\` is valid: the app applies it over the defaults.` : renderInvalidConfigCheck(result.problems, result.files).summary);
  writeNotes(io.stdout, local.notes);
}

function writeJsonResult(io: CliIo, local: LocalConfig): void {
  const { result, location } = local;
  writeJson(io.stdout, { file: location, valid: result.ok, problems: result.ok ? [] : result.problems, notes: local.notes });
}

/**
 * Runs `validate-config`: reads the file named by the first argument (default
 * `.github/hotfix-guard.yml` in the working directory) and prints its problems.
 * @returns 0 when the file is valid, 1 when it is not; a {@link UsageError} (exit 2) when it cannot be read.
 */
export async function validateConfigCommand(io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandLine({
    args: [...io.argv],
    options: { json: { type: "boolean" }, markdown: { type: "boolean" }, help: { type: "boolean", short: "h" } },
    allowPositionals: true,
  });
  if (values.help) {
    writeLine(io.stdout, VALIDATE_CONFIG_USAGE);
    return EXIT_OK;
  }
  if (positionals.length > 1) throw new UsageError(`validate-config checks one file, but ${positionals.length} were given: ${positionals.join(" ")}.`);
  if (values.json && values.markdown) throw new UsageError("choose one output: --json or --markdown.");
  const local = await readLocalConfig(positionals[0] ?? CONFIG_PATH, io.cwd);
  if (values.json) writeJsonResult(io, local);
  else if (values.markdown) writeMarkdown(io, local);
  else writeText(io, local);
  return local.result.ok ? EXIT_OK : EXIT_FAILED;
}
