import { describe, expect, it } from "vitest";

import { createMemoryRateLimitStore } from "../../src/rate-limit/memory-store.js";

function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe("createMemoryRateLimitStore", () => {
  it("counts hits of a key within its window and says when the window ends", async () => {
    const time = clock();
    const store = createMemoryRateLimitStore({ now: time.now });
    expect(await store.hit("k", 60_000)).toEqual({ count: 1, resetInMs: 60_000 });
    time.advance(15_000);
    expect(await store.hit("k", 60_000)).toEqual({ count: 2, resetInMs: 45_000 });
    expect(await store.hit("other", 60_000)).toEqual({ count: 1, resetInMs: 60_000 });
  });

  it("starts again at 1 once the window has ended", async () => {
    const time = clock();
    const store = createMemoryRateLimitStore({ now: time.now });
    await store.hit("k", 1_000);
    await store.hit("k", 1_000);
    time.advance(1_000);
    expect(await store.hit("k", 1_000)).toEqual({ count: 1, resetInMs: 1_000 });
  });

  it("gives concurrent hits distinct counts", async () => {
    const store = createMemoryRateLimitStore();
    const counts = await Promise.all(Array.from({ length: 20 }, () => store.hit("k", 60_000)));
    expect(counts.map((c) => c.count).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
  });
});
