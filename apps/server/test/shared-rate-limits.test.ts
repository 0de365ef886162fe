import { EventEmitter } from "node:events";

import { describe, expect, it } from "vitest";

import {
  countHitsFor,
  createPrimaryRateLimitStore,
  type MessageChannel,
} from "../src/cluster/shared-rate-limits.js";

/** Two ends of an IPC channel, as `process` in a worker and its `Worker` in the primary. */
function channelPair(): { worker: MessageChannel; primary: MessageChannel } {
  const toWorker = new EventEmitter();
  const toPrimary = new EventEmitter();
  const end = (inbox: EventEmitter, outbox: EventEmitter): MessageChannel => ({
    send: (message) => setImmediate(() => outbox.emit("message", structuredClone(message))),
    on: (event, listener) => inbox.on(event, listener),
    off: (event, listener) => inbox.off(event, listener),
  });
  return { worker: end(toWorker, toPrimary), primary: end(toPrimary, toWorker) };
}

describe("rate limits counted in the primary", () => {
  it("count the hits of every worker together", async () => {
    const counter = countHitsFor();
    const stores = [channelPair(), channelPair()].map(({ worker, primary }) => {
      counter.serve(primary);
      return createPrimaryRateLimitStore(worker);
    });
    const counts = [];
    for (let i = 0; i < 6; i++) counts.push((await stores[i % 2]!.hit("ip:1.2.3.4", 60_000)).count);
    expect(counts).toEqual([1, 2, 3, 4, 5, 6]);
    expect((await stores[0]!.hit("ip:other", 60_000)).count).toBe(1);
  });

  it("fall back to the worker's own count when the primary does not answer", async () => {
    const { worker } = channelPair(); // nobody serves the primary's end
    const store = createPrimaryRateLimitStore(worker, { timeoutMs: 20 });
    expect((await store.hit("k", 60_000)).count).toBe(1);
    expect((await store.hit("k", 60_000)).count).toBe(2);
  });
});
