import { randomBytes } from "node:crypto";

import { Redis } from "ioredis";

// Helpers for the tests of this package and of the server that talk to the
// rate limiter's Redis store: each test keeps its keys under a prefix of its
// own and deletes them afterwards.

/** The Redis the tests use: TEST_REDIS_URL, else the one on this machine. */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

/** A key prefix no other test (or test run) uses. */
export function uniquePrefix(label: string): string {
  return `todo-test:${label}:${randomBytes(6).toString("hex")}:`;
}

/** A plain client for looking at and cleaning up a prefix's keys; `close()` when done. */
export function inspectRedis(prefix: string) {
  const redis = new Redis(TEST_REDIS_URL);
  const keys = () => redis.keys(`${prefix}*`);
  return {
    redis,
    keys,
    pttl: (key: string) => redis.pttl(`${prefix}${key}`),
    async deleteKeys() {
      const found = await keys();
      if (found.length > 0) await redis.del(...found);
    },
    close: () => redis.quit(),
  };
}

/** The keys under a prefix, read with a client of its own. */
export async function keysUnder(prefix: string): Promise<string[]> {
  const inspect = inspectRedis(prefix);
  try {
    return await inspect.keys();
  } finally {
    await inspect.close();
  }
}

/** Deletes every key under a prefix. */
export async function deleteKeysUnder(prefix: string): Promise<void> {
  const inspect = inspectRedis(prefix);
  try {
    await inspect.deleteKeys();
  } finally {
    await inspect.close();
  }
}
