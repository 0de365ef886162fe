import { describe, expect, it } from "vitest";

import { createTokenVerifier } from "../../src/auth/index.js";
import { unreachableJwksUrl } from "./jwks-server.js";
import {
  createSigningKey,
  encodeSegment,
  hmacSignedByHand,
  inMinutes,
  nowSeconds,
  SECRET,
  signWithKey,
  signWithSecret,
  withPayload,
} from "./mint-token.js";

/** Every piece of a token an attacker or a log reader could recognise. */
function tokenFragments(token: string): string[] {
  const segments = token.split(".").filter((segment) => segment.length >= 6);
  return [token, ...segments];
}

async function failingTokens(): Promise<Record<string, string>> {
  const valid = await signWithSecret({ sub: "user-123", exp: inMinutes(5) });
  const edKey = await createSigningKey("EdDSA", "ed-key-1");
  return {
    expired: await signWithSecret({ sub: "user-123", exp: nowSeconds() - 60 }),
    "wrong secret": await signWithSecret(
      { sub: "user-123", exp: inMinutes(5) },
      { secret: "some-other-secret-0123456789abcdefghijkl" },
    ),
    tampered: withPayload(valid, { sub: "admin", exp: inMinutes(5) }),
    "alg none": `${encodeSegment({ alg: "none" })}.${encodeSegment({ sub: "admin", exp: inMinutes(5) })}.`,
    "alg in a header full of text": hmacSignedByHand(
      encodeSegment({ alg: "HS256\u001b[31m-injected-log-line", typ: "JWT" }),
      encodeSegment({ sub: "user-123", exp: inMinutes(5) }),
    ),
    HS512: await signWithSecret({ sub: "user-123", exp: inMinutes(5) }, { alg: "HS512" }),
    "sub and user_id disagree": await signWithSecret({
      sub: "user-123",
      user_id: "user-456",
      exp: inMinutes(5),
    }),
    "sub an object": await signWithSecret({ sub: { secret: "value" } as never, exp: inMinutes(5) }),
    "payload not an object": hmacSignedByHand(
      encodeSegment({ alg: "HS256" }),
      encodeSegment(["user-123"]),
    ),
    "two segments": valid.split(".").slice(0, 2).join("."),
    garbage: "definitely-not-a-json-web-token",
    "key set down": await signWithKey(edKey, { sub: "user-123", exp: inMinutes(5) }),
    oversized: await signWithSecret({ sub: "user-123", exp: inMinutes(5), pad: "p".repeat(9000) }),
  };
}

describe("the reason written to the log", () => {
  it("never contains the token, any segment of it, or the secret", async () => {
    const verifier = createTokenVerifier({ secret: SECRET, jwksUrl: await unreachableJwksUrl() });
    for (const [label, token] of Object.entries(await failingTokens())) {
      const result = await verifier.verifyBearerToken(`Bearer ${token}`);
      expect(result.ok, label).toBe(false);
      if (result.ok) continue;
      expect(result.reason, label).not.toBe("");
      for (const fragment of [...tokenFragments(token), SECRET]) {
        expect(result.reason, label).not.toContain(fragment);
      }
    }
  });

  it("does not quote an alg it does not know: the header is client-controlled text", async () => {
    const verifier = createTokenVerifier({ secret: SECRET });
    const token = hmacSignedByHand(
      encodeSegment({ alg: "HS256\nFAKE LOG LINE", typ: "JWT" }),
      encodeSegment({ sub: "user-123", exp: inMinutes(5) }),
    );
    expect(await verifier.verifyBearerToken(`Bearer ${token}`)).toEqual({
      ok: false,
      failure: "invalid",
      reason: "alg is not one the server accepts",
    });
  });

  it("does not quote another scheme's credentials", async () => {
    const verifier = createTokenVerifier({ secret: SECRET });
    const result = await verifier.verifyBearerToken("Basic dXNlcjpodW50ZXIy");
    expect(result).toMatchObject({ ok: false, failure: "missing" });
    expect(result.ok === false && result.reason).not.toContain("dXNlcjpodW50ZXIy");
  });
});
