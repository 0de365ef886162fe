import { randomUUID } from "node:crypto";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createDatabase, type Database, type DatabaseOptions } from "../src/client.js";
import { readDbEnv } from "../src/env.js";
import { isDatabaseUnavailable } from "../src/errors.js";
import { Prisma } from "../src/generated/prisma/client.js";
import { listTasks } from "../src/tasks.js";
import {
  closedPort,
  createTestDatabase,
  startMisbehavingPostgres,
  type Misbehaviour,
  type MisbehavingPostgres,
  type TestDatabase,
} from "../src/testing.js";

// Every error here is really caused, through Prisma, the pg adapter and the
// pool, so the test breaks if an upgrade changes what they raise. Prisma's
// model queries and the task queries (plain SQL on the same pool) fail by
// different paths, so each failure is caused through both.

const QUERIES = [
  { through: "a model query", run: (db: Database) => db.task.findMany() },
  { through: "a task query", run: (db: Database) => listTasks(db.tasks, "someone") },
];

const FAST: DatabaseOptions = { poolSize: 2, connectionTimeoutMs: 300, queryTimeoutMs: 300 };
const opened: Array<{ close(): Promise<void> }> = [];

async function failureOf(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to fail");
}

function open(url: string, options: DatabaseOptions = FAST): Database {
  const db = createDatabase(url, options);
  opened.push({ close: () => db.$disconnect() });
  return db;
}

async function misbehaving(misbehaviour: Misbehaviour): Promise<Database> {
  const server: MisbehavingPostgres = await startMisbehavingPostgres(misbehaviour);
  opened.push(server);
  return open(server.url);
}

afterAll(async () => {
  for (const resource of opened.reverse()) await resource.close();
});

