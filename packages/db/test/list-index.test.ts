import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createDatabase, type Database } from "../src/client.js";
import { createTestDatabase, type TestDatabase } from "../src/testing.js";

let database: TestDatabase;
let db: Database;

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDatabase(database.url, { poolSize: 2 });
  const users = Array.from({ length: 20 }, (_, u) => `index-user-${u}`);
  await db.task.createMany({
    data: users.flatMap((userId) =>
      Array.from({ length: 50 }, (_, i) => ({
        userId,
        title: `Task ${i}`,
        createdAt: new Date(Date.UTC(2026, 0, 1, 0, i)),
      })),
    ),
  });
  await db.$executeRawUnsafe("ANALYZE tasks");
});

afterAll(async () => {
  await db.$disconnect();
  await database.drop();
});

describe("the tasks index", () => {
  it("serves one user's tasks, newest first with id as tie-breaker, without a sort step", async () => {
    const plan = await db.$transaction(async (tx) => {
      // A table this small would be read whole and sorted; rule that out to
      // see the plan PostgreSQL uses once a real table is large.
      await tx.$executeRawUnsafe("SET LOCAL enable_seqscan = off");
      await tx.$executeRawUnsafe("SET LOCAL enable_bitmapscan = off");
      return tx.$queryRawUnsafe<Array<{ "QUERY PLAN": string }>>(
        `EXPLAIN SELECT * FROM tasks WHERE user_id = $1
           ORDER BY created_at DESC, id DESC LIMIT 1000`,
        "index-user-3",
      );
    });
    const text = plan.map((row) => row["QUERY PLAN"]).join("\n");
    expect(text).toContain("tasks_user_id_created_at_id_idx");
    expect(text).not.toMatch(/\bSort\b/);
  });
});
