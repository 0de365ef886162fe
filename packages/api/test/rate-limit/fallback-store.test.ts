import { describe, expect, it } from "vitest";

import { createFallbackRateLimitStore } from "../../src/rate-limit/fallback-store.js";
import { createMemoryRateLimitStore } from "../../src/rate-limit/memory-store.js";
import type { RateLimitStore } from "../../src/rate-limit/rate-limit-store.js";

describe("createFallbackRateLimitStore", () => {
  it("counts in the primary store while it answers", async () => {
    const primary = createMemoryRateLimitStore();
    const store = createFallbackRateLimitStore({ primary, fallback: createMemoryRateLimitStore() });
    await store.hit("k", 60_000);
    expect((await primary.hit("k", 60_000)).count).toBe(2);
  });

  it("counts a hit the primary fails in the fallback, and reports the failure", async () => {
    let up = false;
    const primary = createMemoryRateLimitStore();
    const flaky: RateLimitStore = {
      hit: (key, windowMs) =>
        up ? primary.hit(key, windowMs) : Promise.reject(new Error("Connection is closed.")),
      close: () => Promise.resolve(),
    };
    const errors: unknown[] = [];
    const store = createFallbackRateLimitStore({
      primary: flaky,
      fallback: createMemoryRateLimitStore(),
      onPrimaryError: (error) => errors.push(error),
    });
    expect((await store.hit("k", 60_000)).count).toBe(1);
    expect((await store.hit("k", 60_000)).count).toBe(2);
    expect(errors).toHaveLength(2);
    up = true;
    expect((await store.hit("k", 60_000)).count).toBe(1);
  });
});
