import { createHash, randomUUID } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import pg from "pg";

/** The committed migrations, in Prisma Migrate's layout. */
export const MIGRATIONS_DIR = fileURLToPath(new URL("../prisma/migrations", import.meta.url));

// The key Prisma's schema engine takes before migrating. Using the same one
// means this migrator and `prisma migrate deploy` never run over each other.
const PRISMA_ADVISORY_LOCK_KEY = 72707369;

// The table exactly as Prisma Migrate creates it, so either tool can take over.
const CREATE_MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

export interface Migration {
  name: string;
  sql: string;
  /** SHA-256 of migration.sql, hex: what Prisma stores in `checksum`. */
  checksum: string;
}

export class MigrationError extends Error {
  constructor(
    readonly migration: string,
    message: string,
    options?: { cause: unknown },
  ) {
    super(message, options);
    this.name = "MigrationError";
  }
}

export interface ApplyMigrationsOptions {
  migrationsDir?: string;
  log?: (message: string) => void;
  /**
   * How long to wait for the connection, in ms (default: as long as TCP
   * does). Only the connection: a migration may rightly take minutes.
   */
  connectionTimeoutMs?: number;
}

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

export function checksumOf(sql: string | Buffer): string {
  return createHash("sha256").update(sql).digest("hex");
}

/** Reads `<dir>/<timestamp>_<name>/migration.sql` in the order Prisma applies them. */
export async function readMigrations(migrationsDir: string = MIGRATIONS_DIR): Promise<Migration[]> {
  const entries = await readdir(migrationsDir, { withFileTypes: true });
  const names = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const bytes = await readFile(join(migrationsDir, name, "migration.sql"));
      return { name, sql: bytes.toString("utf8"), checksum: checksumOf(bytes) };
    }),
  );
}

/**
 * Applies the migrations the database has not seen and records them in
 * `_prisma_migrations` as Prisma would, in one transaction, each behind a
 * savepoint. Returns the names it applied.
 *
 * The lock that keeps two migrators apart is taken for that transaction
 * (`pg_advisory_xact_lock`), not for the session: behind a transaction-mode
 * pooler (PgBouncer, Neon's `-pooler` host) each statement outside a
 * transaction may run on another server connection, so a session lock is
 * neither held while migrating nor released after, and two servers starting
 * at once both applied the same migration. One transaction stays on one
 * server connection, and its lock ends with it. It still conflicts with the
 * session lock `prisma migrate deploy` takes on the same key.
 */
export async function applyMigrations(
  url: string,
  options: ApplyMigrationsOptions = {},
): Promise<string[]> {
  const migrations = await readMigrations(options.migrationsDir);
  const log = options.log ?? (() => {});
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: options.connectionTimeoutMs,
  });
  // A connection lost mid-migration fails the query in progress, which says
  // so; the client's own "error" event would otherwise end the process.
  client.on("error", () => undefined);
  await client.connect();
  try {
    await client.query("BEGIN");
    try {
      await client.query("SELECT pg_advisory_xact_lock($1)", [PRISMA_ADVISORY_LOCK_KEY]);
      await client.query(CREATE_MIGRATIONS_TABLE);
      const { rows } = await client.query<AppliedRow>(
        `SELECT migration_name, checksum, finished_at, rolled_back_at
           FROM "_prisma_migrations" ORDER BY started_at`,
      );
      const pending = pendingMigrations(migrations, rows);
      for (const migration of pending) {
        await applyOne(client, migration);
        log(`applied migration ${migration.name}`);
      }
      await client.query("COMMIT");
      return pending.map((migration) => migration.name);
    } catch (error) {
      // A failed migration has been rolled back to its savepoint and recorded
      // (see applyOne): the ones before it and that record are kept.
      await client
        .query(error instanceof MigrationError ? "COMMIT" : "ROLLBACK")
        .catch(() => undefined);
      throw error;
    }
  } finally {
    await client.end();
  }
}

function pendingMigrations(migrations: Migration[], rows: AppliedRow[]): Migration[] {
  const live = rows.filter((row) => row.rolled_back_at === null);
  const failed = live.find((row) => row.finished_at === null);
  if (failed) {
    throw new MigrationError(
      failed.migration_name,
      `Migration ${failed.migration_name} failed before and is recorded as unfinished. ` +
        `Fix the database by hand, then mark it rolled back ` +
        `(prisma migrate resolve --rolled-back ${failed.migration_name}) before migrating again.`,
    );
  }
  const appliedChecksums = new Map(live.map((row) => [row.migration_name, row.checksum]));
  for (const migration of migrations) {
    const checksum = appliedChecksums.get(migration.name);
    if (checksum !== undefined && checksum !== migration.checksum) {
      throw new MigrationError(
        migration.name,
        `Migration ${migration.name} was changed after it was applied ` +
          `(checksum ${checksum} in the database, ${migration.checksum} on disk). ` +
          `Restore the applied file and add a new migration instead.`,
      );
    }
  }
  return migrations.filter((migration) => !appliedChecksums.has(migration.name));
}

async function applyOne(client: pg.Client, migration: Migration): Promise<void> {
  const id = randomUUID();
  try {
    await client.query("SAVEPOINT migration");
    await client.query(migration.sql);
    await client.query(
      `INSERT INTO "_prisma_migrations"
         (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count)
       VALUES ($1, $2, now(), $3, NULL, NULL, now(), 1)`,
      [id, migration.checksum, migration.name],
    );
    await client.query("RELEASE SAVEPOINT migration");
  } catch (error) {
    await client.query("ROLLBACK TO SAVEPOINT migration");
    const reason = error instanceof Error ? error.message : String(error);
    // Recorded the way Prisma records a failure, so both tools refuse to go
    // on until someone has looked at it.
    await client.query(
      `INSERT INTO "_prisma_migrations"
         (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count)
       VALUES ($1, $2, NULL, $3, $4, NULL, now(), 0)`,
      [id, migration.checksum, migration.name, reason],
    );
    throw new MigrationError(migration.name, `Migration ${migration.name} failed: ${reason}`, {
      cause: error,
    });
  }
}
