import { afterEach, beforeAll, describe, expect, it } from "vitest";

import { generateKeyPair, SignJWT } from "jose";

import { createTokenVerifier } from "../../src/auth/index.js";
import type { TokenVerifierConfig } from "../../src/auth/index.js";
import { sleep, startJwksServer, unreachableJwksUrl } from "./jwks-server.js";
import type { JwksServer } from "./jwks-server.js";
import {
  createSigningKey,
  inMinutes,
  nowSeconds,
  ORIGIN,
  SECRET,
  signWithKey,
  signWithSecret,
} from "./mint-token.js";
import type { KeySetAlgorithm, SigningKey } from "./mint-token.js";

const ALGORITHMS: KeySetAlgorithm[] = ["EdDSA", "ES256", "RS256", "PS256"];

let keys: Record<KeySetAlgorithm, SigningKey>;
const servers: JwksServer[] = [];

beforeAll(async () => {
  const entries = await Promise.all(
    ALGORITHMS.map(async (alg) => [alg, await createSigningKey(alg, `${alg}-key-1`)] as const),
  );
  keys = Object.fromEntries(entries) as Record<KeySetAlgorithm, SigningKey>;
});

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** A key-set server publishing `published`, and a verifier configured as BETTER_AUTH_URL would. */
async function serveKeys(published: SigningKey[], config: TokenVerifierConfig = {}) {
  const server = await startJwksServer(published.map((key) => key.publishedJwk));
  servers.push(server);
  const verifier = createTokenVerifier({
    secret: SECRET,
    jwksUrl: server.jwksUrl,
    issuer: ORIGIN,
    audience: ORIGIN,
    ...config,
  });
  const verify = (token: string) => verifier.verifyBearerToken(`Bearer ${token}`);
  return { server, verify };
}

