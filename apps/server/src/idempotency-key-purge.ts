import { purgeExpiredIdempotencyKeys, type TaskStore } from "@todo/db";
import type { Logger } from "pino";

/** How often the server removes expired idempotency keys. */
export const IDEMPOTENCY_KEY_PURGE_INTERVAL_MS = 3_600_000;

/**
 * Idempotency keys past their 24 hours are already treated as new; this
 * removes their rows, at once (a server that was down a while finds a
 * backlog) and then every `intervalMs`: harmless when several workers do it.
 * A failed run is logged, and the next one tries again. Returns how to stop.
 */
export function startIdempotencyKeyPurge(
  store: TaskStore,
  logger: Logger,
  intervalMs = IDEMPOTENCY_KEY_PURGE_INTERVAL_MS,
): () => void {
  const purge = () => {
    void purgeExpiredIdempotencyKeys(store).then(
      (removed) => logger.debug({ removed }, "removed expired idempotency keys"),
      (error: unknown) => logger.warn({ err: error }, "could not remove expired idempotency keys"),
    );
  };
  purge();
  const timer = setInterval(purge, intervalMs).unref();
  return () => clearInterval(timer);
}
