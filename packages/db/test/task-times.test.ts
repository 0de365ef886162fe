import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createDatabase, type Database } from "../src/client.js";
import { createTask, listTasks, updateTask } from "../src/tasks.js";
import { createTestDatabase, type TestDatabase } from "../src/testing.js";

let database: TestDatabase;
let db: Database;

beforeAll(async () => {
  database = await createTestDatabase();
  // One connection, so a SET TIME ZONE holds for every query after it.
  db = createDatabase(database.url, { poolSize: 1 });
});

afterAll(async () => {
  await db.$disconnect();
  await database.drop();
});

describe("task times", () => {
  it("are the instants written, in UTC with milliseconds, whatever the session's time zone", async () => {
    const due = new Date("2026-11-22T10:11:12.345Z");
    const later = new Date("2027-01-02T03:04:05.006Z");
    for (const zone of ["UTC", "Asia/Kolkata", "America/St_Johns"]) {
      await db.$executeRawUnsafe(`SET TIME ZONE '${zone}'`);
      const user = `times-${zone}`;
      const before = Date.now();
      const task = await createTask(db.tasks, user, { title: "Due", dueDate: due });

      expect(task.dueDate, zone).toBe("2026-11-22T10:11:12.345Z");
      expect(task.createdAt, zone).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(Date.parse(task.createdAt), zone).toBeGreaterThanOrEqual(before - 5_000);
      expect(Date.parse(task.createdAt), zone).toBeLessThanOrEqual(Date.now() + 5_000);

      const titles = async (filters: { dueAfter?: Date; dueBefore?: Date }) =>
        (await listTasks(db.tasks, user, filters)).items.map((item) => item.title);
      expect(await titles({ dueAfter: due }), zone).toEqual(["Due"]);
      expect(await titles({ dueBefore: due }), zone).toEqual([]);
      expect(await titles({ dueBefore: new Date(due.getTime() + 1) }), zone).toEqual(["Due"]);

      const moved = await updateTask(db.tasks, user, task.id, { dueDate: later });
      expect(moved.kind === "written" && moved.task.dueDate, zone).toBe("2027-01-02T03:04:05.006Z");
    }
    await db.$executeRawUnsafe("RESET TIME ZONE");
  });
});
