import { configDefaults, defineConfig, mergeConfig } from "vitest/config";

import shared from "../../vitest.shared.js";
import { pgBouncerProjects } from "./vitest/pgbouncer-projects.js";

export default mergeConfig(
  shared,
  defineConfig({
    test: {
      projects: [
        {
          extends: true,
          test: { name: "db", exclude: [...configDefaults.exclude, "test/pooler.test.ts"] },
        },
        // The migrator behind a transaction-mode pooler (two servers starting
        // at once included), and the proof that the project's databases are
        // pooled at all.
        ...pgBouncerProjects(["test/migrate.test.ts", "test/pooler.test.ts"]),
      ],
    },
  }),
);
