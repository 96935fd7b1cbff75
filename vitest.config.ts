import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["test/helpers/setup.ts"],
    testTimeout: 20_000,
    // Opening an embedded database (PGlite) takes 5-15 s on a loaded two-core machine.
    hookTimeout: 120_000,
    // The JSON report is what `.ci/run` reads to print its closing `N passed, N failed` line.
    reporters: ["default", ["json", { outputFile: ".vitest-report.json" }]],
  },
});
