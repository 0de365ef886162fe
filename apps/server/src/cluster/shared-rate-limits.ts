import { createMemoryRateLimitStore, type RateLimitStore, type WindowCount } from "@todo/api";

// Without Redis, the workers of one server count login and signup attempts
// in the primary process, so the limits hold for the server as a whole, not
// per worker: each hit is one message to the primary and its answer.

interface HitMessage {
  type: "rate-limit:hit";
  id: number;
  key: string;
  windowMs: number;
}

interface CountMessage {
  type: "rate-limit:count";
  id: number;
  count: WindowCount;
}

/** A process's message channel (`process` in a worker, a `Worker` in the primary). */
export interface MessageChannel {
  send(message: unknown): unknown;
  on(event: "message", listener: (message: unknown) => void): unknown;
  off(event: "message", listener: (message: unknown) => void): unknown;
}

const isHit = (message: unknown): message is HitMessage =>
  (message as HitMessage | null)?.type === "rate-limit:hit";
const isCount = (message: unknown): message is CountMessage =>
  (message as CountMessage | null)?.type === "rate-limit:count";

/** In the primary: answers every worker's hits from one memory store. */
export function countHitsFor(store: RateLimitStore = createMemoryRateLimitStore()) {
  return {
    /** Starts answering a (new) worker's channel. */
    serve(worker: MessageChannel): void {
      worker.on("message", (message) => {
        if (!isHit(message)) return;
        void store.hit(message.key, message.windowMs).then((count) => {
          const reply: CountMessage = { type: "rate-limit:count", id: message.id, count };
          worker.send(reply);
        });
      });
    },
  };
}

/**
 * In a worker: a rate-limit store that counts in the primary. A hit the
 * primary does not answer within `timeoutMs` (it is restarting workers, or
 * gone) is counted in this worker's memory instead, so a request never waits
 * long and is still counted somewhere.
 */
export function createPrimaryRateLimitStore(
  channel: MessageChannel,
  { timeoutMs = 1_000 }: { timeoutMs?: number } = {},
): RateLimitStore {
  const fallback = createMemoryRateLimitStore();
  const pending = new Map<number, (count: WindowCount) => void>();
  let nextId = 0;
  const onMessage = (message: unknown) => {
    if (!isCount(message)) return;
    pending.get(message.id)?.(message.count);
    pending.delete(message.id);
  };
  channel.on("message", onMessage);
  return {
    hit(key, windowMs) {
      const id = nextId++;
      return new Promise<WindowCount>((resolve) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          resolve(fallback.hit(key, windowMs));
        }, timeoutMs);
        pending.set(id, (count) => {
          clearTimeout(timer);
          resolve(count);
        });
        const hit: HitMessage = { type: "rate-limit:hit", id, key, windowMs };
        channel.send(hit);
      });
    },
    close() {
      channel.off("message", onMessage);
      return fallback.close();
    },
  };
}
