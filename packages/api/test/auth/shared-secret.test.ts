import { describe, expect, it } from "vitest";

import { createTokenVerifier, MAX_TOKEN_BYTES } from "../../src/auth/index.js";
import {
  encodeSegment,
  hmacSignedByHand,
  inMinutes,
  nowSeconds,
  ORIGIN,
  SECRET,
  signWithSecret,
  withPayload,
} from "./mint-token.js";

const verifier = createTokenVerifier({ secret: SECRET, issuer: ORIGIN, audience: ORIGIN });
const verify = (token: string) => verifier.verifyBearerToken(`Bearer ${token}`);

describe("HS256 tokens signed with BETTER_AUTH_SECRET", () => {
  it("accepts a valid token and returns its sub as the user id", async () => {
    const token = await signWithSecret({
      sub: "user-123",
      email: "ada@example.com",
      iat: nowSeconds(),
      exp: inMinutes(15),
    });
    expect(await verify(token)).toEqual({ ok: true, userId: "user-123" });
  });

  it("accepts a token without iss or aud even when they are configured: they bind key-set tokens only", async () => {
    const token = await signWithSecret({ sub: "user-123", exp: inMinutes(15) });
    expect(await verify(token)).toEqual({ ok: true, userId: "user-123" });
  });

  it("verifies with the UTF-8 bytes of the secret", async () => {
    const secret = "sécrét-ünïcode-🔑-0123456789abcdef";
    const unicodeVerifier = createTokenVerifier({ secret });
    const token = await signWithSecret({ sub: "user-123", exp: inMinutes(5) }, { secret });
    expect(await unicodeVerifier.verifyBearerToken(`Bearer ${token}`)).toEqual({
      ok: true,
      userId: "user-123",
    });
  });

  it("refuses a token signed with another secret", async () => {
    const token = await signWithSecret(
      { sub: "user-123", exp: inMinutes(5) },
      { secret: "some-other-secret-0123456789abcdefghijkl" },
    );
    expect(await verify(token)).toEqual({
      ok: false,
      failure: "invalid",
      reason: "signature verification failed",
    });
  });

  it("refuses a token whose payload was changed after signing", async () => {
    const token = await signWithSecret({ sub: "user-123", exp: inMinutes(5) });
    const tampered = withPayload(token, { sub: "admin", exp: inMinutes(5) });
    expect(await verify(tampered)).toEqual({
      ok: false,
      failure: "invalid",
      reason: "signature verification failed",
    });
  });

  it("refuses every HS256 token when no secret is configured", async () => {
    const keySetOnly = createTokenVerifier({});
    const token = await signWithSecret({ sub: "user-123", exp: inMinutes(5) });
    expect(await keySetOnly.verifyBearerToken(`Bearer ${token}`)).toEqual({
      ok: false,
      failure: "invalid",
      reason: "alg HS256 is not accepted: no secret is configured",
    });
  });

  it("refuses to be built with an empty secret", () => {
    expect(() => createTokenVerifier({ secret: "" })).toThrow(/must not be empty/);
  });
});

