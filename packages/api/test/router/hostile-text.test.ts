import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ZodError } from "zod";

import { expectTRPCError, openTestDatabase } from "../caller.js";
import { requestCaller, testLocalAuth, uniqueEmail } from "../local-auth.js";
import { taskRowsOf, userRows } from "../rows.js";

// The contract's "Hostile input": a string PostgreSQL cannot store as sent
// (one with U+0000, or with a lone UTF-16 surrogate) is refused by the
// procedure's input schema, on every transport, before the database sees it.

let env: Awaited<ReturnType<typeof openTestDatabase>>;
const USER = "dana-hostile";
const dana = () => env.callerFor(USER);
const localAuth = testLocalAuth();
const anonymous = () => requestCaller(env.db, localAuth);
let taskId: string;

beforeAll(async () => {
  env = await openTestDatabase();
  taskId = (await dana().task.create({ title: "Untouched", description: "d", tags: ["keep"] })).id;
});
afterAll(() => env.close());

const NUL = "String must not contain NUL characters";
const UNICODE = "Input should be a valid string, unable to parse raw data as a unicode string";

/** The one issue a refused call reports: where, which code, which message. */
async function issuesOf(promise: Promise<unknown>) {
  const error = await expectTRPCError(promise, "BAD_REQUEST");
  expect(error.cause).toBeInstanceOf(ZodError);
  return (error.cause as ZodError).issues.map(({ path, code, message }) => ({
    path: path.join("."),
    code,
    message,
  }));
}

const nulIssue = (path: string) => ({ path, code: "custom", message: NUL });
const unicodeIssue = (path: string) => ({ path, code: "invalid_format", message: UNICODE });

/** Makes the call expecting `issues`, and checks the user's rows did not change. */
async function expectRefusedWithoutWrite(call: () => Promise<unknown>, issues: unknown[]) {
  const before = await taskRowsOf(env.db, USER);
  expect(await issuesOf(call())).toEqual(issues);
  expect(await taskRowsOf(env.db, USER)).toEqual(before);
}

describe("a string containing U+0000, which PostgreSQL cannot store", () => {
  it("is refused in a new task's title, description and each tag, and nothing is written", async () => {
    await expectRefusedWithoutWrite(
      () => dana().task.create({ title: "Buy\u0000milk" }),
      [nulIssue("title")],
    );
    await expectRefusedWithoutWrite(
      () => dana().task.create({ title: "t", description: "\u0000" }),
      [nulIssue("description")],
    );
    await expectRefusedWithoutWrite(
      () => dana().task.create({ title: "t", tags: ["ok", "a\u0000"] }),
      [nulIssue("tags.1")],
    );
  });

  it("is refused in an update's title, description and tags, and the task stays as it was", async () => {
    const cases: Array<[string, { title?: string; description?: string; tags?: string[] }]> = [
      ["title", { title: "\u0000" }],
      ["description", { description: "x\u0000" }],
      ["tags.0", { tags: ["\u0000"] }],
    ];
    for (const [path, changes] of cases) {
      await expectRefusedWithoutWrite(
        () => dana().task.update({ id: taskId, ...changes }),
        [nulIssue(path)],
      );
    }
  });

  it("is refused in the list's search and tag filters", async () => {
    expect(await issuesOf(dana().task.list({ search: "milk\u0000" }))).toEqual([
      nulIssue("search"),
    ]);
    expect(await issuesOf(dana().task.list({ tag: "\u0000" }))).toEqual([nulIssue("tag")]);
  });

  it("is refused in sign-up's email, password and name, and no account is created", async () => {
    const before = await userRows(env.db);
    expect(
      await issuesOf(
        anonymous().auth.signup({
          email: `nul\u0000${uniqueEmail()}`,
          password: "correct horse\u0000battery",
          name: "Ada\u0000",
        }),
      ),
    ).toEqual([nulIssue("email"), nulIssue("password"), nulIssue("name")]);
    expect(await userRows(env.db)).toEqual(before);
  });

  it("is refused in login's email and password", async () => {
    expect(
      await issuesOf(anonymous().auth.login({ email: "\u0000@example.com", password: "\u0000" })),
    ).toEqual([nulIssue("email"), nulIssue("password")]);
  });

  it("is reported for the NUL alone, as a Pydantic before-validator would: not as too long, too short or not an email", async () => {
    expect(await issuesOf(dana().task.create({ title: `${"x".repeat(300)}\u0000` }))).toEqual([
      nulIssue("title"),
    ]);
    expect(await issuesOf(dana().task.create({ title: " \u0000 ", tags: ["\u0000"] }))).toEqual([
      nulIssue("title"),
      nulIssue("tags.0"),
    ]);
    expect(
      await issuesOf(anonymous().auth.login({ email: "not-an-email\u0000", password: "pw" })),
    ).toEqual([nulIssue("email")]);
  });
});

