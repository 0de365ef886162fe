import { decodeJwt, decodeProtectedHeader } from "jose";
import { describe, expect, it } from "vitest";

import { createTokenIssuer } from "../../src/auth/token-issuer.js";
import { createTokenVerifier } from "../../src/auth/verify-token.js";
import { SECRET } from "./mint-token.js";

const USER = { id: "0b5e8a1c-7f3d-4c2e-9a61-3d2f1e0c9b8a", email: "ada@example.com" };

describe("createTokenIssuer", () => {
  it("mints an HS256 JWT with sub, email, iat and exp = iat + ttl", async () => {
    const issuer = createTokenIssuer({ secret: SECRET, ttlSeconds: 3600 });
    const before = Math.floor(Date.now() / 1000);
    const { token, expiresIn } = await issuer.issue(USER);
    expect(expiresIn).toBe(3600);
    expect(decodeProtectedHeader(token)).toEqual({ alg: "HS256", typ: "JWT" });
    const claims = decodeJwt(token);
    expect(Object.keys(claims).sort()).toEqual(["email", "exp", "iat", "sub"]);
    expect(claims).toMatchObject({ sub: USER.id, email: USER.email });
    expect(claims.iat).toBeGreaterThanOrEqual(before);
    expect(claims.exp).toBe(claims.iat! + 3600);
  });

  it("mints tokens the verifier of the same secret accepts as the user, and another secret's refuses", async () => {
    const { token } = await createTokenIssuer({ secret: SECRET, ttlSeconds: 60 }).issue(USER);
    const authorization = `Bearer ${token}`;
    expect(await createTokenVerifier({ secret: SECRET }).verifyBearerToken(authorization)).toEqual({
      ok: true,
      userId: USER.id,
    });
    const other = createTokenVerifier({ secret: `${SECRET}-other` });
    expect(await other.verifyBearerToken(authorization)).toMatchObject({
      ok: false,
      failure: "invalid",
    });
  });

  it("refuses an empty secret and a lifetime under one second", () => {
    expect(() => createTokenIssuer({ secret: "", ttlSeconds: 60 })).toThrow(TypeError);
    expect(() => createTokenIssuer({ secret: SECRET, ttlSeconds: 0 })).toThrow(RangeError);
  });
});
