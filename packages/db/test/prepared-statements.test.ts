import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { behindPgBouncer, createDatabase, type Database } from "../src/client.js";
import { createTask, listTasks } from "../src/tasks.js";
import { createTestDatabase, type TestDatabase } from "../src/testing.js";

const USER = "prepared-user";

/**
 * The statements prepared on the pool's one connection, by the first words
 * of their text (this query, prepared too, left out).
 */
async function preparedOn(db: Database): Promise<string[]> {
  const rows = await db.$queryRaw<Array<{ statement: string }>>`
    SELECT statement FROM pg_prepared_statements
     WHERE statement NOT LIKE '%pg_prepared_statements%'`;
  return rows.map((row) => row.statement.trim().split(/\s+/).slice(0, 2).join(" ")).sort();
}

describe("prepared statements", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.drop();
  });

  it("are prepared once per connection and reused, one per statement text", async () => {
    const db = createDatabase(database.url, { poolSize: 1, preparedStatements: true });
    try {
      await createTask(db.tasks, USER, { title: "first" });
      await createTask(db.tasks, USER, { title: "second" });
      const page = await listTasks(db.tasks, USER);
      expect(page.items.map((task) => task.title).sort()).toEqual(["first", "second"]);
      await listTasks(db.tasks, USER, { status: "pending" });
      // Two inserts of the same shape share one statement; each list shape has its own.
      expect(await preparedOn(db)).toEqual(["INSERT INTO", "SELECT id,", "SELECT id,"]);
      expect((await listTasks(db.tasks, USER)).total).toBe(2);
      expect(await preparedOn(db)).toHaveLength(3);
    } finally {
      await db.$disconnect();
    }
  });

  it("are not used behind a transaction-mode PgBouncer (pgbouncer=true in the URL)", async () => {
    const url = new URL(database.url);
    url.searchParams.set("pgbouncer", "true");
    const db = createDatabase(url.toString(), { poolSize: 1 });
    try {
      // An embedded database is one session for every pool: start clean.
      await db.$executeRaw`DEALLOCATE ALL`;
      expect((await listTasks(db.tasks, USER)).total).toBe(2);
      await createTask(db.tasks, USER, { title: "third" });
      expect(await preparedOn(db)).toEqual([]);
    } finally {
      await db.$disconnect();
    }
  });

  it("are switched off only by an explicit pgbouncer=true", () => {
    expect(behindPgBouncer("postgresql://u@h/db?pgbouncer=true")).toBe(true);
    expect(behindPgBouncer("postgresql://u@h/db?pgbouncer=false")).toBe(false);
    expect(behindPgBouncer("postgresql://u@h/db?sslmode=require")).toBe(false);
    expect(behindPgBouncer("not a url")).toBe(false);
  });
});
