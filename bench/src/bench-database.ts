import { randomBytes } from "node:crypto";
import { join } from "node:path";

import pg from "pg";

import { runCommand } from "./run-command.js";

export interface BenchDatabase {
  name: string;
  url: string;
  /** Drops the database, closing whatever is still connected to it. */
  drop(): Promise<void>;
}

async function onServer<T>(serverUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A fresh, empty database on the server `serverUrl` points at. */
export async function createBenchDatabase(serverUrl: string): Promise<BenchDatabase> {
  const name = `todo_bench_${randomBytes(6).toString("hex")}`;
  await onServer(serverUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () =>
      onServer(serverUrl, (client) =>
        client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
      ).then(() => undefined),
  };
}

export function postgresVersion(databaseUrl: string): Promise<string> {
  return onServer(databaseUrl, async (client) => {
    const { rows } = await client.query<{ server_version: string }>("SHOW server_version");
    return rows[0]?.server_version ?? "unknown";
  });
}

/**
 * Applies the project's migrations with its own migrator, from the build
 * (`packages/db/dist/cli/migrate.js`, what `pnpm db:migrate` runs), so the
 * bench needs nothing but `pnpm build`.
 */
export function applyProjectMigrations(repoRoot: string, databaseUrl: string): Promise<void> {
  return runCommand(
    "migrations",
    process.execPath,
    [join(repoRoot, "packages/db/dist/cli/migrate.js")],
    { cwd: repoRoot, env: { PATH: process.env.PATH, DATABASE_URL: databaseUrl } },
  );
}
