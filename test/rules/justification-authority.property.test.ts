/**
 * Logins and commands on arbitrary and hostile input (issue 9, defect 3): a login read from text
 * is always a GitHub login, a confusable spelling of the admin's login never names the admin, and
 * a command wrapped in `<details>` is never given, whatever surrounds it. No timing assertions.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loginKey, mentionedLogins, parseHotfixCommands, sameLogin } from "../../src/rules/justification.js";

const GITHUB_LOGIN = /^[A-Za-z0-9][A-Za-z0-9-]{0,38}$/;
/** Letters that fold, look or normalise like ASCII ones, with the ASCII letter they imitate. */
const CONFUSABLES: readonly [string, string][] = [
  ["\u212A", "k"],
  ["\u0130", "i"],
  ["\u0131", "i"],
  ["\u017F", "s"],
  ["\u0430", "a"],
  ["\u0435", "e"],
  ["\u043E", "o"],
  ["\uFF41", "a"],
  ["\uFF4B", "k"],
  ["\u00E9", "e"],
];

const login = fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,15}$/);
const textAround = fc.string({ unit: fc.constantFrom("@", " ", "a", "Z", "-", "_", "`", "[bot]", "/", "\u200b", "\u212A", "\u0130", "é", "\u0301", ".", "(", ")", "\n"), maxLength: 60 });

describe("logins read from text", () => {
  it("are always GitHub logins, each found after an @ in the text", () => {
    fc.assert(
      fc.property(textAround, login, textAround, (before, name, after) => {
        const text = `${before}@${name}${after}`;
        for (const found of mentionedLogins(text)) {
          expect(found).toMatch(GITHUB_LOGIN);
          expect(text).toContain(`@${found}`);
        }
      }),
    );
  });

  it("never name the admin when one letter is swapped for a confusable", () => {
    const swappable = login.filter((name) => CONFUSABLES.some(([, ascii]) => name.includes(ascii)));
    fc.assert(
      fc.property(swappable, fc.constantFrom(...CONFUSABLES), fc.constantFrom("", " ", ".", " on call"), (name, [confusable, ascii], after) => {
        if (!name.includes(ascii)) return;
        const spoofed = name.replace(ascii, confusable);
        expect(mentionedLogins(`Authorized By: @${spoofed}${after}`).some((found) => sameLogin(found, name))).toBe(false);
        expect(sameLogin(spoofed, name)).toBe(false);
        expect(loginKey(spoofed)).toBeNull();
      }),
    );
  });

  it("compare the same under ASCII case only", () => {
    fc.assert(
      fc.property(login, (name) => {
        expect(sameLogin(name.toUpperCase(), name)).toBe(true);
        expect(sameLogin(`${name}[bot]`, `${name}[bot]`)).toBe(false);
      }),
    );
  });
});

describe("a command inside <details>", () => {
  const inner = fc.string({ unit: fc.constantFrom("x", " ", "\n", "\n\n", "*", "-", "#", "`", "```", "/hotfix", "<!--", "-->", "<summary>", "</summary>", "<b>", "</b>", "<br>"), maxLength: 200 });

  it("is never given, whatever the element holds around it", () => {
    fc.assert(
      fc.property(inner, inner, (before, after) => {
        const body = `<details>\n${before}\n\n/hotfix authorize\n\n${after}`;
        expect(parseHotfixCommands(body)).not.toContain("authorize");
      }),
    );
  });
});
