import { describe, expect, it } from "vitest";

import { createTokenVerifier } from "../../src/auth/index.js";
import { inMinutes, SECRET, signWithSecret } from "./mint-token.js";

const verifier = createTokenVerifier({ secret: SECRET });
const verifyClaims = async (claims: Record<string, unknown>) =>
  verifier.verifyBearerToken(`Bearer ${await signWithSecret({ exp: inMinutes(5), ...claims })}`);

describe("the user id: sub, else user_id", () => {
  it("is sub when only sub is present", async () => {
    expect(await verifyClaims({ sub: "user-123" })).toEqual({ ok: true, userId: "user-123" });
  });

  it('is user_id in an older token {"user_id","email","exp"}', async () => {
    expect(await verifyClaims({ user_id: "user-456", email: "ada@example.com" })).toEqual({
      ok: true,
      userId: "user-456",
    });
  });

  it("turns a numeric user_id into its decimal string", async () => {
    expect(await verifyClaims({ user_id: 123 })).toEqual({ ok: true, userId: "123" });
  });

  it("turns a numeric sub into its decimal string", async () => {
    expect(await verifyClaims({ sub: 42 })).toEqual({ ok: true, userId: "42" });
  });

  it("accepts sub and user_id when they are equal", async () => {
    expect(await verifyClaims({ sub: "user-123", user_id: "user-123" })).toEqual({
      ok: true,
      userId: "user-123",
    });
  });

  it("compares sub and user_id after turning a number into its string", async () => {
    expect(await verifyClaims({ sub: "123", user_id: 123 })).toEqual({ ok: true, userId: "123" });
    expect(await verifyClaims({ sub: 123, user_id: "123" })).toEqual({ ok: true, userId: "123" });
  });

  it("refuses sub and user_id that differ", async () => {
    expect(await verifyClaims({ sub: "user-123", user_id: "user-456" })).toEqual({
      ok: false,
      failure: "invalid",
      reason: "sub and user_id disagree",
    });
    expect(await verifyClaims({ sub: "123", user_id: 1234 })).toMatchObject({
      ok: false,
      failure: "invalid",
    });
  });

  it("refuses a token with neither sub nor user_id", async () => {
    expect(await verifyClaims({ email: "ada@example.com" })).toEqual({
      ok: false,
      failure: "invalid",
      reason: "token has neither sub nor user_id",
    });
  });

  it("refuses an empty sub, even with a user_id beside it", async () => {
    expect(await verifyClaims({ sub: "" })).toEqual({
      ok: false,
      failure: "invalid",
      reason: "sub is an empty string",
    });
    expect(await verifyClaims({ sub: "", user_id: "user-123" })).toMatchObject({
      ok: false,
      failure: "invalid",
    });
  });

  it("refuses an empty user_id", async () => {
    expect(await verifyClaims({ user_id: "" })).toEqual({
      ok: false,
      failure: "invalid",
      reason: "user_id is an empty string",
    });
  });

  it("refuses a sub or user_id containing U+0000, which PostgreSQL cannot store", async () => {
    expect(await verifyClaims({ sub: "user\u0000123" })).toEqual({
      ok: false,
      failure: "invalid",
      reason: "sub contains a NUL character",
    });
    expect(await verifyClaims({ user_id: "\u0000" })).toEqual({
      ok: false,
      failure: "invalid",
      reason: "user_id contains a NUL character",
    });
    expect(await verifyClaims({ sub: "user-123", user_id: "user-123\u0000" })).toMatchObject({
      ok: false,
      failure: "invalid",
    });
  });

  it("refuses a sub with a lone UTF-16 surrogate, which PostgreSQL would store as U+FFFD", async () => {
    for (const sub of ["user-\ud800", "\udc00", "a\udbff"]) {
      expect(await verifyClaims({ sub })).toEqual({
        ok: false,
        failure: "invalid",
        reason: "sub contains a lone UTF-16 surrogate",
      });
    }
    expect(await verifyClaims({ sub: "user-😀" })).toEqual({ ok: true, userId: "user-😀" });
  });

  it("refuses a sub that is an object, an array, a boolean or null", async () => {
    const cases: [unknown, string][] = [
      [{ id: "user-123" }, "sub is an object, not a string or number"],
      [["user-123"], "sub is an array, not a string or number"],
      [true, "sub is a boolean, not a string or number"],
      [null, "sub is null, not a string or number"],
    ];
    for (const [sub, reason] of cases) {
      expect(await verifyClaims({ sub })).toEqual({ ok: false, failure: "invalid", reason });
    }
  });

  it("refuses a user_id that is not a string or number, even when sub is valid", async () => {
    expect(await verifyClaims({ sub: "user-123", user_id: { id: "user-123" } })).toEqual({
      ok: false,
      failure: "invalid",
      reason: "user_id is an object, not a string or number",
    });
  });

  it("refuses an integer id too large to be read exactly (past 2^53)", async () => {
    expect(await verifyClaims({ user_id: 2 ** 53 + 2 })).toEqual({
      ok: false,
      failure: "invalid",
      reason: "user_id is an integer too large to read exactly",
    });
  });
});

describe("the user id of Better Auth's session cookie cache (no sub): session.userId and user.id", () => {
  const cookieCache = (session: unknown, user: unknown) => ({
    session,
    user,
    updatedAt: Date.now(),
    version: "1",
  });

  it("is session.userId, which user.id agrees with", async () => {
    expect(
      await verifyClaims(cookieCache({ userId: "ba-user", token: "t" }, { id: "ba-user" })),
    ).toEqual({ ok: true, userId: "ba-user" });
  });

  it("is either one when only one is there", async () => {
    expect(await verifyClaims(cookieCache({ userId: "ba-user" }, undefined))).toEqual({
      ok: true,
      userId: "ba-user",
    });
    expect(await verifyClaims(cookieCache(undefined, { id: "ba-user" }))).toEqual({
      ok: true,
      userId: "ba-user",
    });
  });

  it("refuses session.userId and user.id that differ", async () => {
    expect(await verifyClaims(cookieCache({ userId: "a" }, { id: "b" }))).toEqual({
      ok: false,
      failure: "invalid",
      reason: "session.userId and user.id disagree",
    });
  });

  it("refuses an id that is not a string or number, or is empty", async () => {
    expect(await verifyClaims(cookieCache({ userId: { id: "a" } }, undefined))).toMatchObject({
      ok: false,
      reason: "session.userId is an object, not a string or number",
    });
    expect(await verifyClaims(cookieCache(undefined, { id: "" }))).toMatchObject({
      ok: false,
      reason: "user.id is an empty string",
    });
  });

  it("is not consulted when the token has a sub", async () => {
    expect(
      await verifyClaims({ sub: "from-sub", ...cookieCache({ userId: "other" }, null) }),
    ).toEqual({
      ok: true,
      userId: "from-sub",
    });
  });

  it("needs exp, as every token does", async () => {
    const token = await signWithSecret(cookieCache({ userId: "ba-user" }, { id: "ba-user" }));
    expect(await verifier.verifyBearerToken(`Bearer ${token}`)).toMatchObject({
      ok: false,
      failure: "invalid",
    });
  });
});