describe("algorithms other than HS256 for the secret", () => {
  it('refuses alg "none" (an unsigned token)', async () => {
    const header = encodeSegment({ alg: "none", typ: "JWT" });
    const payload = encodeSegment({ sub: "user-123", exp: inMinutes(5) });
    expect(await verify(`${header}.${payload}.`)).toEqual({
      ok: false,
      failure: "invalid",
      reason: "alg none is not accepted",
    });
  });

  it('refuses "none" spelled in other cases', async () => {
    const payload = encodeSegment({ sub: "user-123", exp: inMinutes(5) });
    for (const alg of ["None", "NONE", "nOnE"]) {
      const header = encodeSegment({ alg, typ: "JWT" });
      expect(await verify(`${header}.${payload}.`)).toMatchObject({
        ok: false,
        failure: "invalid",
      });
    }
  });

  it("refuses an unsigned token that carries an HS256 header but no signature", async () => {
    const header = encodeSegment({ alg: "HS256", typ: "JWT" });
    const payload = encodeSegment({ sub: "user-123", exp: inMinutes(5) });
    expect(await verify(`${header}.${payload}.`)).toMatchObject({ ok: false, failure: "invalid" });
  });

  it("refuses HS384 even when signed with the right secret", async () => {
    const token = await signWithSecret({ sub: "user-123", exp: inMinutes(5) }, { alg: "HS384" });
    expect(await verify(token)).toEqual({
      ok: false,
      failure: "invalid",
      reason: "alg HS384 is not accepted",
    });
  });

  it("refuses HS512 even when signed with the right secret", async () => {
    const token = await signWithSecret({ sub: "user-123", exp: inMinutes(5) }, { alg: "HS512" });
    expect(await verify(token)).toEqual({
      ok: false,
      failure: "invalid",
      reason: "alg HS512 is not accepted",
    });
  });

  it("refuses a token whose header has no alg", async () => {
    const header = encodeSegment({ typ: "JWT" });
    const token = hmacSignedByHand(header, encodeSegment({ sub: "user-123", exp: inMinutes(5) }));
    expect(await verify(token)).toEqual({
      ok: false,
      failure: "invalid",
      reason: "token header has no alg",
    });
  });
});

describe("exp and nbf", () => {
  it('reports a validly signed expired token as "expired"', async () => {
    const token = await signWithSecret({ sub: "user-123", exp: nowSeconds() - 60 });
    expect(await verify(token)).toEqual({
      ok: false,
      failure: "expired",
      reason: "token has expired",
    });
  });

  it('reports an expired token with a bad signature as "invalid": the signature is checked first', async () => {
    const token = await signWithSecret(
      { sub: "user-123", exp: nowSeconds() - 60 },
      { secret: "some-other-secret-0123456789abcdefghijkl" },
    );
    expect(await verify(token)).toEqual({
      ok: false,
      failure: "invalid",
      reason: "signature verification failed",
    });
  });

  it('reports an expired token with a tampered payload as "invalid"', async () => {
    const token = await signWithSecret({ sub: "user-123", exp: inMinutes(5) });
    const tampered = withPayload(token, { sub: "user-123", exp: nowSeconds() - 60 });
    expect(await verify(tampered)).toMatchObject({ ok: false, failure: "invalid" });
  });

  it("still accepts a token expired within the default 5 s leeway", async () => {
    const token = await signWithSecret({ sub: "user-123", exp: nowSeconds() - 2 });
    expect(await verify(token)).toEqual({ ok: true, userId: "user-123" });
  });

  it("honours a configured leeway of 0", async () => {
    const strict = createTokenVerifier({ secret: SECRET, clockToleranceSeconds: 0 });
    const token = await signWithSecret({ sub: "user-123", exp: nowSeconds() - 2 });
    expect(await strict.verifyBearerToken(`Bearer ${token}`)).toMatchObject({
      ok: false,
      failure: "expired",
    });
  });

  it("honours a configured leeway larger than the default", async () => {
    const lenient = createTokenVerifier({ secret: SECRET, clockToleranceSeconds: 120 });
    const token = await signWithSecret({ sub: "user-123", exp: nowSeconds() - 60 });
    expect(await lenient.verifyBearerToken(`Bearer ${token}`)).toEqual({
      ok: true,
      userId: "user-123",
    });
  });

  it("refuses a token without exp", async () => {
    const token = await signWithSecret({ sub: "user-123" });
    expect(await verify(token)).toEqual({
      ok: false,
      failure: "invalid",
      reason: "exp claim is missing",
    });
  });

  it("refuses a token whose exp is not a number", async () => {
    const token = await signWithSecret({ sub: "user-123", exp: String(inMinutes(5)) as never });
    expect(await verify(token)).toEqual({
      ok: false,
      failure: "invalid",
      reason: "exp claim is not a number",
    });
  });

  it("refuses a token whose nbf is in the future", async () => {
    const token = await signWithSecret({ sub: "user-123", nbf: inMinutes(1), exp: inMinutes(5) });
    expect(await verify(token)).toEqual({
      ok: false,
      failure: "invalid",
      reason: "token is not valid yet (nbf is in the future)",
    });
  });

  it("accepts a token whose nbf is in the future by less than the leeway", async () => {
    const token = await signWithSecret({
      sub: "user-123",
      nbf: nowSeconds() + 2,
      exp: inMinutes(5),
    });
    expect(await verify(token)).toEqual({ ok: true, userId: "user-123" });
  });
});

