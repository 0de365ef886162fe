import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createDatabase } from "../src/client.js";
import { startEmbeddedPostgres } from "../src/embedded.js";
import { readMigrations } from "../src/migrate.js";
import { createTask, listTasks } from "../src/tasks.js";

let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "todo-pglite-"));
});

afterAll(() => rm(dataDir, { recursive: true, force: true }));

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

  it("answers 50 concurrent queries through a pool, transactions included", async () => {
    const embedded = await startEmbeddedPostgres({ maxConnections: 20 });
    const db = createDatabase(embedded.url, { poolSize: 10 });
    try {
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          i % 2 === 0
            ? db.task.create({ data: { userId: `pool-user-${i}`, title: `Task ${i}` } })
            : db.$transaction(async (tx) => {
                const task = await tx.task.create({
                  data: { userId: `pool-user-${i}`, title: `Task ${i}` },
                });
                return tx.task.update({ where: { id: task.id }, data: { completed: true } });
              }),
        ),
      );
      expect(results).toHaveLength(50);
      expect(await db.task.count()).toBe(50);
      expect(await db.task.count({ where: { completed: true } })).toBe(25);

      // The plain-SQL task queries too. The pool's connections share one
      // session, so a statement one connection prepared would collide with
      // another's: the embedded URL turns prepared statements off.
      const pages = await Promise.all(
        Array.from({ length: 30 }, async (_, i) => {
          await createTask(db, "plain-sql-user", { title: `Plain ${i}` });
          return listTasks(db, `pool-user-${i % 50}`, { status: i % 3 === 0 ? "all" : "pending" });
        }),
      );
      expect(pages.every((page) => page.total <= 1)).toBe(true);
      expect((await listTasks(db, "plain-sql-user")).total).toBe(30);
    } finally {
      await db.$disconnect();
      await embedded.stop();
    }
  });
});
