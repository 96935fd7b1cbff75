/**
 * The `hotfix-guard` command line: picks the command, runs it and turns every way it can end
 * into an exit code and a message that says what to do. Kept apart from the entry point so tests
 * run the whole dispatch in-process.
 *
 * Arguments are parsed with Node's built-in `util.parseArgs`: five commands with a handful of
 * options each need no parsing library, and a built-in adds nothing to the supply chain.
 */
import { auditCommand, AUDIT_USAGE } from "./audit.js";
import { backfillCommand, BACKFILL_USAGE } from "./backfill.js";
import { checkCommand, CHECK_USAGE } from "./check.js";
import { previewCommand, PREVIEW_USAGE } from "./preview.js";
import { CLI_VERSION } from "./github-client.js";
import { CommandFailure, EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError, writeLine, type CliIo } from "./io.js";
import { validateConfigCommand, VALIDATE_CONFIG_USAGE } from "./validate-config.js";

/** The overview `hotfix-guard --help` prints. */
export const MAIN_USAGE = `Usage: hotfix-guard <command> [options]

Commands:
  validate-config [file]                     validate a .github/hotfix-guard.yml as the app would
  check --branch <name> --body <file|->      run the branch-name and PR-template rules offline
  audit <owner/repo> --since <period>        report on the hotfixes merged in a period (read-only)
  backfill <owner/repo> --since <period>     record the hotfixes merged in a period in the hotfix log
  preview <owner/repo> [--config file]       what the check would say on open and recent hotfix PRs (read-only)

Run hotfix-guard <command> --help for a command's options.
Options: -h, --help   show this help;  -v, --version   print the version`;

const COMMANDS: Record<string, { readonly run: (io: CliIo) => Promise<number>; readonly usage: string }> = {
  "validate-config": { run: validateConfigCommand, usage: VALIDATE_CONFIG_USAGE },
  check: { run: checkCommand, usage: CHECK_USAGE },
  audit: { run: auditCommand, usage: AUDIT_USAGE },
  backfill: { run: backfillCommand, usage: BACKFILL_USAGE },
  preview: { run: previewCommand, usage: PREVIEW_USAGE },
};

/**
 * Runs the command line `args` (without `node` and the script) and returns the exit code: 0 done
 * and nothing wrong, 1 a problem found or GitHub refused, 2 wrong usage or an unreadable input.
 */
export async function runCli(args: readonly string[], io: Omit<CliIo, "argv">): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined || name === "-h" || name === "--help" || name === "help") {
    writeLine(name === undefined ? io.stderr : io.stdout, MAIN_USAGE);
    return name === undefined ? EXIT_USAGE : EXIT_OK;
  }
  if (name === "-v" || name === "--version") {
    writeLine(io.stdout, CLI_VERSION);
    return EXIT_OK;
  }
  const command = COMMANDS[name];
  if (!command) {
    writeLine(io.stderr, `hotfix-guard: unknown command "${name}". The commands are ${Object.keys(COMMANDS).join(", ")}; run hotfix-guard --help.`);
    return EXIT_USAGE;
  }
  try {
    return await command.run({ ...io, argv: rest });
  } catch (error) {
    if (error instanceof UsageError) {
      writeLine(io.stderr, `hotfix-guard ${name}: ${error.message}`);
      writeLine(io.stderr, `Run hotfix-guard ${name} --help for usage.`);
      return EXIT_USAGE;
    }
    const message = error instanceof CommandFailure ? error.message : `unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
    writeLine(io.stderr, `hotfix-guard ${name}: ${message}`);
    return EXIT_FAILED;
  }
}
