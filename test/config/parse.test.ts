/**
 * Configuration text to a value within bounds, for the app and the command line alike: a file
 * above the size limit is refused unread, duplicate keys are found without the parser's quadratic
 * check, aliases are capped, and `validate-config` applies the same limits.
 */
import { describe, expect, it } from "vitest";
import { validateConfigCommand } from "../../src/cli/validate-config.js";
import { CONFIG_SIZE_LIMIT, parseConfigText } from "../../src/config/parse.js";
import { captureIo, workspace } from "../cli/cli-io.js";

const FILE = "acme/payments:.github/hotfix-guard.yml";

function keys(count: number): string {
  return Array.from({ length: count }, (_, i) => `k${i}: ${i}`).join("\n");
}

describe("parseConfigText", () => {
  it("refuses a 100,000-key file as too large, naming the limit", () => {
    const text = keys(100_000);

    expect(parseConfigText(text, FILE)).toStrictEqual({
      ok: false,
      problem: {
        file: FILE,
        path: "(file)",
        expected: "a file of at most 64 KiB (65,536 bytes), the limit Hotfix Guard reads",
        found: `a file of ${Math.floor(text.length / 1024)} KiB (${text.length.toLocaleString("en-US")} bytes): too large, not read`,
      },
    });
  });

  it("counts bytes, not characters, against the limit", () => {
    const text = `# ${"é".repeat(CONFIG_SIZE_LIMIT / 2)}\n`;

    expect(text.length).toBeLessThan(CONFIG_SIZE_LIMIT);
    expect(parseConfigText(text, FILE)).toMatchObject({ ok: false, problem: { found: expect.stringContaining("too large") } });
  });

  it("finds a key repeated at the end of a file of thousands of keys under the limit", () => {
    const text = `${keys(5_500)}\nk17: again\n`;

    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(CONFIG_SIZE_LIMIT);
    expect(parseConfigText(text, FILE)).toStrictEqual({
      ok: false,
      problem: { file: FILE, path: "(file)", expected: "valid YAML with a mapping at the top", found: 'YAML error: the key "k17" appears twice in one mapping (again at line 5501)' },
    });
  });

  it("finds a duplicate key in a nested and in a flow mapping", () => {
    expect(parseConfigText("approvals:\n  required: 1\n  required: 2\n", FILE)).toMatchObject({ ok: false, problem: { found: expect.stringContaining('"required" appears twice') } });
    expect(parseConfigText("scope: { level: warn, level: fail }\n", FILE)).toMatchObject({ ok: false, problem: { found: expect.stringContaining('"level" appears twice') } });
  });

  it("accepts the same key in different mappings, and an empty file as an empty mapping", () => {
    expect(parseConfigText("approvals:\n  required: 1\nbypass:\n  required: 1\n", FILE)).toStrictEqual({ ok: true, config: { approvals: { required: 1 }, bypass: { required: 1 } } });
    expect(parseConfigText("", FILE)).toStrictEqual({ ok: true, config: {} });
  });

  it("refuses an alias bomb", () => {
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 9; i += 1) levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(", ")}]`);

    expect(parseConfigText(levels.join("\n"), FILE)).toMatchObject({ ok: false, problem: { path: "(file)", found: expect.stringContaining("YAML error") } });
  });
});

describe("validate-config applies the same limits", () => {
  it("refuses a 100,000-key file as too large (exit 1)", async () => {
    const cwd = await workspace({ ".github/hotfix-guard.yml": keys(100_000) });
    const { io, stdout } = captureIo(["--json"], { cwd });

    expect(await validateConfigCommand(io)).toBe(1);
    const output = JSON.parse(stdout.text) as { problems: { path: string; expected: string }[] };
    expect(output.problems).toStrictEqual([expect.objectContaining({ path: "(file)", expected: "a file of at most 64 KiB (65,536 bytes), the limit Hotfix Guard reads" })]);
  });
});
