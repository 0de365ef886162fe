import { fileURLToPath } from "node:url";

import type { TestProjectInlineConfiguration } from "vitest/config";

import { findPgBouncer } from "../src/pgbouncer.js";

/**
 * A vitest project named "pgbouncer" that runs `files` (existing suites, not
 * copies) once more with the app under test behind PgBouncer in transaction
 * mode, or none, with one line saying why, when that cannot run here.
 */
export function pgBouncerProjects(files: string[]): TestProjectInlineConfiguration[] {
  const reason = unavailableBecause();
  if (reason) {
    console.log(`pgbouncer project skipped: ${reason}`);
    return [];
  }
  return [
    {
      extends: true,
      test: {
        name: "pgbouncer",
        include: files,
        globalSetup: [here("pgbouncer-global-setup.ts")],
        setupFiles: [here("pgbouncer-setup.ts")],
      },
    },
  ];
}

function unavailableBecause(): string | undefined {
  // Read here, at config time, to leave the project out rather than run its
  // files with nothing to show. createTestDatabase reads it again (env.ts).
  if (!process.env.TEST_DATABASE_URL) {
    return "TEST_DATABASE_URL is not set (PgBouncer needs a PostgreSQL server to stand in front of)";
  }
  if (!findPgBouncer()) return "pgbouncer is not installed (Debian: apt-get install pgbouncer)";
  return undefined;
}

function here(file: string): string {
  return fileURLToPath(new URL(file, import.meta.url));
}
