import type { TRPCError } from "@trpc/server";
import fc from "fast-check";
import type { JWTPayload } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { TaskOutput } from "../../src/index.js";
import { inMinutes, signWithSecret } from "../auth/mint-token.js";
import { openTestDatabase } from "../caller.js";
import {
  hostileString,
  hostileValue,
  plausibleDateTime,
  plausibleText,
  shapedInput,
  unstorableString,
} from "../hostile-values.js";
import { requestCaller } from "../local-auth.js";
import { expectDocumentedCode, outcomeOf } from "../procedure-outcome.js";
import { propertyRun } from "../property-runs.js";
import { taskRowsOf } from "../rows.js";

// The contract's "Hostile input", as properties of every task procedure:
// whatever input a client sends, the answer is the task or a documented
// error (never INTERNAL_SERVER_ERROR), a refused write changes no row, and an
// accepted one stores its text exactly as sent.

let env: Awaited<ReturnType<typeof openTestDatabase>>;
const USER = "erin-hostile";
type Caller = ReturnType<typeof env.callerFor>;
const erin = (): Caller => env.callerFor(USER);

beforeAll(async () => {
  env = await openTestDatabase();
  for (const title of ["one", "two", "three"]) await erin().task.create({ title, tags: [title] });
});
afterAll(() => env.close());

/** Stands for the id of one of the user's tasks, picked when the case runs. */
class ExistingTask {
  constructor(readonly index: number) {}

  [fc.toStringMethod](): string {
    return `ExistingTask(${this.index})`;
  }
}

const taskId = fc.oneof(
  { weight: 3, arbitrary: fc.nat().map((index) => new ExistingTask(index)) },
  { weight: 1, arbitrary: fc.uuid() },
  { weight: 2, arbitrary: hostileValue },
);

// Valid values of each field; shapedInput makes them hostile.
const writableFields = {
  title: plausibleText(60),
  description: fc.option(plausibleText(80), { nil: null }),
  completed: fc.boolean(),
  priority: fc.constantFrom("low", "medium", "high"),
  dueDate: fc.option(plausibleDateTime, { nil: null }),
  tags: fc.array(plausibleText(10), { maxLength: 10 }),
};

const listFilters = {
  status: fc.constantFrom("all", "pending", "completed"),
  priority: fc.constantFrom("low", "medium", "high"),
  tag: plausibleText(10),
  search: plausibleText(10),
  dueBefore: plausibleDateTime,
  dueAfter: plausibleDateTime,
  sort: fc.constantFrom("created", "updated", "title", "due_date", "priority"),
  order: fc.constantFrom("asc", "desc"),
  limit: fc.integer({ min: 1, max: 1000 }),
  offset: fc.nat(5),
};

interface ProcedureUnderTest {
  input: fc.Arbitrary<unknown>;
  call: (caller: Caller, input: unknown) => Promise<unknown>;
  writes: boolean;
}

// Inputs go in untyped (`as never`): checking them is the schemas' work.
const PROCEDURES: Record<string, ProcedureUnderTest> = {
  "task.list": {
    input: fc.option(shapedInput(listFilters), { nil: undefined }),
    call: (caller, input) => caller.task.list(input as never),
    writes: false,
  },
  "task.byId": {
    input: shapedInput({ id: taskId }, ["id"]),
    call: (caller, input) => caller.task.byId(input as never),
    writes: false,
  },
  "task.create": {
    input: shapedInput(writableFields),
    call: (caller, input) => caller.task.create(input as never),
    writes: true,
  },
  "task.update": {
    input: shapedInput({ id: taskId, ...writableFields }, ["id"]),
    call: (caller, input) => caller.task.update(input as never),
    writes: true,
  },
  "task.setCompleted": {
    input: shapedInput({ id: taskId, completed: fc.boolean() }, ["id", "completed"]),
    call: (caller, input) => caller.task.setCompleted(input as never),
    writes: true,
  },
  "task.toggleComplete": {
    input: shapedInput({ id: taskId }, ["id"]),
    call: (caller, input) => caller.task.toggleComplete(input as never),
    writes: true,
  },
  "task.delete": {
    input: shapedInput({ id: taskId }, ["id"]),
    call: (caller, input) => caller.task.delete(input as never),
    writes: true,
  },
};

