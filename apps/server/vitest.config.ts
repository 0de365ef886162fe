import { defineConfig, mergeConfig } from "vitest/config";

import { pgBouncerProjects } from "../../packages/db/vitest/pgbouncer-projects.js";
import shared from "../../vitest.shared.js";

export default mergeConfig(
  shared,
  defineConfig({
    test: {
      projects: [
        { extends: true, test: { name: "server" } },
        // The REST and tRPC suites once more, the app behind PgBouncer in
        // transaction mode: every task route, its errors, If-Match and
        // Idempotency-Key (transactions, concurrent writers), the built-in
        // accounts, and tRPC over HTTP with batching.
        ...pgBouncerProjects([
          "test/rest-tasks.test.ts",
          "test/rest-errors.test.ts",
          "test/rest-concurrency.test.ts",
          "test/rest-auth.test.ts",
          "test/trpc-http.test.ts",
        ]),
      ],
    },
  }),
);
