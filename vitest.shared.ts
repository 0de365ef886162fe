import { defaultServerConditions } from "vite";
import { defineConfig } from "vitest/config";

// Every package tests its TypeScript sources, not its build: the
// "@todo/source" export condition points workspace imports at src/.
const conditions = ["@todo/source", ...defaultServerConditions];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    environment: "node",
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ["default", ["json", { outputFile: "test-results/vitest.json" }]],
  },
});
