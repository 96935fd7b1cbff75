/**
 * A hotfix carries a test that would have caught the bug (seeds 001 and 004): under pressure the
 * test is the first thing dropped, and without it the same bug returns with the next release.
 * A file counts as a test when a configured glob matches it and the pull request does not delete it.
 */
import type { Policy } from "../config/policy.js";
import { codeList, inlineCode } from "./excerpt.js";
import type { ChangedFile, Finding, PullRequestSnapshot, Rule } from "./types.js";

const RULE = "tests";
const TITLE = "Test included";

function isTestFile(file: ChangedFile, policy: Policy): boolean {
  return file.status !== "removed" && policy.testGlobs.some((matcher) => matcher.test(file.filename));
}

function expectedTests(policy: Policy): string {
  return `At least one added or modified file matching ${codeList(policy.testGlobs.map((matcher) => matcher.source))}`;
}

function remedyFor(policy: Policy): string {
  const globs = codeList(policy.testGlobs.map((matcher) => matcher.source));
  return (
    `Add a test that would have caught the bug and shows the fix works, in a file matching ${globs}. ` +
    "If your tests live elsewhere, add their pattern to `tests.globs` in .github/hotfix-guard.yml on the default branch."
  );
}

function noTestSentence(fileCount: number): string {
  if (fileCount === 0) return "No changed files were listed.";
  if (fileCount === 1) return "The one changed file is not an added or modified test.";
  return `None of the ${fileCount} changed files is an added or modified test.`;
}

/** Why no test was found among the files that could be read. */
function missingTestActual(snapshot: PullRequestSnapshot, files: readonly ChangedFile[], policy: Policy): string {
  const removedTests = files.filter((file) => file.status === "removed" && policy.testGlobs.some((matcher) => matcher.test(file.filename)));
  const sentences = [noTestSentence(files.length)];
  if (removedTests.length > 0) sentences.push(`Removed test files do not count (${removedTests.length} removed).`);
  const unread = snapshot.changedFiles - files.length;
  if (unread > 0) sentences.push(`${unread} more changed files could not be read.`);
  return sentences.join(" ");
}

/** The tests rule: when `tests.required`, the pull request must add or change a test file. */
export const testsIncludedRule: Rule = (snapshot, policy): Finding[] => {
  const expected = expectedTests(policy);
  if (!policy.config.tests.required) {
    return [{ rule: RULE, title: TITLE, status: "skip", actual: "not required by the configuration", expected: "Nothing (`tests.required` is false)" }];
  }
  if (!snapshot.files) {
    return [{ rule: RULE, title: TITLE, status: "fail", actual: "The changed files could not be read, so no test was found.", expected, remedy: `Re-run the check. ${remedyFor(policy)}` }];
  }
  const tests = snapshot.files.filter((file) => isTestFile(file, policy));
  const [firstTest] = tests;
  if (!firstTest) {
    return [{ rule: RULE, title: TITLE, status: "fail", actual: missingTestActual(snapshot, snapshot.files, policy), expected, remedy: remedyFor(policy) }];
  }
  const others = tests.length > 1 ? ` and ${tests.length - 1} more test file${tests.length === 2 ? "" : "s"}` : "";
  return [{ rule: RULE, title: TITLE, status: "pass", actual: `${inlineCode(firstTest.filename)} (${firstTest.status})${others}`, expected }];
};
