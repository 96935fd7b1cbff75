import { resolveConfig } from "./src/config/load.ts";
const r = (c: unknown, ext?: unknown) => resolveConfig([{location:"o/r:.github/hotfix-guard.yml", config: c}, ...(ext!==undefined?[{location:"o/.github:.github/hotfix-guard.yml", config: ext}]:[])]);
console.log(JSON.stringify(r({aprovals: 1, scope: {level: "block", max_files: "x"}, approvals: {reviewers: {users: ["@bad"]}}, hotfix: {branch_names: ["hotfix/{nope}"], bogus: 1}, tests: {globs: ["/(/"]}, template: {sections: [{name: "X", formats: ["{x}"]}, 5]}}), null, 1));
const ok = r({approvals: {required: 2}}, {approvals: {required: 1, by_severity: {HIGH: 2}}, tests: {globs: ["x/**"]}});
console.log(ok.ok && JSON.stringify({a: ok.policy.config.approvals, t: ok.policy.config.tests, s: ok.policy.source}));
console.log(JSON.stringify(resolveConfig([{location:"a", config: null}]).ok));
console.log(JSON.stringify(r(["list"])));