describe("a string with a lone UTF-16 surrogate", () => {
  it("is refused in a title, description or tag, high or low surrogate, and never stored as U+FFFD", async () => {
    await expectRefusedWithoutWrite(
      () => dana().task.create({ title: "\ud800" }),
      [unicodeIssue("title")],
    );
    await expectRefusedWithoutWrite(
      () => dana().task.create({ title: "t", description: "a\udc00b" }),
      [unicodeIssue("description")],
    );
    await expectRefusedWithoutWrite(
      () => dana().task.create({ title: "t", tags: ["\udbff", "ok"] }),
      [unicodeIssue("tags.0")],
    );
    await expectRefusedWithoutWrite(
      () => dana().task.update({ id: taskId, tags: ["x\udfff"] }),
      [unicodeIssue("tags.0")],
    );
    // A pair reversed is two lone surrogates.
    await expectRefusedWithoutWrite(
      () => dana().task.create({ title: "\ude00\ud83d" }),
      [unicodeIssue("title")],
    );
  });

  it("is refused in the list's filters and in the accounts' fields", async () => {
    expect(await issuesOf(dana().task.list({ search: "\ud800", tag: "\udc00" }))).toEqual([
      unicodeIssue("tag"),
      unicodeIssue("search"),
    ]);
    expect(
      await issuesOf(
        anonymous().auth.signup({ email: "\ud800@example.com", password: "\udc00".repeat(8) }),
      ),
    ).toEqual([unicodeIssue("email"), unicodeIssue("password")]);
  });

  it("is reported as such whatever the string's length; a NUL beside it is reported instead", async () => {
    expect(await issuesOf(dana().task.create({ title: "\ud800".repeat(201) }))).toEqual([
      unicodeIssue("title"),
    ]);
    expect(await issuesOf(dana().task.create({ title: "\ud800\u0000" }))).toEqual([
      nulIssue("title"),
    ]);
  });

  it("is not confused with a surrogate pair: emoji, RTL marks and other text are stored exactly", async () => {
    const text = {
      title: "😀 \u200fשלום\u200e ﷽ e\u0301 \u0001\u001f",
      description: "𝄞".repeat(1000),
      tags: ["😀", "\u202eevil", "\u200b"],
    };
    const task = await dana().task.create(text);
    expect(task).toMatchObject(text);
    expect(await dana().task.byId({ id: task.id })).toMatchObject(text);
  });
});

describe("a task id, which is not free text", () => {
  it("containing U+0000 or a lone surrogate is NOT_FOUND 'Task not found', as any missing task", async () => {
    for (const id of ["\u0000", `${taskId}\u0000`, "\ud800", `${taskId.slice(0, -1)}\udc00`]) {
      const calls = [
        () => dana().task.byId({ id }),
        () => dana().task.update({ id, title: "t" }),
        () => dana().task.setCompleted({ id, completed: true }),
        () => dana().task.toggleComplete({ id }),
        () => dana().task.delete({ id }),
      ];
      for (const call of calls) {
        expect((await expectTRPCError(call(), "NOT_FOUND")).message).toBe("Task not found");
      }
    }
    expect(await dana().task.byId({ id: taskId })).toMatchObject({ title: "Untouched" });
  });
});

describe("more than 10 tags", () => {
  it("is one too_big issue, found before any tag is checked", async () => {
    const tags = Array.from({ length: 30_000 }, () => "\u0000");
    await expectRefusedWithoutWrite(
      () => dana().task.create({ title: "t", tags }),
      [
        {
          path: "tags",
          code: "too_big",
          message: "List should have at most 10 items after validation, not 30000",
        },
      ],
    );
  });
});
