import { describe, expect, it } from "vitest";

import { createTokenVerifier } from "../../src/auth/index.js";
import { inMinutes, SECRET, signWithSecret } from "./mint-token.js";

const verifier = createTokenVerifier({ secret: SECRET });

describe("Authorization header", () => {
  it("reports a request without the header as missing", async () => {
    const result = await verifier.verifyBearerToken(undefined);
    expect(result).toMatchObject({ ok: false, failure: "missing" });
  });

  it("reports an empty header as missing", async () => {
    expect(await verifier.verifyBearerToken("")).toMatchObject({ ok: false, failure: "missing" });
  });

  it("reports the Basic scheme as missing, even with a valid token after it", async () => {
    const token = await signWithSecret({ sub: "user-123", exp: inMinutes(5) });
    for (const header of [
      "Basic dXNlcjpwYXNzd29yZA==",
      `Basic ${token}`,
      `Token ${token}`,
      token,
    ]) {
      expect(await verifier.verifyBearerToken(header)).toMatchObject({
        ok: false,
        failure: "missing",
        reason: "Authorization scheme is not Bearer",
      });
    }
  });

  it('reports "Bearer" with an empty or whitespace token as missing', async () => {
    for (const header of ["Bearer", "Bearer ", "Bearer    ", "Bearer \t "]) {
      expect(await verifier.verifyBearerToken(header)).toMatchObject({
        ok: false,
        failure: "missing",
        reason: "Bearer token is empty",
      });
    }
  });

  it("matches the Bearer scheme case-insensitively, like FastAPI's HTTPBearer", async () => {
    const token = await signWithSecret({ sub: "user-123", exp: inMinutes(5) });
    for (const scheme of ["Bearer", "bearer", "BEARER", "bEaReR"]) {
      expect(await verifier.verifyBearerToken(`${scheme} ${token}`)).toEqual({
        ok: true,
        userId: "user-123",
      });
    }
  });

  it("trims whitespace around the token", async () => {
    const token = await signWithSecret({ sub: "user-123", exp: inMinutes(5) });
    expect(await verifier.verifyBearerToken(`  Bearer    ${token}  `)).toEqual({
      ok: true,
      userId: "user-123",
    });
  });

  it("treats a Bearer token that is not a JWT as invalid, not missing", async () => {
    expect(await verifier.verifyBearerToken("Bearer not-a-jwt")).toMatchObject({
      ok: false,
      failure: "invalid",
    });
  });
});
