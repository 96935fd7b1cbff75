import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["test/helpers/setup.ts"],
    testTimeout: 20_000,
    // The JSON report is what `.ci/run` reads to print its closing `N passed, N failed` line.
    reporters: ["default", ["json", { outputFile: ".vitest-report.json" }]],
  },
});