describe("tokens from Better Auth's JWT plugin, verified against the key set", () => {
  it.each(ALGORITHMS)("accepts a valid %s token whose kid is in the key set", async (alg) => {
    const { verify } = await serveKeys(ALGORITHMS.map((name) => keys[name]));
    const token = await signWithKey(keys[alg], { sub: `user-${alg}`, exp: inMinutes(15) });
    expect(await verify(token)).toEqual({ ok: true, userId: `user-${alg}` });
  });

  it("refuses a token signed by another key under a kid of the key set", async () => {
    const { verify } = await serveKeys([keys.EdDSA]);
    const impostor = await createSigningKey("EdDSA", keys.EdDSA.kid);
    const token = await signWithKey(impostor, { sub: "user-123", exp: inMinutes(5) });
    expect(await verify(token)).toEqual({
      ok: false,
      failure: "invalid",
      reason: "signature verification failed",
    });
  });

  it("refuses a token whose payload was changed after signing", async () => {
    const { verify } = await serveKeys([keys.EdDSA]);
    const token = await signWithKey(keys.EdDSA, { sub: "user-123", exp: inMinutes(5) });
    const [header, , signature] = token.split(".");
    const payload = Buffer.from(
      JSON.stringify({ sub: "admin", iss: ORIGIN, aud: ORIGIN, exp: inMinutes(5) }),
    ).toString("base64url");
    expect(await verify(`${header}.${payload}.${signature}`)).toEqual({
      ok: false,
      failure: "invalid",
      reason: "signature verification failed",
    });
  });

  it("refuses a token from another issuer", async () => {
    const { verify } = await serveKeys([keys.EdDSA]);
    const token = await signWithKey(keys.EdDSA, {
      sub: "user-123",
      iss: "https://evil.example",
      exp: inMinutes(5),
    });
    expect(await verify(token)).toEqual({
      ok: false,
      failure: "invalid",
      reason: "iss is not the expected issuer",
    });
  });

  it("refuses a token for another audience", async () => {
    const { verify } = await serveKeys([keys.EdDSA]);
    const token = await signWithKey(keys.EdDSA, {
      sub: "user-123",
      aud: "https://other-api.example",
      exp: inMinutes(5),
    });
    expect(await verify(token)).toEqual({
      ok: false,
      failure: "invalid",
      reason: "aud is not the expected audience",
    });
  });

  it("refuses a token without iss or aud when they are configured", async () => {
    const { verify } = await serveKeys([keys.EdDSA]);
    const withoutAud = await signWithKey(keys.EdDSA, {
      sub: "user-123",
      aud: undefined,
      exp: inMinutes(5),
    });
    expect(await verify(withoutAud)).toEqual({
      ok: false,
      failure: "invalid",
      reason: "aud claim is missing",
    });
    const withoutIss = await signWithKey(keys.EdDSA, {
      sub: "user-123",
      iss: undefined,
      exp: inMinutes(5),
    });
    expect(await verify(withoutIss)).toEqual({
      ok: false,
      failure: "invalid",
      reason: "iss claim is missing",
    });
  });

  it("checks iss and aud against JWT_ISSUER / JWT_AUDIENCE when those are configured", async () => {
    const { verify } = await serveKeys([keys.ES256], {
      issuer: "https://auth.example",
      audience: "https://api.example",
    });
    const custom = await signWithKey(keys.ES256, {
      sub: "user-123",
      iss: "https://auth.example",
      aud: "https://api.example",
      exp: inMinutes(5),
    });
    expect(await verify(custom)).toEqual({ ok: true, userId: "user-123" });
    const defaults = await signWithKey(keys.ES256, { sub: "user-123", exp: inMinutes(5) });
    expect(await verify(defaults)).toMatchObject({ ok: false, failure: "invalid" });
  });

  it('reports a validly signed expired token as "expired"', async () => {
    const { verify } = await serveKeys([keys.EdDSA]);
    const token = await signWithKey(keys.EdDSA, { sub: "user-123", exp: nowSeconds() - 60 });
    expect(await verify(token)).toEqual({
      ok: false,
      failure: "expired",
      reason: "token has expired",
    });
  });

  it('reports an expired token signed by another key as "invalid"', async () => {
    const { verify } = await serveKeys([keys.EdDSA]);
    const impostor = await createSigningKey("EdDSA", keys.EdDSA.kid);
    const token = await signWithKey(impostor, { sub: "user-123", exp: nowSeconds() - 60 });
    expect(await verify(token)).toEqual({
      ok: false,
      failure: "invalid",
      reason: "signature verification failed",
    });
  });

  it("refuses a token without exp", async () => {
    const { verify } = await serveKeys([keys.EdDSA]);
    const token = await signWithKey(keys.EdDSA, { sub: "user-123" });
    expect(await verify(token)).toEqual({
      ok: false,
      failure: "invalid",
      reason: "exp claim is missing",
    });
  });

  it("applies the user id rules to key-set tokens too", async () => {
    const { verify } = await serveKeys([keys.EdDSA]);
    const token = await signWithKey(keys.EdDSA, {
      sub: "user-123",
      user_id: "user-456",
      exp: inMinutes(5),
    });
    expect(await verify(token)).toEqual({
      ok: false,
      failure: "invalid",
      reason: "sub and user_id disagree",
    });
  });

  it("refuses a key-set token whose sub contains U+0000", async () => {
    const { verify } = await serveKeys([keys.EdDSA]);
    const token = await signWithKey(keys.EdDSA, { sub: "user\u0000123", exp: inMinutes(5) });
    expect(await verify(token)).toEqual({
      ok: false,
      failure: "invalid",
      reason: "sub contains a NUL character",
    });
  });

  it("refuses a key-set token whose user_id contains U+0000", async () => {
    const { verify } = await serveKeys([keys.ES256]);
    const token = await signWithKey(keys.ES256, { user_id: "\u0000", exp: inMinutes(5) });
    expect(await verify(token)).toEqual({
      ok: false,
      failure: "invalid",
      reason: "user_id contains a NUL character",
    });
  });

  it("refuses a key-set token that names no kid", async () => {
    const { verify, server } = await serveKeys([keys.EdDSA]);
    const token = await new SignJWT({
      sub: "user-123",
      iss: ORIGIN,
      aud: ORIGIN,
      exp: inMinutes(5),
    })
      .setProtectedHeader({ alg: "EdDSA", typ: "JWT" })
      .sign(keys.EdDSA.privateKey);
    expect(await verify(token)).toEqual({
      ok: false,
      failure: "invalid",
      reason: "EdDSA token has no kid",
    });
    expect(server.requests).toBe(0);
  });

  it("refuses every asymmetric token when no key set URL is configured", async () => {
    const secretOnly = createTokenVerifier({ secret: SECRET, issuer: ORIGIN, audience: ORIGIN });
    const token = await signWithKey(keys.EdDSA, { sub: "user-123", exp: inMinutes(5) });
    expect(await secretOnly.verifyBearerToken(`Bearer ${token}`)).toEqual({
      ok: false,
      failure: "invalid",
      reason: "alg EdDSA is not accepted: no key set is configured",
    });
  });

  it("refuses asymmetric algorithms outside EdDSA, ES256, RS256 and PS256", async () => {
    const { verify } = await serveKeys([keys.EdDSA]);
    const { privateKey } = await generateKeyPair("ES384");
    const token = await new SignJWT({
      sub: "user-123",
      iss: ORIGIN,
      aud: ORIGIN,
      exp: inMinutes(5),
    })
      .setProtectedHeader({ alg: "ES384", kid: "ES384-key" })
      .sign(privateKey);
    expect(await verify(token)).toEqual({
      ok: false,
      failure: "invalid",
      reason: "alg ES384 is not accepted",
    });
  });
});

