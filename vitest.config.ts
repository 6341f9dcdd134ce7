import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["packages/*/test/**/*.test.ts", "test/**/*.test.ts", "site/test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    // Builds the CLI once; tests run the real binary from packages/cli/dist.
    globalSetup: ["test/global-setup.ts"],
    // The AWS SDK's notice that releases after January 2027 need Node 22 (see packages/cli/bin/run-md.js).
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
  },
});
