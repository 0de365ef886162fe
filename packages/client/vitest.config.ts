import { defineConfig, mergeConfig } from "vitest/config";

import shared from "../../vitest.shared.js";

// The *.test-d.ts files are checked by tsc, not run: a call that should not
// compile but does fails its test.
export default mergeConfig(
  shared,
  defineConfig({
    test: {
      typecheck: { enabled: true, include: ["test/**/*.test-d.ts"], tsconfig: "tsconfig.json" },
    },
  }),
);
