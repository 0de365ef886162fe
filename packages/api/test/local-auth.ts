import type { Database } from "@todo/db";

import { createLocalAuth, type LocalAuth } from "../src/auth/local-auth.js";
import type { PasswordHashingParams } from "../src/auth/password-hashing.js";
import { createTokenVerifier } from "../src/auth/verify-token.js";
import type { AuthRateLimits } from "../src/rate-limit/auth-rate-limiter.js";
import { createMemoryRateLimitStore } from "../src/rate-limit/memory-store.js";
import type { RateLimitStore } from "../src/rate-limit/rate-limit-store.js";
import { createCaller } from "../src/root.js";
import { createContext } from "../src/trpc.js";
import { SECRET } from "./auth/mint-token.js";

/**
 * Cheap argon2id for tests that hash often. Passed explicitly: production's
 * parameters are the default, and the tests that check them use the default.
 */
export const TEST_PASSWORD_HASHING: PasswordHashingParams = {
  memoryCost: 1024,
  timeCost: 1,
  parallelism: 1,
};

/** Limits no test of the procedures reaches unless it means to. */
export const GENEROUS_LIMITS: AuthRateLimits = { perIp: 1000, perEmail: 1000, windowSeconds: 60 };

export function testLocalAuth(
  options: {
    rateLimits?: AuthRateLimits;
    store?: RateLimitStore;
    passwordHashing?: PasswordHashingParams;
  } = {},
): LocalAuth {
  return createLocalAuth({
    secret: SECRET,
    tokenTtlSeconds: 7 * 24 * 3600,
    rateLimitStore: options.store ?? createMemoryRateLimitStore(),
    rateLimits: options.rateLimits ?? GENEROUS_LIMITS,
    passwordHashing: options.passwordHashing ?? TEST_PASSWORD_HASHING,
  });
}

export const verifier = createTokenVerifier({ secret: SECRET });

/**
 * A caller as the server builds one for an HTTP request: a client address and
 * maybe a token (or, as sent, a whole Authorization header).
 */
export function requestCaller(
  db: Database,
  localAuth: LocalAuth | null,
  {
    clientIp = "203.0.113.7",
    token,
    authorization = token === undefined ? undefined : `Bearer ${token}`,
  }: { clientIp?: string; token?: string; authorization?: string } = {},
) {
  return createCaller(
    createContext({
      db,
      verifier,
      authorization,
      localAuth,
      clientIp,
    }),
  );
}

let counter = 0;
/** An email no other test uses. */
export function uniqueEmail(label = "user"): string {
  counter += 1;
  return `${label}-${process.pid}-${counter}-${Date.now()}@example.com`;
}