describe("key set caching and refetching", () => {
  it("fetches the key set once and verifies later tokens from the cache", async () => {
    const { verify, server } = await serveKeys([keys.EdDSA, keys.RS256]);
    for (const key of [keys.EdDSA, keys.RS256, keys.EdDSA]) {
      const token = await signWithKey(key, { sub: "user-123", exp: inMinutes(5) });
      expect(await verify(token)).toEqual({ ok: true, userId: "user-123" });
    }
    expect(server.requests).toBe(1);
  });

  it("fetches once for concurrent first requests", async () => {
    const { verify, server } = await serveKeys([keys.EdDSA]);
    const token = await signWithKey(keys.EdDSA, { sub: "user-123", exp: inMinutes(5) });
    const results = await Promise.all([verify(token), verify(token), verify(token)]);
    expect(results).toEqual(Array(3).fill({ ok: true, userId: "user-123" }));
    expect(server.requests).toBe(1);
  });

  it("refuses a kid the set fetched after the cooldown lacks too, fetching it once for a burst", async () => {
    const { verify, server } = await serveKeys([keys.EdDSA], { jwksCooldownMs: 200 });
    const known = await signWithKey(keys.EdDSA, { sub: "user-123", exp: inMinutes(5) });
    expect(await verify(known)).toEqual({ ok: true, userId: "user-123" });
    expect(server.requests).toBe(1);

    const stranger = await createSigningKey("EdDSA", "unknown-kid");
    const unknown = await signWithKey(stranger, { sub: "user-123", exp: inMinutes(5) });
    const burst = await Promise.all([verify(unknown), verify(unknown), verify(unknown)]);
    for (const result of burst) {
      expect(result).toEqual({
        ok: false,
        failure: "invalid",
        reason: "no key in the key set matches the token's kid",
      });
    }
    expect(server.requests).toBe(2);

    expect(await verify(known)).toEqual({ ok: true, userId: "user-123" });
    expect(server.requests).toBe(2);
  });

  it("fetches the set for unknown kids at most once per cooldown", async () => {
    const cooldownMs = 150;
    const { verify, server } = await serveKeys([keys.EdDSA], { jwksCooldownMs: cooldownMs });
    const startedAt = Date.now();
    const known = await signWithKey(keys.EdDSA, { sub: "user-123", exp: inMinutes(5) });
    expect(await verify(known)).toEqual({ ok: true, userId: "user-123" });

    const stranger = await createSigningKey("EdDSA", "unknown-kid");
    const unknown = await signWithKey(stranger, { sub: "user-123", exp: inMinutes(5) });
    for (let attempt = 0; attempt < 4; attempt += 1) {
      expect(await verify(unknown)).toMatchObject({ ok: false, failure: "invalid" });
    }
    // Every fetch after the first waited a whole cooldown since the one before.
    expect(server.requests).toBeGreaterThan(1);
    expect((server.requests - 1) * cooldownMs).toBeLessThanOrEqual(Date.now() - startedAt);
  });

  it("accepts a key added right after the last fetch, once the cooldown is over (rotation)", async () => {
    const cooldownMs = 300;
    const { verify, server } = await serveKeys([keys.EdDSA], { jwksCooldownMs: cooldownMs });
    const startedAt = Date.now();
    const oldToken = await signWithKey(keys.EdDSA, { sub: "user-123", exp: inMinutes(5) });
    expect(await verify(oldToken)).toEqual({ ok: true, userId: "user-123" });

    const rotated = await createSigningKey("EdDSA", "EdDSA-key-2");
    server.keys.push(rotated.publishedJwk);
    const newToken = await signWithKey(rotated, { sub: "user-456", exp: inMinutes(5) });
    // A client's retry with a fresh token of the same key would meet the
    // same cooldown: the first request itself must be accepted.
    const results = await Promise.all([verify(newToken), verify(newToken)]);
    expect(results).toEqual(Array(2).fill({ ok: true, userId: "user-456" }));
    expect(server.requests).toBe(2);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(cooldownMs);

    expect(await verify(oldToken)).toEqual({ ok: true, userId: "user-123" });
    expect(server.requests).toBe(2);
  });

  it("picks up a key added to the served set on its first use after the cooldown (rotation)", async () => {
    const { verify, server } = await serveKeys([keys.EdDSA], { jwksCooldownMs: 50 });
    const oldToken = await signWithKey(keys.EdDSA, { sub: "user-123", exp: inMinutes(5) });
    expect(await verify(oldToken)).toEqual({ ok: true, userId: "user-123" });

    const rotated = await createSigningKey("EdDSA", "EdDSA-key-2");
    server.keys.push(rotated.publishedJwk);
    await sleep(80);
    const newToken = await signWithKey(rotated, { sub: "user-456", exp: inMinutes(5) });
    expect(await verify(newToken)).toEqual({ ok: true, userId: "user-456" });
    expect(server.requests).toBe(2);

    expect(await verify(oldToken)).toEqual({ ok: true, userId: "user-123" });
    expect(server.requests).toBe(2);
  });

  it("refuses tokens of a key removed from the served set once the set is refetched", async () => {
    const rotated = await createSigningKey("EdDSA", "EdDSA-key-2");
    const { verify, server } = await serveKeys([keys.EdDSA], { jwksCooldownMs: 50 });
    expect(await verify(await signWithKey(keys.EdDSA, { sub: "u", exp: inMinutes(5) }))).toEqual({
      ok: true,
      userId: "u",
    });
    server.keys = [rotated.publishedJwk];
    await sleep(80);
    expect(await verify(await signWithKey(rotated, { sub: "u", exp: inMinutes(5) }))).toEqual({
      ok: true,
      userId: "u",
    });
    expect(await verify(await signWithKey(keys.EdDSA, { sub: "u", exp: inMinutes(5) }))).toEqual({
      ok: false,
      failure: "invalid",
      reason: "no key in the key set matches the token's kid",
    });
  });
});

