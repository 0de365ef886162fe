import { describeFailure, type ApiFailure } from "./api-failure.js";

export interface RetryOptions {
  /** Attempts in all, the first one included. Unlimited when absent. */
  attempts?: number;
  /** Stops waiting and retrying. */
  signal?: AbortSignal;
  /** Called before each wait, to tell the user what is going on. */
  onRetry?: (failure: ApiFailure, delayMs: number) => void;
}

/** 1 s, 2 s, 4 s … up to 30 s; ±20% so that many clients do not retry in step. */
export function backoffDelay(retry: number): number {
  const base = Math.min(1000 * 2 ** retry, 30_000);
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

/**
 * Calls `call` until it succeeds or fails for a reason other than the service
 * being unavailable (a 503, or no answer at all), waiting longer each time.
 * Throws the last error.
 */
export async function retryWhileUnavailable<T>(
  call: () => Promise<T>,
  { attempts = Infinity, signal, onRetry }: RetryOptions = {},
): Promise<T> {
  for (let retry = 0; ; retry++) {
    try {
      return await call();
    } catch (error) {
      const failure = describeFailure(error);
      if (failure.kind !== "unavailable" || retry + 1 >= attempts || signal?.aborted) throw error;
      const delayMs = backoffDelay(retry);
      onRetry?.(failure, delayMs);
      await sleep(delayMs, signal);
    }
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}
