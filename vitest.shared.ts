import { defaultServerConditions } from "vite";
import { defineConfig } from "vitest/config";

// Every package tests its TypeScript sources, not its build: the
// "@todo/source" export condition points workspace imports at src/.
const conditions = ["@todo/source", ...defaultServerConditions];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  // Where vitest runs globalSetup files (the web app's starts the whole stack).
  environments: { __vitest__: { resolve: { conditions } } },
  test: {
    environment: "node",
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ["default", ["json", { outputFile: "test-results/vitest.json" }]],
  },
});
