import type { RateLimitStore } from "./rate-limit-store.js";

/**
 * Counts in `primary` (Redis) and, for any hit it fails, in `fallback` (this
 * process's memory). While Redis is down or slow the limits still hold, per
 * process instead of shared: weaker, but neither a 500 nor a lock-out of
 * every user, nor an open door to password guessing.
 */
export function createFallbackRateLimitStore(options: {
  primary: RateLimitStore;
  fallback: RateLimitStore;
  onPrimaryError?: (error: unknown) => void;
}): RateLimitStore {
  const { primary, fallback } = options;
  return {
    async hit(key, windowMs) {
      try {
        return await primary.hit(key, windowMs);
      } catch (error) {
        options.onPrimaryError?.(error);
        return fallback.hit(key, windowMs);
      }
    },
    async close() {
      await Promise.all([primary.close(), fallback.close()]);
    },
  };
}