describe("isDatabaseUnavailable: the database cannot be reached", () => {
  it("is true when nothing listens on the port (Prisma P1001)", async () => {
    const db = open(`postgresql://postgres@127.0.0.1:${await closedPort()}/postgres`);
    const error = await failureOf(() => db.task.findMany());
    expect(error).toBeInstanceOf(Prisma.PrismaClientKnownRequestError);
    expect(error).toMatchObject({ code: "P1001" });
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it("is true for a raw query on a refused connection (P2010 whose adapter error is DatabaseNotReachable)", async () => {
    const db = open(`postgresql://postgres@127.0.0.1:${await closedPort()}/postgres`);
    const error = await failureOf(() => db.$queryRaw`SELECT 1`);
    expect(error).toMatchObject({
      code: "P2010",
      meta: { driverAdapterError: { cause: { kind: "DatabaseNotReachable" } } },
    });
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it("is true for a task query on a refused connection (the socket's ECONNREFUSED)", async () => {
    const db = open(`postgresql://postgres@127.0.0.1:${await closedPort()}/postgres`);
    const error = await failureOf(() => listTasks(db.tasks, "someone"));
    expect(error).toMatchObject({ code: "ECONNREFUSED", syscall: "connect" });
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each(QUERIES)("is true when the server hangs up in the middle of $through", async (query) => {
    const db = await misbehaving("hang-up-on-query");
    const error = await failureOf(() => query.run(db));
    expect(error).toMatchObject({ message: "Connection terminated unexpectedly" });
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each(QUERIES)(
    "is true when a connection attempt for $through gets no answer in time",
    async (query) => {
      const db = await misbehaving("silent");
      const error = await failureOf(() => query.run(db));
      expect(error).toMatchObject({
        message: "Connection terminated due to connection timeout",
        cause: { message: "Connection terminated unexpectedly" },
      });
      expect(isDatabaseUnavailable(error)).toBe(true);
    },
  );

  it.each(QUERIES)("is true when $through gets no answer in time", async (query) => {
    const db = await misbehaving("silent-on-query");
    const error = await failureOf(() => query.run(db));
    expect(error).toMatchObject({ message: "Query read timeout" });
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each(QUERIES)(
    "is true when every pooled connection stays busy past the connection timeout ($through)",
    async (query) => {
      const server = await startMisbehavingPostgres("silent-on-query");
      opened.push(server);
      const db = open(server.url, { poolSize: 1, connectionTimeoutMs: 200, queryTimeoutMs: 600 });
      const stuck = failureOf(() => query.run(db));
      await new Promise((resolve) => setTimeout(resolve, 50));
      const error = await failureOf(() => query.run(db));
      expect(error).toMatchObject({ message: "timeout exceeded when trying to connect" });
      expect(isDatabaseUnavailable(error)).toBe(true);
      await stuck;
    },
  );

  it("is true for the same failure wrapped as another error's cause", async () => {
    const db = await misbehaving("silent-on-query");
    const error = await failureOf(() => db.task.findMany());
    expect(isDatabaseUnavailable(new Error("procedure failed", { cause: error }))).toBe(true);
  });

  it.skipIf(!readDbEnv().TEST_DATABASE_URL)(
    "is true when PostgreSQL terminates the session (57P01, a real server only)",
    async () => {
      const database = await createTestDatabase({ migrate: false });
      opened.push({ close: () => database.drop() });
      const db = open(database.url, { poolSize: 2, queryTimeoutMs: 10_000 });
      const admin = open(database.url, { poolSize: 1 });
      const sleeping = failureOf(() => db.$queryRaw`SELECT pg_sleep(10)`);
      await expect.poll(() => terminateSleepers(admin), { timeout: 5_000 }).toBeGreaterThan(0);
      const error = await sleeping;
      expect(error).toMatchObject({
        meta: { driverAdapterError: { cause: { kind: "postgres", code: "57P01" } } },
      });
      expect(isDatabaseUnavailable(error)).toBe(true);
    },
  );
});

async function terminateSleepers(admin: Database): Promise<number> {
  const rows = await admin.$queryRaw<Array<{ terminated: boolean }>>`
    SELECT pg_terminate_backend(pid) AS terminated FROM pg_stat_activity
     WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE '%pg_sleep%'`;
  return rows.filter((row) => row.terminated).length;
}

describe("isDatabaseUnavailable: a bad query or a bug", () => {
  let database: TestDatabase;
  let db: Database;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = createDatabase(database.url, { poolSize: 2 });
  });
  afterAll(async () => {
    await db.$disconnect();
    await database.drop();
  });

  it("is false for a syntax error", async () => {
    const error = await failureOf(() => db.$queryRawUnsafe("SELEC 1"));
    expect(error).toMatchObject({
      code: "P2010",
      meta: { driverAdapterError: { cause: { code: "42601" } } },
    });
    expect(isDatabaseUnavailable(error)).toBe(false);
  });

  it("is false for an unknown column", async () => {
    const error = await failureOf(() => db.$queryRawUnsafe("SELECT nope FROM tasks"));
    expect(isDatabaseUnavailable(error)).toBe(false);
  });

  it("is false for a unique violation", async () => {
    const id = randomUUID();
    await db.task.create({ data: { id, userId: "u", title: "first" } });
    const error = await failureOf(() =>
      db.task.create({ data: { id, userId: "u", title: "again" } }),
    );
    expect(error).toMatchObject({ code: "P2002" });
    expect(isDatabaseUnavailable(error)).toBe(false);
  });

  it("is false for a record that does not exist", async () => {
    const error = await failureOf(() =>
      db.task.update({ where: { id: randomUUID() }, data: { title: "x" } }),
    );
    expect(error).toMatchObject({ code: "P2025" });
    expect(isDatabaseUnavailable(error)).toBe(false);
  });

  it("is false for errors that have nothing to do with the database", () => {
    for (const error of [
      undefined,
      null,
      "Connection terminated",
      new Error("boom"),
      new TypeError("x"),
    ]) {
      expect(isDatabaseUnavailable(error)).toBe(false);
    }
  });
});
