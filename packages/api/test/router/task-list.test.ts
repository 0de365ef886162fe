import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { RouterOutputs } from "../../src/index.js";
import { expectTRPCError, openTestDatabase } from "../caller.js";

type Task = RouterOutputs["task"]["byId"];

let env: Awaited<ReturnType<typeof openTestDatabase>>;
const lister = () => env.callerFor("lister");
const tasks: Record<string, Task> = {};

/** Ids of `list` results, mapped back to the fixture names for readable failures. */
async function names(input?: Parameters<ReturnType<typeof lister>["task"]["list"]>[0]) {
  const page = await lister().task.list(input);
  const byId = new Map(Object.entries(tasks).map(([name, task]) => [task.id, name]));
  return page.items.map((task) => byId.get(task.id) ?? task.id);
}

beforeAll(async () => {
  env = await openTestDatabase();
  const fixtures: Array<[string, Record<string, unknown>]> = [
    [
      "milk",
      { title: "Buy milk", priority: "low", tags: ["Shopping"], dueDate: "2026-03-01T00:00:00Z" },
    ],
    [
      "report",
      {
        title: "Write report",
        description: "Q3 numbers, 100% done",
        priority: "high",
        tags: ["work"],
        dueDate: "2026-02-01T00:00:00Z",
      },
    ],
    ["call", { title: "call mom", priority: "medium", tags: ["family"], completed: true }],
    [
      "underscore",
      {
        title: "rename file_name",
        description: "use a\\b path",
        priority: "high",
        dueDate: "2026-03-01T00:00:00Z",
      },
    ],
    [
      "zebra",
      { title: "Zebra crossing", priority: "low", completed: true, tags: ["WORK", "outside"] },
    ],
  ];
  for (const [name, input] of fixtures) {
    tasks[name] = await lister().task.create(input as never);
    await new Promise((resolve) => setTimeout(resolve, 3));
  }
  // Another user's tasks must never show up in any of these lists.
  await env.callerFor("someone-else").task.create({ title: "Buy milk too", tags: ["work"] });
});
afterAll(() => env.close());

