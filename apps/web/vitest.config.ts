import { defineConfig, mergeConfig } from "vitest/config";

import shared from "../../vitest.shared.js";

// One API server and one build of the app serve every test file (see
// test/global-setup.ts); each browser test file drives its own Chromium.
export default mergeConfig(
  shared,
  defineConfig({
    test: {
      include: ["test/**/*.test.ts"],
      globalSetup: ["test/global-setup.ts"],
      testTimeout: 60_000,
      hookTimeout: 120_000,
      expect: { poll: { timeout: 15_000, interval: 50 } },
    },
  }),
);
