import { randomBytes } from "node:crypto";

import pg from "pg";

import { startEmbeddedPostgres } from "./embedded.js";
import { readDbEnv } from "./env.js";
import { applyMigrations } from "./migrate.js";

export interface TestDatabase {
  url: string;
  /** Drops the database (real PostgreSQL) or stops the embedded one. */
  drop(): Promise<void>;
}

/**
 * A database of the test's own: a fresh database on the server at
 * TEST_DATABASE_URL, or an in-memory embedded PostgreSQL when it is unset.
 * Migrated unless `migrate: false`.
 */
export async function createTestDatabase(
  options: { migrate?: boolean } = {},
): Promise<TestDatabase> {
  const { TEST_DATABASE_URL } = readDbEnv();
  const migrate = options.migrate ?? true;
  if (!TEST_DATABASE_URL) {
    const embedded = await startEmbeddedPostgres({ migrate });
    return { url: embedded.url, drop: embedded.stop };
  }
  const name = `todo_test_${randomBytes(6).toString("hex")}`;
  await withAdminClient(TEST_DATABASE_URL, (client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  if (migrate) await applyMigrations(url.toString());
  return {
    url: url.toString(),
    drop: () =>
      withAdminClient(TEST_DATABASE_URL, (client) =>
        client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
      ).then(() => undefined),
  };
}

async function withAdminClient<T>(url: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}