describe("malformed tokens", () => {
  const validPayload = () => encodeSegment({ sub: "user-123", exp: inMinutes(5) });
  const hs256Header = encodeSegment({ alg: "HS256", typ: "JWT" });

  it("refuses garbage as invalid, never throwing", async () => {
    for (const garbage of ["garbage", "...", "a.b.c", "🔑.🔑.🔑", "Bearer Bearer"]) {
      expect(await verify(garbage)).toMatchObject({ ok: false, failure: "invalid" });
    }
  });

  it("refuses a token with two segments", async () => {
    expect(await verify(`${hs256Header}.${validPayload()}`)).toEqual({
      ok: false,
      failure: "invalid",
      reason: "token is not three dot-separated segments",
    });
  });

  it("refuses a token with five segments (an encrypted JWT)", async () => {
    expect(await verify(`${hs256Header}.a.b.c.d`)).toMatchObject({ ok: false, failure: "invalid" });
  });

  it("refuses a header that is not base64url", async () => {
    expect(await verify(`%%%.${validPayload()}.c2ln`)).toEqual({
      ok: false,
      failure: "invalid",
      reason: "token header is not a base64url-encoded JSON object",
    });
  });

  it("refuses a header that is JSON but not an object", async () => {
    expect(await verify(`${encodeSegment(["HS256"])}.${validPayload()}.c2ln`)).toMatchObject({
      ok: false,
      failure: "invalid",
    });
  });

  it("refuses a correctly signed payload that is JSON but not an object", async () => {
    for (const payload of [["user-123"], "user-123", 42, null]) {
      const token = hmacSignedByHand(hs256Header, encodeSegment(payload));
      expect(await verify(token)).toEqual({
        ok: false,
        failure: "invalid",
        reason: "token payload is not a JSON object of claims",
      });
    }
  });

  it("refuses a correctly signed payload that is not base64url JSON", async () => {
    const token = hmacSignedByHand(hs256Header, "not*base64");
    expect(await verify(token)).toMatchObject({ ok: false, failure: "invalid" });
  });

  it("refuses a signature that is not base64url", async () => {
    expect(await verify(`${hs256Header}.${validPayload()}.***`)).toMatchObject({
      ok: false,
      failure: "invalid",
    });
  });
});

describe("token size", () => {
  it(`refuses a 10 kB token without parsing it, even when validly signed (limit ${MAX_TOKEN_BYTES} bytes)`, async () => {
    const token = await signWithSecret({
      sub: "user-123",
      exp: inMinutes(5),
      padding: "x".repeat(7600),
    });
    expect(token.length).toBeGreaterThan(10_000);
    expect(await verify(token)).toEqual({
      ok: false,
      failure: "invalid",
      reason: `token is ${token.length} bytes, over the 8192 limit`,
    });
  });

  it("refuses 10 kB of garbage by its size", async () => {
    expect(await verify("a".repeat(10_240))).toEqual({
      ok: false,
      failure: "invalid",
      reason: "token is 10240 bytes, over the 8192 limit",
    });
  });

  it("counts bytes, not characters", async () => {
    const result = await verify("é".repeat(5000));
    expect(result).toEqual({
      ok: false,
      failure: "invalid",
      reason: "token is 10000 bytes, over the 8192 limit",
    });
  });

  it("accepts a validly signed token just under the limit", async () => {
    const token = await signWithSecret({
      sub: "user-123",
      exp: inMinutes(5),
      padding: "x".repeat(6000),
    });
    expect(token.length).toBeLessThanOrEqual(MAX_TOKEN_BYTES);
    expect(await verify(token)).toEqual({ ok: true, userId: "user-123" });
  });
});
