import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ZodError } from "zod";

import { expectTRPCError, openTestDatabase } from "../caller.js";
import { requestCaller, testLocalAuth, uniqueEmail, verifier } from "../local-auth.js";

let env: Awaited<ReturnType<typeof openTestDatabase>>;
const localAuth = testLocalAuth();
const anonymous = () => requestCaller(env.db, localAuth);

beforeAll(async () => {
  env = await openTestDatabase();
});
afterAll(() => env.close());

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function issuesOf(error: { cause?: unknown }) {
  return (error.cause as ZodError).issues.map(({ code, path }) => ({ code, path }));
}

describe("auth.signup", () => {
  it("creates the account and answers a bearer token for it, with the user", async () => {
    const session = await anonymous().auth.signup({
      email: "Ada.Signup@Example.com",
      password: "correct horse battery",
      name: "Ada",
    });
    expect(session).toEqual({
      token: expect.any(String),
      tokenType: "bearer",
      expiresIn: 7 * 24 * 3600,
      user: {
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        email: "ada.signup@example.com",
        name: "Ada",
        createdAt: expect.stringMatching(ISO_UTC),
      },
    });
    expect(await verifier.verifyBearerToken(`Bearer ${session.token}`)).toEqual({
      ok: true,
      userId: session.user.id,
    });
  });

  it("makes name null when it is not given, and trims it when it is", async () => {
    const bare = await anonymous().auth.signup({ email: uniqueEmail(), password: "password-1" });
    expect(bare.user.name).toBeNull();
    const named = await anonymous().auth.signup({
      email: uniqueEmail(),
      password: "password-1",
      name: "  Grace  ",
    });
    expect(named.user.name).toBe("Grace");
  });

  it("is CONFLICT 'Email already registered' for an email taken in any letter case", async () => {
    const email = uniqueEmail("taken");
    await anonymous().auth.signup({ email, password: "password-1" });
    for (const again of [email, email.toUpperCase(), email.replace(/^t/, "T")]) {
      const error = await expectTRPCError(
        anonymous().auth.signup({ email: again, password: "password-2" }),
        "CONFLICT",
      );
      expect(error.message).toBe("Email already registered");
    }
  });

  it("is BAD_REQUEST with the zod issues for a malformed email, a short and a long password", async () => {
    const cases: Array<[Record<string, unknown>, { code: string; path: string[] }]> = [
      [
        { email: "not-an-email", password: "password-1" },
        { code: "invalid_format", path: ["email"] },
      ],
      [
        { email: uniqueEmail(), password: "1234567" },
        { code: "too_small", path: ["password"] },
      ],
      [
        { email: uniqueEmail(), password: "x".repeat(129) },
        { code: "too_big", path: ["password"] },
      ],
      [{ email: uniqueEmail() }, { code: "invalid_type", path: ["password"] }],
      [
        { email: uniqueEmail(), password: "password-1", name: "" },
        { code: "too_small", path: ["name"] },
      ],
    ];
    for (const [input, issue] of cases) {
      const error = await expectTRPCError(anonymous().auth.signup(input as never), "BAD_REQUEST");
      expect(issuesOf(error)).toEqual([issue]);
    }
  });

  it("counts password length in characters: 8 emoji are enough, 128 emoji are not too many", async () => {
    await anonymous().auth.signup({ email: uniqueEmail(), password: "🔑".repeat(8) });
    await anonymous().auth.signup({ email: uniqueEmail(), password: "🔑".repeat(128) });
  });

  it("never answers the password or its hash, and stores an argon2id hash, not the password", async () => {
    const email = uniqueEmail("secret");
    const session = await anonymous().auth.signup({ email, password: "my-secret-password" });
    const answer = JSON.stringify(session);
    expect(answer).not.toContain("my-secret-password");
    expect(answer).not.toContain("argon2");
    const stored = await env.db.user.findUniqueOrThrow({ where: { email } });
    expect(stored.passwordHash).toMatch(/^\$argon2id\$/);
    expect(stored.passwordHash).not.toContain("my-secret-password");
  });

  it("does not echo the password in a validation error's issues", async () => {
    const error = await expectTRPCError(
      anonymous().auth.signup({ email: uniqueEmail(), password: "short12" }),
      "BAD_REQUEST",
    );
    expect(JSON.stringify((error.cause as ZodError).issues)).not.toContain("short12");
  });
});
