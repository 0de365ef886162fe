import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { InvalidCredentialsError } from "../../src/auth/messages.js";
import { createPasswordHasher, PASSWORD_HASHING } from "../../src/auth/password-hashing.js";
import { RateLimitedError } from "../../src/rate-limit/auth-rate-limiter.js";
import { expectTRPCError, openTestDatabase } from "../caller.js";
import {
  requestCaller,
  TEST_PASSWORD_HASHING,
  testLocalAuth,
  uniqueEmail,
  verifier,
} from "../local-auth.js";

let env: Awaited<ReturnType<typeof openTestDatabase>>;
const localAuth = testLocalAuth();
const anonymous = (clientIp?: string) => requestCaller(env.db, localAuth, { clientIp });

beforeAll(async () => {
  env = await openTestDatabase();
});
afterAll(() => env.close());

async function signUp(password = "password-1") {
  const email = uniqueEmail("login");
  const session = await anonymous().auth.signup({ email, password, name: "Lin" });
  return { email, password, session };
}

describe("auth.login", () => {
  it("answers a fresh token and the user for the right password, the email in any letter case", async () => {
    const { email, password, session } = await signUp();
    const login = await anonymous().auth.login({ email: email.toUpperCase(), password });
    expect(login).toEqual({ ...session, token: expect.any(String) });
    expect(await verifier.verifyBearerToken(`Bearer ${login.token}`)).toEqual({
      ok: true,
      userId: session.user.id,
    });
  });

  it("is UNAUTHORIZED 'Invalid email or password' alike for a wrong password and an unknown email", async () => {
    const { email } = await signUp();
    const wrong = await expectTRPCError(
      anonymous().auth.login({ email, password: "not-the-password" }),
      "UNAUTHORIZED",
    );
    const unknown = await expectTRPCError(
      anonymous().auth.login({ email: uniqueEmail("nobody"), password: "password-1" }),
      "UNAUTHORIZED",
    );
    expect(wrong.message).toBe("Invalid email or password");
    expect(unknown.message).toBe(wrong.message);
    // Only the server's log learns which it was.
    expect(wrong.cause).toBeInstanceOf(InvalidCredentialsError);
    expect((wrong.cause as InvalidCredentialsError).reason).toBe("wrong password");
    expect((unknown.cause as InvalidCredentialsError).reason).toBe("unknown email");
  });

  it("is BAD_REQUEST for a malformed email and an empty password", async () => {
    await expectTRPCError(anonymous().auth.login({ email: "nope", password: "x" }), "BAD_REQUEST");
    await expectTRPCError(
      anonymous().auth.login({ email: uniqueEmail(), password: "" }),
      "BAD_REQUEST",
    );
  });

  it("rehashes a password stored with older parameters on a successful login", async () => {
    const email = uniqueEmail("rehash");
    const cheapHash = await createPasswordHasher(TEST_PASSWORD_HASHING).hash("password-1");
    await env.db.user.create({ data: { email, passwordHash: cheapHash } });
    const productionAuth = testLocalAuth({ passwordHashing: PASSWORD_HASHING });
    await requestCaller(env.db, productionAuth).auth.login({ email, password: "password-1" });
    const stored = await env.db.user.findUniqueOrThrow({ where: { email } });
    expect(stored.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    await requestCaller(env.db, productionAuth).auth.login({ email, password: "password-1" });
  });
});

describe("rate limits on auth.login and auth.signup", () => {
  it("are TOO_MANY_REQUESTS past the per-email limit, with the seconds to wait in the cause", async () => {
    const limited = testLocalAuth({ rateLimits: { perIp: 100, perEmail: 2, windowSeconds: 60 } });
    const { email } = await signUp();
    const login = (ip: string) =>
      requestCaller(env.db, limited, { clientIp: ip }).auth.login({ email, password: "wrong-one" });
    await expectTRPCError(login("192.0.2.1"), "UNAUTHORIZED");
    await expectTRPCError(login("192.0.2.2"), "UNAUTHORIZED");
    const error = await expectTRPCError(login("192.0.2.3"), "TOO_MANY_REQUESTS");
    expect(error.message).toBe("Too many requests");
    expect(error.cause).toBeInstanceOf(RateLimitedError);
    expect((error.cause as RateLimitedError).retryAfterSeconds).toBeGreaterThanOrEqual(59);
    // Refused before the password is checked: the right one is refused too.
    await expectTRPCError(
      requestCaller(env.db, limited, { clientIp: "192.0.2.4" }).auth.login({
        email,
        password: "password-1",
      }),
      "TOO_MANY_REQUESTS",
    );
  });

  it("are TOO_MANY_REQUESTS past the per-address limit on signup", async () => {
    const limited = testLocalAuth({ rateLimits: { perIp: 2, perEmail: 100, windowSeconds: 60 } });
    const signup = () =>
      requestCaller(env.db, limited, { clientIp: "198.51.100.20" }).auth.signup({
        email: uniqueEmail("burst"),
        password: "password-1",
      });
    await signup();
    await signup();
    await expectTRPCError(signup(), "TOO_MANY_REQUESTS");
  });
});
