import { describe, expect, it } from "vitest";

import { createTokenCache } from "../src/token-cache.js";

const MINUTE = 60_000;

/** An unsigned JWT whose `exp` is `expiresAt` (ms); the cache only reads it. */
function jwt(name: string, expiresAt?: number): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const claims = expiresAt === undefined ? { sub: name } : { sub: name, exp: expiresAt / 1000 };
  return `${part({ alg: "EdDSA" })}.${part(claims)}.signature`;
}

/** A token source like `authClient.token()`: each call mints the next token, living 15 minutes. */
function tokenSource(clock: { now: number }, lifetimeMs: number | null = 15 * MINUTE) {
  const minted: string[] = [];
  const fetchToken = () => {
    const token = jwt(
      `token-${minted.length + 1}`,
      lifetimeMs === null ? undefined : clock.now + lifetimeMs,
    );
    minted.push(token);
    return Promise.resolve(token);
  };
  return { minted, fetchToken };
}

describe("createTokenCache (Better Auth JWT plugin tokens, 15 minutes each)", () => {
  it("keeps a token until a minute before its exp, then fetches the next", async () => {
    const clock = { now: Date.UTC(2026, 10, 30, 10, 0) };
    const source = tokenSource(clock);
    const cache = createTokenCache(source.fetchToken, { now: () => clock.now });

    const first = await cache.get();
    clock.now += 13 * MINUTE;
    expect(await cache.get()).toBe(first);
    clock.now += 59_999;
    expect(await cache.get()).toBe(first);
    expect(source.minted).toHaveLength(1);

    clock.now += 1;
    const second = await cache.get();
    expect(second).not.toBe(first);
    expect(source.minted).toEqual([first, second]);
  });

  it("shares one fetch between the calls made while it is under way", async () => {
    const clock = { now: Date.now() };
    const source = tokenSource(clock);
    const cache = createTokenCache(source.fetchToken, { now: () => clock.now });

    const tokens = await Promise.all([cache.get(), cache.get(), cache.get()]);

    expect(new Set(tokens).size).toBe(1);
    expect(source.minted).toHaveLength(1);
  });

  it("fetches a new token after forget (the API refused the kept one)", async () => {
    const clock = { now: Date.now() };
    const source = tokenSource(clock);
    const cache = createTokenCache(source.fetchToken, { now: () => clock.now });

    const refused = await cache.get();
    cache.forget();
    const renewed = await cache.get();

    expect(renewed).not.toBe(refused);
    expect(await cache.get()).toBe(renewed);
    expect(source.minted).toHaveLength(2);
  });

  it("keeps no token without an exp, nor the absence of one", async () => {
    const clock = { now: Date.now() };
    const source = tokenSource(clock, null);
    const cache = createTokenCache(source.fetchToken, { now: () => clock.now });
    await cache.get();
    await cache.get();
    expect(source.minted).toHaveLength(2);

    let calls = 0;
    const signedOut = createTokenCache(() => Promise.resolve((calls++, null)));
    expect(await signedOut.get()).toBeNull();
    expect(await signedOut.get()).toBeNull();
    expect(calls).toBe(2);
  });

  it("tries again after a failed fetch", async () => {
    let calls = 0;
    const cache = createTokenCache(() =>
      ++calls === 1
        ? Promise.reject(new Error("Better Auth did not answer"))
        : Promise.resolve(jwt("late", Date.now() + 15 * MINUTE)),
    );

    await expect(cache.get()).rejects.toThrow("Better Auth did not answer");
    const token = await cache.get();
    expect(token).toContain(".");
    expect(await cache.get()).toBe(token);
    expect(calls).toBe(2);
  });
});
