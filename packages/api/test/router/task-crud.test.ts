import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { expectTRPCError, openTestDatabase } from "../caller.js";

let env: Awaited<ReturnType<typeof openTestDatabase>>;
const alice = () => env.callerFor("alice-crud");

beforeAll(async () => {
  env = await openTestDatabase();
});
afterAll(() => env.close());

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe("task.create", () => {
  it("returns the whole task with the contract's defaults and the caller as owner", async () => {
    const task = await alice().task.create({ title: "Buy milk" });
    expect(task).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      userId: "alice-crud",
      title: "Buy milk",
      description: null,
      completed: false,
      priority: "medium",
      dueDate: null,
      tags: [],
      createdAt: expect.stringMatching(ISO_UTC),
      updatedAt: expect.stringMatching(ISO_UTC),
      version: 1,
    });
    expect(task.updatedAt).toBe(task.createdAt);
  });

  it("trims the title and the tags, keeps the tags' order, and stores the due date in UTC", async () => {
    const task = await alice().task.create({
      title: "  Plan trip  ",
      description: "  spaces kept  ",
      completed: true,
      priority: "high",
      dueDate: "2026-12-01T09:30:00+02:00",
      tags: [" travel", "Family ", "b"],
    } as never);
    expect(task.title).toBe("Plan trip");
    expect(task.description).toBe("  spaces kept  ");
    expect(task.completed).toBe(true);
    expect(task.priority).toBe("high");
    expect(task.dueDate).toBe("2026-12-01T07:30:00.000Z");
    expect(task.tags).toEqual(["travel", "Family", "b"]);
  });

  it("ignores id, userId, timestamps and unknown fields in the input", async () => {
    const task = await alice().task.create({
      title: "Mine",
      id: "00000000-0000-4000-8000-000000000000",
      userId: "mallory",
      createdAt: "2000-01-01T00:00:00Z",
      colour: "red",
    } as never);
    expect(task.userId).toBe("alice-crud");
    expect(task.id).not.toBe("00000000-0000-4000-8000-000000000000");
    expect(task.createdAt.startsWith("2000")).toBe(false);
    expect(task).not.toHaveProperty("colour");
  });
});

describe("task.byId", () => {
  it("returns the caller's task", async () => {
    const created = await alice().task.create({ title: "Find me" });
    expect(await alice().task.byId({ id: created.id })).toEqual(created);
  });

  it("is NOT_FOUND with 'Task not found' for a missing id and for a malformed one alike", async () => {
    const missing = await expectTRPCError(
      alice().task.byId({ id: "6f1c2d3e-4b5a-4c6d-8e7f-0123456789ab" }),
      "NOT_FOUND",
    );
    const malformed = await expectTRPCError(alice().task.byId({ id: "not-a-uuid" }), "NOT_FOUND");
    expect(missing.message).toBe("Task not found");
    expect(malformed.message).toBe("Task not found");
  });
});

describe("task.update", () => {
  it("changes only the fields given and moves updatedAt", async () => {
    const created = await alice().task.create({
      title: "Original",
      description: "keep me",
      priority: "low",
      tags: ["x"],
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const updated = await alice().task.update({ id: created.id, title: "Renamed" });
    expect(updated).toEqual({
      ...created,
      title: "Renamed",
      updatedAt: expect.any(String),
      version: 2,
    });
    expect(Date.parse(updated.updatedAt)).toBeGreaterThan(Date.parse(created.updatedAt));
    expect(updated.createdAt).toBe(created.createdAt);
  });

  it("clears the description and the due date with null", async () => {
    const created = await alice().task.create({
      title: "Clear",
      description: "old",
      dueDate: "2026-01-01T00:00:00Z",
    } as never);
    const updated = await alice().task.update({
      id: created.id,
      description: null,
      dueDate: null,
    });
    expect(updated.description).toBeNull();
    expect(updated.dueDate).toBeNull();
  });

  it("returns the task unchanged when no field is given", async () => {
    const created = await alice().task.create({ title: "Still" });
    expect(await alice().task.update({ id: created.id })).toEqual(created);
  });

  it("is NOT_FOUND for a missing task", async () => {
    await expectTRPCError(
      alice().task.update({ id: "6f1c2d3e-4b5a-4c6d-8e7f-0123456789ab", title: "x" }),
      "NOT_FOUND",
    );
  });
});

describe("task.setCompleted and task.toggleComplete", () => {
  it("sets completed to the given value, whatever it was", async () => {
    const created = await alice().task.create({ title: "Set" });
    expect((await alice().task.setCompleted({ id: created.id, completed: true })).completed).toBe(
      true,
    );
    expect((await alice().task.setCompleted({ id: created.id, completed: true })).completed).toBe(
      true,
    );
    expect((await alice().task.setCompleted({ id: created.id, completed: false })).completed).toBe(
      false,
    );
  });

  it("toggles completed back and forth and moves updatedAt", async () => {
    const created = await alice().task.create({ title: "Toggle" });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const once = await alice().task.toggleComplete({ id: created.id });
    expect(once.completed).toBe(true);
    expect(Date.parse(once.updatedAt)).toBeGreaterThan(Date.parse(created.updatedAt));
    expect((await alice().task.toggleComplete({ id: created.id })).completed).toBe(false);
  });

  it("loses no toggle when 21 run at once", async () => {
    const created = await alice().task.create({ title: "Race" });
    const results = await Promise.all(
      Array.from({ length: 21 }, () => alice().task.toggleComplete({ id: created.id })),
    );
    // Each toggle saw the one before it: 11 of them ended at true, 10 at false.
    expect(results.filter((task) => task.completed)).toHaveLength(11);
    expect((await alice().task.byId({ id: created.id })).completed).toBe(true);
  });

  it("are NOT_FOUND for a missing task", async () => {
    const id = "6f1c2d3e-4b5a-4c6d-8e7f-0123456789ab";
    await expectTRPCError(alice().task.toggleComplete({ id }), "NOT_FOUND");
    await expectTRPCError(alice().task.setCompleted({ id, completed: true }), "NOT_FOUND");
  });
});

describe("task.delete", () => {
  it("deletes the task and returns its id; a second delete is NOT_FOUND", async () => {
    const created = await alice().task.create({ title: "Delete me" });
    expect(await alice().task.delete({ id: created.id })).toEqual({ id: created.id });
    await expectTRPCError(alice().task.byId({ id: created.id }), "NOT_FOUND");
    await expectTRPCError(alice().task.delete({ id: created.id }), "NOT_FOUND");
  });
});

describe("health", () => {
  it("is public and reports the database as reachable", async () => {
    const { createCaller } = await import("../../src/root.js");
    const { createContextInner } = await import("../../src/trpc.js");
    const anonymous = createCaller(createContextInner({ db: env.db }));
    expect(await anonymous.health()).toEqual({ status: "ok", database: "ok" });
  });
});
