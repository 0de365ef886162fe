/** Attempts counted under one key in its current window. */
export interface WindowCount {
  /** Attempts in this window, this one included. */
  count: number;
  /** Milliseconds until the window ends and the count starts again at zero. */
  resetInMs: number;
}

/**
 * Fixed-window counters. `hit` counts one attempt and says how many the
 * window holds so far, atomically: concurrent hits never read the same count.
 */
export interface RateLimitStore {
  hit(key: string, windowMs: number): Promise<WindowCount>;
  close(): Promise<void>;
}
