import type { Logger } from "pino";

/** Origins remembered: a flood of made-up origins is not a flood of log lines. */
const MAX_ORIGINS = 100;

/** Calls `report` the first time each origin is seen (for the first 100 origins). */
export function oncePerOrigin(report: (origin: string) => void): (origin: string) => void {
  const seen = new Set<string>();
  return (origin) => {
    if (seen.has(origin) || seen.size >= MAX_ORIGINS) return;
    seen.add(origin);
    report(origin);
  };
}

/**
 * Logs an origin CORS refused, once, naming the variable that would allow
 * it: the browser's console says only that the request failed.
 */
export function refusedOriginLogger(
  logger: Logger,
  allowed: readonly string[],
): (origin: string) => void {
  return oncePerOrigin((origin) =>
    logger.warn(
      { origin, allowed: [...allowed] },
      "CORS: a browser page on this origin was refused; add it to CORS_ORIGINS to allow it",
    ),
  );
}