describe("task.list", () => {
  it("returns the caller's tasks newest first, with the total", async () => {
    const page = await lister().task.list();
    expect(page.total).toBe(5);
    expect(await names()).toEqual(["zebra", "underscore", "call", "report", "milk"]);
  });

  it("filters by status", async () => {
    expect(await names({ status: "completed" })).toEqual(["zebra", "call"]);
    expect(await names({ status: "pending" })).toEqual(["underscore", "report", "milk"]);
    expect(await names({ status: "all" })).toHaveLength(5);
  });

  it("filters by completed as by status, and refuses the two contradicting", async () => {
    expect(await names({ completed: true })).toEqual(["zebra", "call"]);
    expect(await names({ completed: false })).toEqual(["underscore", "report", "milk"]);
    expect(await names({ completed: false, status: "pending" })).toHaveLength(3);
    await expectTRPCError(
      lister().task.list({ completed: true, status: "pending" }),
      "BAD_REQUEST",
    );
  });

  it("filters by priority", async () => {
    expect(await names({ priority: "high" })).toEqual(["underscore", "report"]);
  });

  it("filters by tag without regard to case", async () => {
    expect(await names({ tag: "work" })).toEqual(["zebra", "report"]);
    expect(await names({ tag: "shopping" })).toEqual(["milk"]);
    expect(await names({ tag: "nope" })).toEqual([]);
  });

  it("searches title and description without regard to case", async () => {
    expect(await names({ search: "MILK" })).toEqual(["milk"]);
    expect(await names({ search: "q3 numbers" })).toEqual(["report"]);
  });

  it("matches %, _ and \\ in a search literally", async () => {
    expect(await names({ search: "100%" })).toEqual(["report"]);
    expect(await names({ search: "%" })).toEqual(["report"]);
    expect(await names({ search: "file_name" })).toEqual(["underscore"]);
    expect(await names({ search: "_" })).toEqual(["underscore"]);
    expect(await names({ search: "a\\b" })).toEqual(["underscore"]);
  });

  it("keeps due_after <= due_date < due_before", async () => {
    expect(await names({ dueAfter: "2026-03-01T00:00:00Z", sort: "title" } as never)).toEqual([
      "milk",
      "underscore",
    ]);
    expect(await names({ dueBefore: "2026-03-01T00:00:00Z" } as never)).toEqual(["report"]);
    expect(
      await names({
        dueAfter: "2026-02-01T00:00:00Z",
        dueBefore: "2026-02-01T00:00:00.001Z",
      } as never),
    ).toEqual(["report"]);
    expect(await names({ dueAfter: "2026-03-01T01:00:00+01:00" } as never)).toHaveLength(2);
  });

  it("combines filters", async () => {
    expect(await names({ status: "pending", priority: "high", search: "report" })).toEqual([
      "report",
    ]);
  });

  it("sorts by title A–Z by default for that key, case-insensitively, and Z–A on request", async () => {
    expect(await names({ sort: "title" })).toEqual([
      "milk",
      "call",
      "underscore",
      "report",
      "zebra",
    ]);
    expect(await names({ sort: "title", order: "desc" })).toEqual([
      "zebra",
      "report",
      "underscore",
      "call",
      "milk",
    ]);
  });

  it("sorts by priority high first by default, ties broken by id in the same direction", async () => {
    const page = await lister().task.list({ sort: "priority" });
    expect(page.items.map((task) => task.priority)).toEqual([
      "high",
      "high",
      "medium",
      "low",
      "low",
    ]);
    const highIds = page.items.slice(0, 2).map((task) => task.id);
    expect(highIds).toEqual([...highIds].sort().reverse());
    const asc = await lister().task.list({ sort: "priority", order: "asc" });
    expect(asc.items.map((task) => task.priority)).toEqual([
      "low",
      "low",
      "medium",
      "high",
      "high",
    ]);
    const lowIds = asc.items.slice(0, 2).map((task) => task.id);
    expect(lowIds).toEqual([...lowIds].sort());
  });

  it("sorts by due date soonest first, with tasks that have none last in either order", async () => {
    const asc = await names({ sort: "due_date" });
    expect(asc.slice(0, 3)).toEqual([
      "report",
      ...["milk", "underscore"].sort((a, b) => (tasks[a]!.id < tasks[b]!.id ? -1 : 1)),
    ]);
    expect(asc.slice(3).sort()).toEqual(["call", "zebra"]);
    const desc = await names({ sort: "due_date", order: "desc" });
    expect(desc[2]).toBe("report");
    expect(desc.slice(3).sort()).toEqual(["call", "zebra"]);
  });

  it("sorts by created and updated time, newest first unless asked", async () => {
    expect(await names({ sort: "created", order: "asc" })).toEqual([
      "milk",
      "report",
      "call",
      "underscore",
      "zebra",
    ]);
    await lister().task.update({ id: tasks.milk!.id, description: "touched" });
    expect((await names({ sort: "updated" }))[0]).toBe("milk");
    expect((await names({ sort: "updated", order: "asc" }))[4]).toBe("milk");
  });

  it("pages with limit and offset; the total counts every match", async () => {
    const first = await lister().task.list({ limit: 2 });
    const second = await lister().task.list({ limit: 2, offset: 2 });
    const third = await lister().task.list({ limit: 2, offset: 4 });
    expect([first.total, second.total, third.total]).toEqual([5, 5, 5]);
    expect([...first.items, ...second.items, ...third.items].map((t) => t.id)).toEqual(
      (await lister().task.list()).items.map((t) => t.id),
    );
    expect(await lister().task.list({ offset: 50 })).toEqual({ items: [], total: 5 });
  });

  it("refuses a limit outside 1–1000, a negative offset and unknown enum values", async () => {
    for (const input of [
      { limit: 0 },
      { limit: 1001 },
      { limit: 2.5 },
      { offset: -1 },
      { status: "done" },
      { sort: "name" },
      { order: "up" },
      { priority: "urgent" },
      { dueBefore: "tomorrow" },
    ]) {
      await expectTRPCError(lister().task.list(input as never), "BAD_REQUEST");
    }
  });
});
