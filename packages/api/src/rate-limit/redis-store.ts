import { Redis } from "ioredis";

import type { RateLimitStore, WindowCount } from "./rate-limit-store.js";

// INCR and the expiry in one script, so the count and its window are set
// atomically: two processes hitting a new key at once still get 1 and 2, and
// no key is ever left without an expiry (which would block it forever). A key
// found without one (written by hand, say) gets the window again.
const HIT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
`;

export interface RedisRateLimitStoreOptions {
  /** redis:// or rediss:// URL (REDIS_URL). */
  url: string;
  /** Put before every key, so several apps (or tests) can share one Redis. */
  keyPrefix: string;
  /**
   * How long a hit may wait for Redis before it fails. Short: a failed hit is
   * counted elsewhere (see createFallbackRateLimitStore), and login should not
   * wait long for a Redis that is down.
   */
  commandTimeoutMs?: number;
  /** Called once when the connection is lost (not again until it is back). */
  onConnectionError?: (error: Error) => void;
}

export interface RedisRateLimitStore extends RateLimitStore {
  /** Resolves true once connected, false on a failed attempt or after `timeoutMs`. */
  whenReady(timeoutMs: number): Promise<boolean>;
}

/**
 * Counters in Redis, shared by every server process that uses the same Redis
 * and prefix. The store owns its client; `close()` quits it.
 */
export function createRedisRateLimitStore(
  options: RedisRateLimitStoreOptions,
): RedisRateLimitStore {
  const redis = new Redis(options.url, {
    keyPrefix: options.keyPrefix,
    commandTimeout: options.commandTimeoutMs ?? 500,
    // While disconnected, a hit fails at once instead of queueing until the
    // connection is back; the client keeps reconnecting in the background.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
  });
  let connected = true;
  redis.on("error", (error: Error) => {
    if (!connected) return;
    connected = false;
    options.onConnectionError?.(error);
  });
  redis.on("ready", () => {
    connected = true;
  });

  return {
    whenReady(timeoutMs) {
      if (redis.status === "ready") return Promise.resolve(true);
      return new Promise((resolve) => {
        const settle = (ready: boolean) => {
          clearTimeout(timer);
          redis.off("ready", onReady);
          redis.off("error", onError);
          resolve(ready);
        };
        const onReady = () => settle(true);
        const onError = () => settle(false);
        const timer = setTimeout(() => settle(false), timeoutMs);
        redis.once("ready", onReady);
        redis.once("error", onError);
      });
    },
    async hit(key, windowMs): Promise<WindowCount> {
      const reply = await redis.eval(HIT_SCRIPT, 1, key, windowMs);
      const [count, resetInMs] = reply as [number, number];
      return { count, resetInMs };
    },
    async close() {
      if (redis.status === "end") return;
      try {
        await redis.quit();
      } catch {
        redis.disconnect();
      }
    },
  };
}
