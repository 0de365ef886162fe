import {
  createAuthRateLimiter,
  type AuthRateLimiter,
  type AuthRateLimits,
} from "../rate-limit/auth-rate-limiter.js";
import type { RateLimitStore } from "../rate-limit/rate-limit-store.js";
import {
  createPasswordHasher,
  type PasswordHasher,
  type PasswordHashingParams,
} from "./password-hashing.js";
import { createTokenIssuer, type TokenIssuer } from "./token-issuer.js";

/** What the built-in accounts (LOCAL_AUTH) need besides the database. */
export interface LocalAuth {
  passwords: PasswordHasher;
  tokens: TokenIssuer;
  rateLimiter: AuthRateLimiter;
}

export interface LocalAuthOptions {
  /** BETTER_AUTH_SECRET (or the development secret): the key the verifier checks HS256 tokens with. */
  secret: string;
  /** Lifetime of an issued token (JWT_TTL). */
  tokenTtlSeconds: number;
  rateLimitStore: RateLimitStore;
  rateLimits?: AuthRateLimits;
  /** Called when the rate-limit store fails and an attempt is let through. */
  onRateLimitStoreError?: (error: unknown) => void;
  /** PASSWORD_HASHING unless given: only tests pass cheaper parameters. */
  passwordHashing?: PasswordHashingParams;
}

export function createLocalAuth(options: LocalAuthOptions): LocalAuth {
  return {
    passwords: createPasswordHasher(options.passwordHashing),
    tokens: createTokenIssuer({ secret: options.secret, ttlSeconds: options.tokenTtlSeconds }),
    rateLimiter: createAuthRateLimiter({
      store: options.rateLimitStore,
      limits: options.rateLimits,
      onStoreError: options.onRateLimitStoreError,
    }),
  };
}
