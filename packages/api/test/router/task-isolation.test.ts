import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { inMinutes, signWithSecret } from "../auth/mint-token.js";
import { expectTRPCError, openTestDatabase } from "../caller.js";
import { requestCaller } from "../local-auth.js";

let env: Awaited<ReturnType<typeof openTestDatabase>>;
let aliceTaskId: string;
const alice = () => env.callerFor("alice-iso");
const bob = () => env.callerFor("bob-iso");

beforeAll(async () => {
  env = await openTestDatabase();
  const task = await alice().task.create({ title: "Alice's secret", tags: ["private"] });
  aliceTaskId = task.id;
});
afterAll(() => env.close());

async function expectAliceTaskUntouched() {
  const task = await alice().task.byId({ id: aliceTaskId });
  expect(task).toMatchObject({ title: "Alice's secret", completed: false, userId: "alice-iso" });
}

describe("another user's task", () => {
  it("is not in the list, not even in the total", async () => {
    expect(await bob().task.list()).toEqual({ items: [], total: 0 });
    expect(await bob().task.list({ search: "secret", tag: "private" })).toEqual({
      items: [],
      total: 0,
    });
  });

  it("is NOT_FOUND with the message of a missing task for byId", async () => {
    const error = await expectTRPCError(bob().task.byId({ id: aliceTaskId }), "NOT_FOUND");
    expect(error.message).toBe("Task not found");
  });

  it("cannot be updated, completed, toggled or deleted, and stays as it was", async () => {
    await expectTRPCError(bob().task.update({ id: aliceTaskId, title: "Pwned" }), "NOT_FOUND");
    await expectTRPCError(
      bob().task.setCompleted({ id: aliceTaskId, completed: true }),
      "NOT_FOUND",
    );
    await expectTRPCError(bob().task.toggleComplete({ id: aliceTaskId }), "NOT_FOUND");
    await expectTRPCError(bob().task.delete({ id: aliceTaskId }), "NOT_FOUND");
    await expectAliceTaskUntouched();
  });
});

describe("protectedProcedure", () => {
  it("is UNAUTHORIZED with 'Not authenticated' when the context has no user and no credentials", async () => {
    const { createCaller } = await import("../../src/root.js");
    const { createContextInner } = await import("../../src/trpc.js");
    const anonymous = createCaller(createContextInner({ db: env.db }));
    const error = await expectTRPCError(anonymous.task.list(), "UNAUTHORIZED");
    expect(error.message).toBe("Not authenticated");
  });

  it("takes the user from the verified token, and reports why a token was refused", async () => {
    const { createCaller } = await import("../../src/root.js");
    const { createContext } = await import("../../src/trpc.js");
    const { AuthenticationError } = await import("../../src/auth/messages.js");
    const verifier = {
      verifyBearerToken: async (header: string | undefined) =>
        header === "Bearer good"
          ? ({ ok: true, userId: "alice-iso" } as const)
          : ({ ok: false, failure: "expired", reason: "exp is in the past" } as const),
    };
    const good = createCaller(
      createContext({ db: env.db, verifier, authorization: "Bearer good" }),
    );
    expect((await good.task.list()).items.map((task) => task.id)).toContain(aliceTaskId);

    const bad = createCaller(createContext({ db: env.db, verifier, authorization: "Bearer old" }));
    const error = await expectTRPCError(bad.task.list(), "UNAUTHORIZED");
    expect(error.message).toBe("Token expired");
    expect(error.cause).toBeInstanceOf(AuthenticationError);
    expect((error.cause as InstanceType<typeof AuthenticationError>).reason).toBe(
      "exp is in the past",
    );
  });

  it("refuses a validly signed token whose user id contains U+0000 as 'Invalid token', for every task procedure", async () => {
    const token = await signWithSecret({ sub: "alice-iso\u0000", exp: inMinutes(5) });
    const caller = requestCaller(env.db, null, { token });
    const id = aliceTaskId;
    for (const call of [
      () => caller.task.list(),
      () => caller.task.byId({ id }),
      () => caller.task.create({ title: "t" }),
      () => caller.task.update({ id, title: "t" }),
      () => caller.task.setCompleted({ id, completed: true }),
      () => caller.task.toggleComplete({ id }),
      () => caller.task.delete({ id }),
    ]) {
      const error = await expectTRPCError(call(), "UNAUTHORIZED");
      expect(error.message).toBe("Invalid token");
    }
    await expectAliceTaskUntouched();
  });
});
