import { SignJWT } from "jose";
import { afterEach, describe, expect, it, vi } from "vitest";

import { createTokenVerifier } from "../../src/auth/verify-token.js";

const SECRET = "a-secret-of-at-least-thirty-two-characters";
const key = new TextEncoder().encode(SECRET);

function sign(claims: Record<string, unknown>) {
  return new SignJWT(claims).setProtectedHeader({ alg: "HS256" }).sign(key);
}

/**
 * The token with the lowest bit of one signature byte flipped. Decoded and
 * encoded again, not edited as text: the last base64url character of an
 * HS256 signature carries two padding bits, so changing the character can
 * leave the signature as it was.
 */
function withSignatureBitFlipped(token: string, byteIndex: number): string {
  const [header, payload, signature] = token.split(".") as [string, string, string];
  const bytes = Buffer.from(signature, "base64url");
  bytes[byteIndex] = (bytes[byteIndex] ?? 0) ^ 0x01;
  return `${header}.${payload}.${bytes.toString("base64url")}`;
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
    // The first, a middle and the last of the signature's 32 bytes (the
    // last one's low bit is in the token's last character): a cache keyed on
    // less than the whole token would vouch for one of them.
    for (const byteIndex of [0, 16, 31]) {
      const flipped = withSignatureBitFlipped(token, byteIndex);
      expect(flipped).not.toBe(token);
      expect(await verifier.verifyBearerToken(`Bearer ${flipped}`)).toMatchObject({
        ok: false,
        failure: "invalid",
      });
    }
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