/** The input with an ExistingTask id replaced by a real one (a copy: fast-check reuses the value). */
async function withRealId(input: unknown): Promise<unknown> {
  if (input === null || typeof input !== "object" || !Object.hasOwn(input, "id")) return input;
  const { id } = input as { id: unknown };
  if (!(id instanceof ExistingTask)) return input;
  const rows = (await taskRowsOf(env.db, USER)) as Array<{ id: string }>;
  const row = rows[id.index % Math.max(rows.length, 1)];
  return { ...input, id: row?.id ?? "00000000-0000-4000-8000-000000000000" };
}

/** A refusal the contract documents for task procedures, worded as it says. */
function expectDocumentedRefusal(error: TRPCError, codes: ReadonlyArray<TRPCError["code"]>) {
  expectDocumentedCode(error, codes);
  if (error.code === "NOT_FOUND") expect(error.message).toBe("Task not found");
  if (error.code === "UNAUTHORIZED") expect(error.message).toBe("Invalid token");
}

/** An accepted create or update keeps the text it was given, as given (titles and tags trimmed). */
async function expectStoredAsSent(task: TaskOutput, input: Record<string, unknown>) {
  const { title, description, tags } = input;
  if (typeof title === "string") expect(task.title).toBe(title.trim());
  if (typeof description === "string") expect(task.description).toBe(description);
  if (Array.isArray(tags)) expect(task.tags).toEqual(tags.map((tag) => String(tag).trim()));
  expect(await erin().task.byId({ id: task.id })).toEqual(task);
}

describe("whatever input a task procedure is given", () => {
  for (const [name, procedure] of Object.entries(PROCEDURES)) {
    it(`${name} answers a result or BAD_REQUEST / NOT_FOUND, and a refused write changes no row`, async () => {
      await fc.assert(
        fc.asyncProperty(procedure.input, async (generated) => {
          const input = await withRealId(generated);
          const before = procedure.writes ? await taskRowsOf(env.db, USER) : [];
          const outcome = await outcomeOf(() => procedure.call(erin(), input));
          if (!outcome.ok) {
            expectDocumentedRefusal(outcome.error, ["BAD_REQUEST", "NOT_FOUND"]);
            if (procedure.writes) expect(await taskRowsOf(env.db, USER)).toEqual(before);
          } else if (name === "task.create" || name === "task.update") {
            await expectStoredAsSent(outcome.value as TaskOutput, input as Record<string, unknown>);
          }
        }),
        propertyRun(300),
      );
    });
  }
});

describe("whatever user id a validly signed token carries", () => {
  const claim = fc.oneof(
    { weight: 2, arbitrary: hostileString },
    { weight: 1, arbitrary: unstorableString },
    { weight: 2, arbitrary: plausibleText(20) },
    { weight: 1, arbitrary: hostileValue },
  );
  const claims = fc.record({ sub: claim, user_id: claim }, { requiredKeys: [] });

  it("a task procedure answers for that user exactly, or UNAUTHORIZED 'Invalid token'", async () => {
    await fc.assert(
      fc.asyncProperty(claims, plausibleText(30), async (userClaims, title) => {
        // Claims of any JSON type, not the strings JWTPayload declares.
        const token = await signWithSecret({ ...userClaims, exp: inMinutes(5) } as JWTPayload);
        const caller = requestCaller(env.db, null, { token });
        const outcome = await outcomeOf(() => caller.task.create({ title }));
        if (!outcome.ok) {
          expectDocumentedRefusal(outcome.error, ["UNAUTHORIZED", "BAD_REQUEST"]);
          return;
        }
        // Stored under the user id as the token wrote it, not an altered one.
        const { userId, id } = outcome.value as TaskOutput;
        const carried = JSON.parse(JSON.stringify(userClaims)) as typeof userClaims;
        expect(userId).toBe(String(carried.sub ?? carried.user_id));
        const rows = (await taskRowsOf(env.db, userId)) as Array<{ id: string }>;
        expect(rows.map((row) => row.id)).toContain(id);
      }),
      propertyRun(300),
    );
  });
});
