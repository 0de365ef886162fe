import type { RateLimitStore, WindowCount } from "./rate-limit-store.js";

interface Window {
  count: number;
  endsAt: number;
}

/**
 * Counters in this process's memory: right for one server process. Several
 * processes behind one address need the Redis store, or each would allow the
 * limit on its own. Ended windows are swept once a window has passed, so
 * memory follows the keys of the last window, not every key ever seen.
 */
export function createMemoryRateLimitStore(options: { now?: () => number } = {}): RateLimitStore {
  const now = options.now ?? Date.now;
  const windows = new Map<string, Window>();
  let nextSweepAt = 0;

  const sweep = (at: number, windowMs: number) => {
    if (at < nextSweepAt) return;
    for (const [key, window] of windows) if (window.endsAt <= at) windows.delete(key);
    nextSweepAt = at + windowMs;
  };

  return {
    hit(key, windowMs): Promise<WindowCount> {
      const at = now();
      sweep(at, windowMs);
      let window = windows.get(key);
      if (!window || window.endsAt <= at) {
        window = { count: 0, endsAt: at + windowMs };
        windows.set(key, window);
      }
      window.count += 1;
      return Promise.resolve({ count: window.count, resetInMs: window.endsAt - at });
    },
    close() {
      windows.clear();
      return Promise.resolve();
    },
  };
}
