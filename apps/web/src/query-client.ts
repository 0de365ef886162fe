import { MutationCache, QueryCache, QueryClient } from "@tanstack/react-query";

import { describeFailure, type ApiFailure } from "./api-failure.js";

/**
 * TanStack Query's `retry`: try again while the service is unavailable (a
 * 503, or no answer at all), at most `maxRetries` times; never after any
 * other failure, such as a 4xx, which the same request would only get again.
 */
export function retryWhileUnavailable(maxRetries = Infinity) {
  return (failureCount: number, error: unknown): boolean =>
    failureCount < maxRetries && describeFailure(error).kind === "unavailable";
}

/**
 * A change sent with an idempotency key: retried like `retryWhileUnavailable`,
 * and also while an earlier try with the same key is still being processed
 * (CONFLICT), which soon gives the first try's answer.
 */
export function retryWhileUnavailableOrInFlight(maxRetries: number, maxInFlightRetries = 20) {
  return (failureCount: number, error: unknown): boolean => {
    const { kind } = describeFailure(error);
    if (kind === "conflict") return failureCount < maxInFlightRetries;
    return failureCount < maxRetries && kind === "unavailable";
  };
}

/** How long to wait for an earlier try with the same idempotency key to finish. */
const IN_FLIGHT_DELAY_MS = 250;

/** `backoffDelay`, but a short wait when an earlier try is still in flight. */
export function changeRetryDelay(failureCount: number, error: unknown): number {
  if (describeFailure(error).kind === "conflict") return IN_FLIGHT_DELAY_MS;
  return backoffDelay(failureCount, error);
}

const nextAttempts = new WeakMap<object, number>();

/**
 * TanStack Query's `retryDelay`: 1 s, 2 s, 4 s … up to 30 s, ±20% so that
 * many clients do not retry in step. It remembers when the next attempt is
 * due, for `nextAttemptAt` to tell the user.
 */
export function backoffDelay(failureCount: number, error: unknown): number {
  const base = Math.min(1000 * 2 ** failureCount, 30_000);
  const delay = Math.round(base * (0.8 + Math.random() * 0.4));
  if (typeof error === "object" && error !== null) nextAttempts.set(error, Date.now() + delay);
  return delay;
}

/** When the attempt after the one that failed with `error` (a query's `failureReason`) is due. */
export function nextAttemptAt(error: unknown): number | null {
  return typeof error === "object" && error !== null ? (nextAttempts.get(error) ?? null) : null;
}

/**
 * The cache for one session. A refused token, from any query or change, goes
 * to `onUnauthorized` (which signs out), so no screen has to look for it.
 */
export function createQueryClient(onUnauthorized?: (failure: ApiFailure) => void): QueryClient {
  const onError = (error: unknown) => {
    const failure = describeFailure(error);
    if (failure.kind === "unauthorized") onUnauthorized?.(failure);
  };
  return new QueryClient({
    queryCache: new QueryCache({ onError }),
    mutationCache: new MutationCache({ onError }),
    defaultOptions: {
      queries: { retry: retryWhileUnavailable(), retryDelay: backoffDelay },
      // A change is retried only where it says it may be sent twice.
      mutations: { retry: false, retryDelay: changeRetryDelay },
    },
  });
}
