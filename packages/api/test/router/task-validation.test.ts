import { ZodError } from "zod";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { expectTRPCError, openTestDatabase } from "../caller.js";

let env: Awaited<ReturnType<typeof openTestDatabase>>;
const carol = () => env.callerFor("carol-validation");

beforeAll(async () => {
  env = await openTestDatabase();
});
afterAll(() => env.close());

async function issuesOf(promise: Promise<unknown>) {
  const error = await expectTRPCError(promise, "BAD_REQUEST");
  expect(error.cause).toBeInstanceOf(ZodError);
  return (error.cause as ZodError).issues.map((issue) => ({
    path: issue.path.join("."),
    code: issue.code,
  }));
}

const EMOJI = "😀"; // one character, two UTF-16 units

describe("title", () => {
  it("counts characters, not UTF-16 units: 200 emoji fit, 201 do not", async () => {
    const task = await carol().task.create({ title: EMOJI.repeat(200) });
    expect([...task.title]).toHaveLength(200);
    expect(await issuesOf(carol().task.create({ title: EMOJI.repeat(201) }))).toEqual([
      { path: "title", code: "too_big" },
    ]);
  });

  it("is required, and must not be empty after trimming", async () => {
    expect(await issuesOf(carol().task.create({} as never))).toEqual([
      { path: "title", code: "invalid_type" },
    ]);
    expect(await issuesOf(carol().task.create({ title: "   " }))).toEqual([
      { path: "title", code: "too_small" },
    ]);
  });

  it("is measured after trimming", async () => {
    const task = await carol().task.create({ title: ` ${"a".repeat(200)} ` });
    expect(task.title).toHaveLength(200);
  });

  it("must be a string", async () => {
    expect(await issuesOf(carol().task.create({ title: 42 } as never))).toEqual([
      { path: "title", code: "invalid_type" },
    ]);
  });
});

describe("description", () => {
  it("allows 1000 characters and refuses 1001", async () => {
    await carol().task.create({ title: "d", description: EMOJI.repeat(1000) });
    expect(
      await issuesOf(carol().task.create({ title: "d", description: "x".repeat(1001) })),
    ).toEqual([{ path: "description", code: "too_big" }]);
  });
});

describe("tags", () => {
  it("allows 10 and refuses 11", async () => {
    const ten = Array.from({ length: 10 }, (_, i) => `t${i}`);
    expect((await carol().task.create({ title: "t", tags: ten })).tags).toEqual(ten);
    expect(await issuesOf(carol().task.create({ title: "t", tags: [...ten, "t10"] }))).toEqual([
      { path: "tags", code: "too_big" },
    ]);
  });

  it("refuses duplicates that differ only in case", async () => {
    expect(await issuesOf(carol().task.create({ title: "t", tags: ["Work", "work"] }))).toEqual([
      { path: "tags", code: "custom" },
    ]);
  });

  it("refuses an empty tag and one over 30 characters, naming its position", async () => {
    expect(
      await issuesOf(carol().task.create({ title: "t", tags: ["ok", " ", "x".repeat(31)] })),
    ).toEqual([
      { path: "tags.1", code: "too_small" },
      { path: "tags.2", code: "too_big" },
    ]);
  });
});

describe("other fields", () => {
  it("refuses an unknown priority, a non-boolean completed and a malformed due date", async () => {
    expect(
      await issuesOf(
        carol().task.create({
          title: "x",
          priority: "urgent",
          completed: "yes",
          dueDate: "2026-02-30T00:00:00Z",
        } as never),
      ),
    ).toEqual([
      { path: "completed", code: "invalid_type" },
      { path: "priority", code: "invalid_value" },
      { path: "dueDate", code: "invalid_format" },
    ]);
  });

  it("accepts the date-time forms Pydantic accepts and returns them in UTC", async () => {
    const cases: Array<[string, string]> = [
      ["2026-11-22T10:00:00Z", "2026-11-22T10:00:00.000Z"],
      ["2026-11-22T10:00:00.123456+05:30", "2026-11-22T04:30:00.123Z"],
      ["2026-11-22T10:00", "2026-11-22T10:00:00.000Z"],
      ["2026-11-22", "2026-11-22T00:00:00.000Z"],
      ["2026-11-22 10:00:00-0100", "2026-11-22T11:00:00.000Z"],
    ];
    for (const [input, stored] of cases) {
      const task = await carol().task.create({ title: "when", dueDate: input } as never);
      expect(task.dueDate, input).toBe(stored);
    }
  });

  it("leaves stored data as it was when an update is refused", async () => {
    const task = await carol().task.create({ title: "Safe", tags: ["a"] });
    await issuesOf(carol().task.update({ id: task.id, title: "", tags: ["b"] }));
    expect(await carol().task.byId({ id: task.id })).toEqual(task);
  });
});

describe("due dates far off", () => {
  it("keeps the year as written, from year 1 to 9999, and refuses year 0", async () => {
    for (const [input, stored] of [
      ["0001-01-01T00:00:00Z", "0001-01-01T00:00:00.000Z"],
      ["0099-06-15T12:00:00Z", "0099-06-15T12:00:00.000Z"],
      ["9999-12-31T23:59:59.999Z", "9999-12-31T23:59:59.999Z"],
    ] as const) {
      const task = await carol().task.create({ title: "far", dueDate: input } as never);
      expect(task.dueDate, input).toBe(stored);
    }
    expect(
      await issuesOf(carol().task.create({ title: "x", dueDate: "0000-01-01T00:00:00Z" } as never)),
    ).toEqual([{ path: "dueDate", code: "invalid_format" }]);
  });
});
