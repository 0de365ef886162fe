import { createHash } from "node:crypto";

import { rateLimitAddress } from "./client-address.js";
import type { RateLimitStore } from "./rate-limit-store.js";

export type AuthAction = "login" | "signup";

export interface AuthRateLimits {
  /** Attempts of one action per client address (an IPv6 /64) per window. */
  perIp: number;
  /** Attempts of one action per email per window. */
  perEmail: number;
  windowSeconds: number;
}

/**
 * Per action (login and signup count apart): 10 a minute from one address is
 * more than a person typing, and a NAT-ed office still signs in; 5 a minute on
 * one email stops password guessing against an account from many addresses,
 * while its owner who mistyped can try again within the minute.
 */
export const DEFAULT_AUTH_RATE_LIMITS: Readonly<AuthRateLimits> = Object.freeze({
  perIp: 10,
  perEmail: 5,
  windowSeconds: 60,
});

export type RateLimitDecision =
  { allowed: true } | { allowed: false; limitedBy: "ip" | "email"; retryAfterSeconds: number };

export interface AuthRateLimiter {
  /** Counts one attempt of `action` and says whether it may go on. Never throws. */
  attempt(
    action: AuthAction,
    caller: { clientIp: string | null; email: string },
  ): Promise<RateLimitDecision>;
}

/** Thrown (as a TRPCError's cause) when an attempt is over a limit. */
export class RateLimitedError extends Error {
  constructor(
    readonly limitedBy: "ip" | "email",
    readonly retryAfterSeconds: number,
  ) {
    super("Too many requests");
    this.name = "RateLimitedError";
  }
}

/**
 * The limits of login and signup over a store. The address is counted first,
 * and the email only for attempts the address may make: otherwise one client
 * could use up an account's allowance from a single address and lock its
 * owner out.
 *
 * A store that still fails (the server wraps Redis in a fallback to memory,
 * so this is a last resort) lets the attempt through and calls
 * `onStoreError`: the limiter is a second line behind argon2, and a broken
 * store must not lock every user out of their account, nor answer 500.
 */
export function createAuthRateLimiter(options: {
  store: RateLimitStore;
  limits?: AuthRateLimits;
  onStoreError?: (error: unknown) => void;
}): AuthRateLimiter {
  const { store } = options;
  const limits = options.limits ?? DEFAULT_AUTH_RATE_LIMITS;
  const windowMs = limits.windowSeconds * 1000;

  const count = async (key: string, limit: number, limitedBy: "ip" | "email") => {
    const { count, resetInMs } = await store.hit(key, windowMs);
    if (count <= limit) return undefined;
    return {
      allowed: false,
      limitedBy,
      retryAfterSeconds: Math.max(1, Math.ceil(resetInMs / 1000)),
    } as const;
  };

  return {
    async attempt(action, { clientIp, email }) {
      try {
        return (
          (await count(`${action}:ip:${rateLimitAddress(clientIp)}`, limits.perIp, "ip")) ??
          (await count(`${action}:email:${emailKey(email)}`, limits.perEmail, "email")) ?? {
            allowed: true,
          }
        );
      } catch (error) {
        options.onStoreError?.(error);
        return { allowed: true };
      }
    },
  };
}

/** Keys carry a digest of the (lower-cased) email: the store holds no addresses. */
function emailKey(email: string): string {
  return createHash("sha256").update(email.toLowerCase()).digest("base64url");
}
