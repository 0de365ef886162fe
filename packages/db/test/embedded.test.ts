import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createDatabase } from "../src/client.js";
import { startEmbeddedPostgres } from "../src/embedded.js";
import { readMigrations } from "../src/migrate.js";
import { createTask, listTasks } from "../src/tasks.js";
import { createUser, findUserByEmail } from "../src/users.js";

let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "todo-pglite-"));
});

afterAll(() => rm(dataDir, { recursive: true, force: true }));

/**
 * How long one call may wait in line. Every call waits its turn for PGlite's
 * one session, and the last of 50 waits for the 49 before it: a fraction of
 * a second here, seconds on a loaded 2-core machine where every test file
 * runs a PGlite of its own, past Prisma's default maxWait for a transaction
 * to start (2 s: "Unable to start a transaction in the given time"). How long
 * a call may wait is a budget for a request in production, not what this
 * test checks.
 */
const IN_LINE_MS = 30_000;

describe("startEmbeddedPostgres", () => {
  it("serves a migrated database on loopback whose data survives a restart", async () => {
    const first = await startEmbeddedPostgres({ dataDir });
    expect(first.url).toMatch(/^postgresql:\/\/postgres:postgres@127\.0\.0\.1:\d+\/postgres/);
    const db = createDatabase(first.url, { poolSize: 4 });
    const created = await db.task.create({
      data: { userId: "embedded-user", title: "Survive a restart", tags: ["keep"] },
    });
    await db.$disconnect();
    await first.stop();

    const second = await startEmbeddedPostgres({ dataDir });
    const again = createDatabase(second.url, { poolSize: 4 });
    try {
      const found = await again.task.findUnique({ where: { id: created.id } });
      expect(found).toEqual(created);
      const migrations = await again.$queryRaw<Array<{ n: number }>>`
        SELECT count(*)::int AS n FROM "_prisma_migrations"`;
      expect(migrations[0]?.n).toBe((await readMigrations()).length);
    } finally {
      await again.$disconnect();
      await second.stop();
    }
  });

  it(
    "answers 50 concurrent queries through a pool, transactions included",
    async () => {
      const embedded = await startEmbeddedPostgres({ maxConnections: 20 });
      const db = createDatabase(embedded.url, {
        poolSize: 10,
        connectionTimeoutMs: IN_LINE_MS,
        queryTimeoutMs: IN_LINE_MS,
      });
      try {
        const results = await Promise.allSettled(
          Array.from({ length: 50 }, (_, i) =>
            i % 2 === 0
              ? db.task.create({ data: { userId: `pool-user-${i}`, title: `Task ${i}` } })
              : db.$transaction(
                  async (tx) => {
                    const task = await tx.task.create({
                      data: { userId: `pool-user-${i}`, title: `Task ${i}` },
                    });
                    return tx.task.update({ where: { id: task.id }, data: { completed: true } });
                  },
                  { maxWait: IN_LINE_MS },
                ),
          ),
        );
        expect(results.filter((result) => result.status === "rejected")).toEqual([]);
        expect(await db.task.count()).toBe(50);
        expect(await db.task.count({ where: { completed: true } })).toBe(25);

        // The plain-SQL task queries too. The pool's connections share one
        // session, so a statement one connection prepared would collide with
        // another's: the embedded URL turns prepared statements off.
        const pages = await Promise.all(
          Array.from({ length: 30 }, async (_, i) => {
            await createTask(db.tasks, "plain-sql-user", { title: `Plain ${i}` });
            return listTasks(db.tasks, `pool-user-${i % 50}`, {
              status: i % 3 === 0 ? "all" : "pending",
            });
          }),
        );
        expect(pages.every((page) => page.total <= 1)).toBe(true);
        expect((await listTasks(db.tasks, "plain-sql-user")).total).toBe(30);
      } finally {
        await db.$disconnect();
        await embedded.stop();
      }
    },
    // The database's start, the line, and the queries after it: well past
    // the line's budget, so a call that waits its whole budget fails as
    // itself ("Unable to start a transaction"), not as a test timeout.
    3 * IN_LINE_MS,
  );

  // A pool drops a connection whose query failed and opens another at once.
  // (pglite-socket with one connection turned that one away: every request
  // after a duplicate email's 409 failed.)
  it("keeps serving after a query fails, as after a signup with a registered email", async () => {
    const embedded = await startEmbeddedPostgres();
    const db = createDatabase(embedded.url, { poolSize: 1 });
    try {
      for (let i = 0; i < 5; i++) {
        const email = `ada${i}@example.com`;
        expect(await createUser(db, { email, passwordHash: "hash" })).not.toBeNull();
        expect(
          await createUser(db, { email: email.toUpperCase(), passwordHash: "hash" }),
        ).toBeNull();
        expect(await findUserByEmail(db, email)).toMatchObject({ email });
      }
    } finally {
      await db.$disconnect();
      await embedded.stop();
    }
  });
});