describe("an unreachable key set", () => {
  it("refuses an asymmetric token when the key-set server is down, without throwing", async () => {
    const verifier = createTokenVerifier({
      secret: SECRET,
      jwksUrl: await unreachableJwksUrl(),
      issuer: ORIGIN,
      audience: ORIGIN,
    });
    const token = await signWithKey(keys.EdDSA, { sub: "user-123", exp: inMinutes(5) });
    const result = await verifier.verifyBearerToken(`Bearer ${token}`);
    expect(result).toMatchObject({ ok: false, failure: "invalid" });
    expect(result.ok === false && result.reason).toMatch(/^key set unreachable: /);
  });

  it("still accepts HS256 tokens when the key-set server is down", async () => {
    const verifier = createTokenVerifier({ secret: SECRET, jwksUrl: await unreachableJwksUrl() });
    const token = await signWithSecret({ sub: "user-123", exp: inMinutes(5) });
    expect(await verifier.verifyBearerToken(`Bearer ${token}`)).toEqual({
      ok: true,
      userId: "user-123",
    });
  });

  it("asks an erroring key-set server again only after the cooldown", async () => {
    const { verify, server } = await serveKeys([keys.EdDSA], { jwksCooldownMs: 150 });
    server.status = 503;
    const token = await signWithKey(keys.EdDSA, { sub: "user-123", exp: inMinutes(5) });
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const result = await verify(token);
      expect(result).toMatchObject({ ok: false, failure: "invalid" });
      expect(result.ok === false && result.reason).toMatch(/^key set unreachable: /);
    }
    expect(server.requests).toBe(1);

    server.status = 200;
    await sleep(200);
    expect(await verify(token)).toEqual({ ok: true, userId: "user-123" });
    expect(server.requests).toBe(2);
  });
});
