import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createDatabase, pingDatabase } from "../src/client.js";
import { closedPort, createTestDatabase, type TestDatabase } from "../src/testing.js";

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase({ migrate: false });
});

afterAll(async () => {
  await database.drop();
});

const POOL_ENDED = "Cannot use a pool after calling end on the pool";

describe("db.$disconnect()", () => {
  it("ends the pool when only the task statements used it", async () => {
    const db = createDatabase(database.url, { poolSize: 1 });
    expect((await db.tasks.query<{ one: number }>("SELECT 1 AS one", [])).rows).toEqual([
      { one: 1 },
    ]);
    await db.$disconnect();
    await expect(db.tasks.query("SELECT 1", [])).rejects.toThrow(POOL_ENDED);
  });

  it("ends the pool when Prisma's queries used it too, and may be called again", async () => {
    const db = createDatabase(database.url, { poolSize: 1 });
    await db.$queryRaw`SELECT 1`;
    await db.tasks.query("SELECT 1", []);
    await db.$disconnect();
    await db.$disconnect();
    await expect(db.tasks.query("SELECT 1", [])).rejects.toThrow(POOL_ENDED);
  });
});

describe("pingDatabase", () => {
  it("is true when the database answers", async () => {
    const db = createDatabase(database.url, { poolSize: 1 });
    try {
      expect(await pingDatabase(db)).toBe(true);
    } finally {
      await db.$disconnect();
    }
  });

  it("is false, without throwing, when nothing listens", async () => {
    const db = createDatabase(`postgresql://postgres@127.0.0.1:${await closedPort()}/postgres`);
    try {
      expect(await pingDatabase(db)).toBe(false);
    } finally {
      await db.$disconnect();
    }
  });
});
