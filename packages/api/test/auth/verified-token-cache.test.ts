import { SignJWT } from "jose";
import { afterEach, describe, expect, it, vi } from "vitest";

import { createTokenVerifier } from "../../src/auth/verify-token.js";

const SECRET = "a-secret-of-at-least-thirty-two-characters";
const key = new TextEncoder().encode(SECRET);

function sign(claims: Record<string, unknown>) {
  return new SignJWT(claims).setProtectedHeader({ alg: "HS256" }).sign(key);
}

afterEach(() => {
  vi.useRealTimers();
});

describe("a token accepted before", () => {
  it("is refused as expired once its exp has passed, although it was accepted a moment ago", async () => {
    vi.useFakeTimers({ now: new Date("2026-11-22T10:00:00Z"), toFake: ["Date"] });
    const verifier = createTokenVerifier({ secret: SECRET });
    const now = Math.floor(Date.now() / 1000);
    const token = await sign({ sub: "u1", exp: now + 10 });
    expect(await verifier.verifyBearerToken(`Bearer ${token}`)).toEqual({ ok: true, userId: "u1" });

    vi.setSystemTime(new Date("2026-11-22T10:00:20Z"));
    expect(await verifier.verifyBearerToken(`Bearer ${token}`)).toMatchObject({
      ok: false,
      failure: "expired",
    });
  });

  it("does not vouch for a token that differs from it by one byte", async () => {
    const verifier = createTokenVerifier({ secret: SECRET });
    const token = await sign({ sub: "u1", exp: Math.floor(Date.now() / 1000) + 600 });
    expect((await verifier.verifyBearerToken(`Bearer ${token}`)).ok).toBe(true);
    const [header, payload, signature] = token.split(".") as [string, string, string];
    const forged = `${header}.${Buffer.from(JSON.stringify({ sub: "u2", exp: 9e9 })).toString("base64url")}.${signature}`;
    expect(payload).not.toBe(forged.split(".")[1]);
    expect(await verifier.verifyBearerToken(`Bearer ${forged}`)).toMatchObject({
      ok: false,
      failure: "invalid",
    });
    const flipped = `${token.slice(0, -1)}${token.endsWith("A") ? "B" : "A"}`;
    expect((await verifier.verifyBearerToken(`Bearer ${flipped}`)).ok).toBe(false);
  });

  it("is not accepted by a verifier with another secret", async () => {
    const token = await sign({ sub: "u1", exp: Math.floor(Date.now() / 1000) + 600 });
    expect(
      (await createTokenVerifier({ secret: SECRET }).verifyBearerToken(`Bearer ${token}`)).ok,
    ).toBe(true);
    const other = createTokenVerifier({ secret: `${SECRET}-rotated` });
    expect((await other.verifyBearerToken(`Bearer ${token}`)).ok).toBe(false);
  });
});
