import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { signWithSecret, inMinutes } from "../auth/mint-token.js";
import { expectTRPCError, openTestDatabase } from "../caller.js";
import { requestCaller, testLocalAuth, uniqueEmail } from "../local-auth.js";

let env: Awaited<ReturnType<typeof openTestDatabase>>;
const localAuth = testLocalAuth();

beforeAll(async () => {
  env = await openTestDatabase();
});
afterAll(() => env.close());

describe("auth.me", () => {
  it("answers the token's user", async () => {
    const session = await requestCaller(env.db, localAuth).auth.signup({
      email: uniqueEmail("me"),
      password: "password-1",
      name: "Me",
    });
    const me = await requestCaller(env.db, localAuth, { token: session.token }).auth.me();
    expect(me).toEqual(session.user);
  });

  it("is UNAUTHORIZED 'Not authenticated' without a token", async () => {
    const error = await expectTRPCError(requestCaller(env.db, localAuth).auth.me(), "UNAUTHORIZED");
    expect(error.message).toBe("Not authenticated");
  });

  it("is NOT_FOUND 'User not found' for a valid token of a user with no account here", async () => {
    const token = await signWithSecret({ sub: "better-auth-user-1", exp: inMinutes(5) });
    const error = await expectTRPCError(
      requestCaller(env.db, localAuth, { token }).auth.me(),
      "NOT_FOUND",
    );
    expect(error.message).toBe("User not found");
  });
});

describe("the whole flow over the procedures", () => {
  it("signs up, logs in, and the login's token creates and lists the user's tasks", async () => {
    const email = uniqueEmail("flow");
    const signup = await requestCaller(env.db, localAuth).auth.signup({
      email,
      password: "password-1",
    });
    const { token, user } = await requestCaller(env.db, localAuth).auth.login({
      email,
      password: "password-1",
    });
    const caller = requestCaller(env.db, localAuth, { token });
    const task = await caller.task.create({ title: "First task" });
    expect(task.userId).toBe(signup.user.id);
    expect(user.id).toBe(signup.user.id);
    expect((await caller.task.list()).items.map((t) => t.title)).toEqual(["First task"]);
  });
});

describe("with LOCAL_AUTH=false (no localAuth in the context)", () => {
  it("answers NOT_FOUND 'Not Found' from all three procedures, before looking at the input or token", async () => {
    const disabled = requestCaller(env.db, null);
    for (const call of [
      disabled.auth.signup({ email: uniqueEmail(), password: "password-1" }),
      disabled.auth.login({ email: "not even an email", password: "" } as never),
      disabled.auth.me(),
    ]) {
      const error = await expectTRPCError(call, "NOT_FOUND");
      expect(error.message).toBe("Not Found");
    }
  });
});
