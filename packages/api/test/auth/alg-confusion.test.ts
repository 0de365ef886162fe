import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createTokenVerifier } from "../../src/auth/index.js";
import { startJwksServer } from "./jwks-server.js";
import type { JwksServer } from "./jwks-server.js";
import {
  createSigningKey,
  encodeSegment,
  hmacSignedByHand,
  inMinutes,
  ORIGIN,
  SECRET,
  signWithSecret,
} from "./mint-token.js";
import type { SigningKey } from "./mint-token.js";

// The classic attack: take the server's public key (published in the key set),
// use its bytes as an HMAC secret and sign an HS256 token. A verifier that lets
// the token's alg pick how the key set's key is used would accept it.

const SYMMETRIC_KID = "oct-key-1";
const SYMMETRIC_KEY_BYTES = new TextEncoder().encode("a-symmetric-key-published-by-mistake");

let rsaKey: SigningKey;
let edKey: SigningKey;
let server: JwksServer;

beforeAll(async () => {
  rsaKey = await createSigningKey("RS256", "rsa-key-1");
  edKey = await createSigningKey("EdDSA", "ed-key-1");
  server = await startJwksServer([
    rsaKey.publishedJwk,
    edKey.publishedJwk,
    // A symmetric key in the key set must never verify anything either.
    {
      kty: "oct",
      k: Buffer.from(SYMMETRIC_KEY_BYTES).toString("base64url"),
      kid: SYMMETRIC_KID,
      alg: "HS256",
    },
  ]);
});
afterAll(() => server.close());

const verifierWith = (config: { secret?: string }) =>
  createTokenVerifier({ ...config, jwksUrl: server.jwksUrl, issuer: ORIGIN, audience: ORIGIN });

const claims = () => ({ sub: "attacker", iss: ORIGIN, aud: ORIGIN, exp: inMinutes(5) });

describe("alg confusion: the header's alg picks the path before anything is verified", () => {
  const utf8 = (text: string) => new TextEncoder().encode(text);
  const forgeries = () => [
    { name: "the RSA public key's PEM", secret: utf8(rsaKey.publicPem) },
    { name: "the RSA public key's JWK", secret: utf8(JSON.stringify(rsaKey.publishedJwk)) },
    { name: "the Ed25519 public key's PEM", secret: utf8(edKey.publicPem) },
  ];

  for (const withKid of [false, true]) {
    const kidLabel = withKid ? "with a kid from the key set" : "without a kid";

    it(`refuses an HS256 token signed with a public key as HMAC secret, ${kidLabel}`, async () => {
      const verifier = verifierWith({ secret: SECRET });
      const requestsBefore = server.requests;
      for (const { name, secret } of forgeries()) {
        const kid = withKid ? (name.includes("RSA") ? rsaKey.kid : edKey.kid) : undefined;
        const token = await signWithSecret(claims(), { secret, kid });
        expect(await verifier.verifyBearerToken(`Bearer ${token}`), name).toEqual({
          ok: false,
          failure: "invalid",
          reason: "signature verification failed",
        });
      }
      expect(server.requests - requestsBefore).toBe(0);
    });

    it(`refuses that forgery when no secret is configured, ${kidLabel}`, async () => {
      const verifier = verifierWith({});
      const requestsBefore = server.requests;
      for (const { secret } of forgeries()) {
        const token = await signWithSecret(claims(), {
          secret,
          kid: withKid ? rsaKey.kid : undefined,
        });
        expect(await verifier.verifyBearerToken(`Bearer ${token}`)).toEqual({
          ok: false,
          failure: "invalid",
          reason: "alg HS256 is not accepted: no secret is configured",
        });
      }
      expect(server.requests - requestsBefore).toBe(0);
    });
  }

  it("never verifies an HS256 token against a symmetric key published in the key set", async () => {
    for (const verifier of [verifierWith({ secret: SECRET }), verifierWith({})]) {
      const token = await signWithSecret(claims(), {
        secret: SYMMETRIC_KEY_BYTES,
        kid: SYMMETRIC_KID,
      });
      expect(await verifier.verifyBearerToken(`Bearer ${token}`)).toMatchObject({
        ok: false,
        failure: "invalid",
      });
    }
  });

  it("never verifies an asymmetric alg against the secret", async () => {
    const verifier = verifierWith({ secret: SECRET });
    for (const kid of [rsaKey.kid, "no-such-kid"]) {
      const header = encodeSegment({ alg: "RS256", kid, typ: "JWT" });
      const token = hmacSignedByHand(header, encodeSegment(claims()), SECRET);
      expect(await verifier.verifyBearerToken(`Bearer ${token}`)).toMatchObject({
        ok: false,
        failure: "invalid",
      });
    }
    const secretOnly = createTokenVerifier({ secret: SECRET });
    const header = encodeSegment({ alg: "EdDSA", kid: edKey.kid, typ: "JWT" });
    const token = hmacSignedByHand(header, encodeSegment(claims()), SECRET);
    expect(await secretOnly.verifyBearerToken(`Bearer ${token}`)).toEqual({
      ok: false,
      failure: "invalid",
      reason: "alg EdDSA is not accepted: no key set is configured",
    });
  });
});
