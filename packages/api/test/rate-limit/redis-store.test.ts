import { createServer } from "node:net";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createRedisRateLimitStore } from "../../src/rate-limit/redis-store.js";
import { inspectRedis, TEST_REDIS_URL, uniquePrefix } from "../../src/testing.js";

const prefix = uniquePrefix("redis-store");
const inspect = inspectRedis(prefix);
const stores = [1, 2].map(() =>
  createRedisRateLimitStore({ url: TEST_REDIS_URL, keyPrefix: prefix }),
);
const [first, second] = stores as [
  ReturnType<typeof createRedisRateLimitStore>,
  ReturnType<typeof createRedisRateLimitStore>,
];

beforeAll(async () => {
  expect(await Promise.all(stores.map((store) => store.whenReady(5_000)))).toEqual([true, true]);
});
afterAll(async () => {
  await Promise.all(stores.map((store) => store.close()));
  await inspect.deleteKeys();
  await inspect.close();
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("createRedisRateLimitStore", () => {
  it("counts hits under the prefix and gives the key the window as its expiry", async () => {
    const a = await first.hit("window", 60_000);
    const b = await first.hit("window", 60_000);
    expect(a.count).toBe(1);
    expect(b.count).toBe(2);
    expect(b.resetInMs).toBeGreaterThan(59_000);
    expect(b.resetInMs).toBeLessThanOrEqual(60_000);
    expect(await inspect.keys()).toContain(`${prefix}window`);
    const ttl = await inspect.pttl("window");
    expect(ttl).toBeGreaterThan(59_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it("shares one count between two clients, atomically: concurrent hits get 1..N once each", async () => {
    const hits = Array.from({ length: 40 }, (_, i) =>
      (i % 2 ? first : second).hit("shared", 60_000),
    );
    const counts = (await Promise.all(hits)).map((hit) => hit.count).sort((a, b) => a - b);
    expect(counts).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  });

  it("starts again at 1 once the window has expired", async () => {
    await first.hit("short", 150);
    await first.hit("short", 150);
    await pause(250);
    expect((await second.hit("short", 150)).count).toBe(1);
  });

  it("gives a key left without an expiry the window again instead of counting it forever", async () => {
    await inspect.redis.set(`${prefix}no-expiry`, "7");
    const hit = await first.hit("no-expiry", 30_000);
    expect(hit).toEqual({ count: 8, resetInMs: 30_000 });
    expect(await inspect.pttl("no-expiry")).toBeGreaterThan(29_000);
  });

  it("fails a hit at once, and reports the lost connection once, when Redis cannot be reached", async () => {
    // A port that accepts nothing: bind one, note it, close it.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    await new Promise((resolve) => server.close(resolve));

    const errors: Error[] = [];
    const down = createRedisRateLimitStore({
      url: `redis://127.0.0.1:${port}`,
      keyPrefix: prefix,
      onConnectionError: (error) => errors.push(error),
    });
    try {
      expect(await down.whenReady(2_000)).toBe(false);
      const started = performance.now();
      await expect(down.hit("k", 1_000)).rejects.toThrow();
      expect(performance.now() - started).toBeLessThan(600);
      await pause(300);
      expect(errors).toHaveLength(1);
    } finally {
      await down.close();
    }
  });
});
