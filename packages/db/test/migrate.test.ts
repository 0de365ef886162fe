import { execFile } from "node:child_process";
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

import pg from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { readDbEnv } from "../src/env.js";
import { applyMigrations, MigrationError, MIGRATIONS_DIR, readMigrations } from "../src/migrate.js";
import { createTestDatabase, type TestDatabase } from "../src/testing.js";

const run = promisify(execFile);

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

async function writeMigrations(dir: string, migrations: Record<string, string>): Promise<void> {
  for (const [name, sql] of Object.entries(migrations)) {
    await mkdir(join(dir, name), { recursive: true });
    await writeFile(join(dir, name, "migration.sql"), sql);
  }
}

let database: TestDatabase;
let scratch: string;

beforeEach(async () => {
  database = await createTestDatabase({ migrate: false });
  scratch = await mkdtemp(join(tmpdir(), "todo-migrations-"));
});

afterEach(async () => {
  await database.drop();
  await rm(scratch, { recursive: true, force: true });
});

describe("applyMigrations", () => {
  it("applies the committed migrations to an empty database and records them as Prisma does", async () => {
    const committed = await readMigrations();
    expect(committed.length).toBeGreaterThan(0);

    const applied = await applyMigrations(database.url);

    expect(applied).toEqual(committed.map((migration) => migration.name));
    const rows = await query<{
      id: string;
      checksum: string;
      finished_at: Date | null;
      migration_name: string;
      logs: string | null;
      rolled_back_at: Date | null;
      started_at: Date;
      applied_steps_count: number;
    }>(database.url, `SELECT * FROM "_prisma_migrations" ORDER BY migration_name`);
    expect(rows).toHaveLength(committed.length);
    rows.forEach((row, index) => {
      const migration = committed[index]!;
      expect(row.migration_name).toBe(migration.name);
      expect(row.checksum).toBe(migration.checksum);
      expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
      expect(row.id).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.logs).toBeNull();
      expect(row.rolled_back_at).toBeNull();
      expect(row.applied_steps_count).toBe(1);
    });
  });

  it("records the table with exactly the columns and types of Prisma's _prisma_migrations", async () => {
    await applyMigrations(database.url);
    const columns = await query<{ column_name: string; data_type: string; is_nullable: string }>(
      database.url,
      `SELECT column_name, data_type, is_nullable FROM information_schema.columns
        WHERE table_name = '_prisma_migrations' ORDER BY ordinal_position`,
    );
    expect(columns).toEqual([
      { column_name: "id", data_type: "character varying", is_nullable: "NO" },
      { column_name: "checksum", data_type: "character varying", is_nullable: "NO" },
      { column_name: "finished_at", data_type: "timestamp with time zone", is_nullable: "YES" },
      { column_name: "migration_name", data_type: "character varying", is_nullable: "NO" },
      { column_name: "logs", data_type: "text", is_nullable: "YES" },
      { column_name: "rolled_back_at", data_type: "timestamp with time zone", is_nullable: "YES" },
      { column_name: "started_at", data_type: "timestamp with time zone", is_nullable: "NO" },
      { column_name: "applied_steps_count", data_type: "integer", is_nullable: "NO" },
    ]);
  });

  it("uses the SHA-256 of migration.sql, in hex, as the checksum", async () => {
    await writeMigrations(scratch, { "20260101000000_one": "SELECT 1;\n" });
    const [migration] = await readMigrations(scratch);
    // `printf 'SELECT 1;\n' | sha256sum`
    expect(migration?.checksum).toBe(
      "b4e0497804e46e0a0b0b8c31975b062152d551bac49c3c2e80932567b4085dcd",
    );
  });

  it("applies nothing the second time", async () => {
    await applyMigrations(database.url);
    expect(await applyMigrations(database.url)).toEqual([]);
    const [count] = await query<{ n: number }>(
      database.url,
      `SELECT count(*)::int AS n FROM "_prisma_migrations"`,
    );
    expect(count?.n).toBe((await readMigrations()).length);
  });

  it("applies only the migrations added since the last run, in order", async () => {
    await writeMigrations(scratch, {
      "20260101000000_one": `CREATE TABLE "log" ("step" INT);`,
    });
    expect(await applyMigrations(database.url, { migrationsDir: scratch })).toEqual([
      "20260101000000_one",
    ]);
    await writeMigrations(scratch, {
      "20260103000000_three": `INSERT INTO "log" VALUES (3);`,
      "20260102000000_two": `INSERT INTO "log" VALUES (2);`,
    });
    expect(await applyMigrations(database.url, { migrationsDir: scratch })).toEqual([
      "20260102000000_two",
      "20260103000000_three",
    ]);
    const steps = await query<{ step: number }>(database.url, `SELECT step FROM "log"`);
    expect(steps.map((row) => row.step)).toEqual([2, 3]);
  });

  it("refuses, naming the migration, when an applied file was changed", async () => {
    await writeMigrations(scratch, { "20260101000000_one": `CREATE TABLE "a" ("x" INT);` });
    await applyMigrations(database.url, { migrationsDir: scratch });
    await writeMigrations(scratch, { "20260101000000_one": `CREATE TABLE "a" ("x" BIGINT);` });

    const attempt = applyMigrations(database.url, { migrationsDir: scratch });

    await expect(attempt).rejects.toBeInstanceOf(MigrationError);
    await expect(attempt).rejects.toThrow(/20260101000000_one was changed after it was applied/);
  });

  it("rolls a failing migration back, records the failure, and refuses to go on until it is resolved", async () => {
    await writeMigrations(scratch, {
      "20260101000000_good": `CREATE TABLE "a" ("x" INT);`,
      "20260102000000_bad": `CREATE TABLE "b" ("x" INT);\nSELECT * FROM "missing_table";`,
      "20260103000000_later": `CREATE TABLE "c" ("x" INT);`,
    });

    await expect(applyMigrations(database.url, { migrationsDir: scratch })).rejects.toThrow(
      /Migration 20260102000000_bad failed: .*missing_table/,
    );

    const tables = await query<{ table_name: string }>(
      database.url,
      `SELECT table_name FROM information_schema.tables
        WHERE table_schema = 'public' AND table_name IN ('a', 'b', 'c') ORDER BY 1`,
    );
    expect(tables.map((row) => row.table_name)).toEqual(["a"]);
    const [failure] = await query<{
      finished_at: Date | null;
      logs: string | null;
      applied_steps_count: number;
    }>(
      database.url,
      `SELECT finished_at, logs, applied_steps_count FROM "_prisma_migrations"
        WHERE migration_name = '20260102000000_bad'`,
    );
    expect(failure?.finished_at).toBeNull();
    expect(failure?.logs).toMatch(/missing_table/);
    expect(failure?.applied_steps_count).toBe(0);

    await writeMigrations(scratch, { "20260102000000_bad": `CREATE TABLE "b" ("x" INT);` });
    await expect(applyMigrations(database.url, { migrationsDir: scratch })).rejects.toThrow(
      /Migration 20260102000000_bad failed before/,
    );

    await query(
      database.url,
      `UPDATE "_prisma_migrations" SET rolled_back_at = now()
        WHERE migration_name = '20260102000000_bad'`,
    );
    expect(await applyMigrations(database.url, { migrationsDir: scratch })).toEqual([
      "20260102000000_bad",
      "20260103000000_later",
    ]);
  });

  // The embedded database is one PostgreSQL session for all its connections,
  // so both migrators would hold the advisory lock that keeps them apart.
  it.skipIf(!readDbEnv().TEST_DATABASE_URL)(
    "applies each migration exactly once when two processes migrate at the same time (a real server only)",
    async () => {
      await writeMigrations(scratch, {
        "20260101000000_slow": `CREATE TABLE "runs" ("n" INT);\nSELECT pg_sleep(0.5);`,
        "20260102000000_count": `INSERT INTO "runs" VALUES (1);`,
      });
      const child = fileURLToPath(new URL("./fixtures/migrate-child.ts", import.meta.url));
      const migrate = () =>
        run(process.execPath, ["--import", "tsx", child, database.url, scratch], {
          cwd: fileURLToPath(new URL("..", import.meta.url)),
        });

      const outputs = await Promise.all([migrate(), migrate()]);

      const appliedByEach = outputs.map(({ stdout }) => JSON.parse(stdout) as string[]);
      expect(appliedByEach.flat().sort()).toEqual(
        ["20260101000000_slow", "20260102000000_count"].sort(),
      );
      const runs = await query<{ n: number }>(database.url, `SELECT n FROM "runs"`);
      expect(runs).toEqual([{ n: 1 }]);
      const [recorded] = await query<{ n: number }>(
        database.url,
        `SELECT count(*)::int AS n FROM "_prisma_migrations"`,
      );
      expect(recorded?.n).toBe(2);
    },
  );
});

describe("the committed migrations", () => {
  it("live in Prisma Migrate's layout", async () => {
    const migrations = await readMigrations(MIGRATIONS_DIR);
    for (const migration of migrations) expect(migration.name).toMatch(/^\d{14}_[a-z0-9_]+$/);
  });
});
