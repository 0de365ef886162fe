import { randomBytes } from "node:crypto";

import { Redis } from "ioredis";

/** The Redis the tests use: TEST_REDIS_URL, else the one on this machine. */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

/** A key prefix no other test (or test run) uses. */
export function uniquePrefix(label: string): string {
  return `todo-test:${label}:${randomBytes(6).toString("hex")}:`;
}

/** A plain client for looking at and cleaning up a prefix's keys. */
export function inspectRedis(prefix: string) {
  const redis = new Redis(TEST_REDIS_URL);
  return {
    redis,
    keys: () => redis.keys(`${prefix}*`),
    pttl: (key: string) => redis.pttl(`${prefix}${key}`),
    async cleanUp() {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
    },
  };
}
