import { createRemoteJWKSet, customFetch, errors, jwksCache } from "jose";
import type { FetchImplementation, JWKSCacheInput, JWTVerifyGetKey } from "jose";

/** The key set could not be fetched or used; says nothing about the token. */
export class KeySetUnavailableError extends Error {
  override name = "KeySetUnavailableError";
}

/**
 * Resolves a token's signing key from the remote key set. Keys are cached; an
 * unknown `kid` fetches the set again at most once per `cooldownMs` (jose's
 * `cooldownDuration`). A failed fetch is throttled the same way, so a down or
 * erroring auth server is not asked once per request.
 *
 * An unknown `kid` that arrives while the cooldown runs waits for its end and
 * is looked up once more, instead of being refused at once: Better Auth signs
 * with a new key as soon as it rotates, so the first token of that key can come
 * moments after the last fetch, and refusing it (twice, when the client asks
 * for a new token and tries again) would sign a user out. The wait is at most
 * `cooldownMs`; the fetch rate stays at most one per `cooldownMs`.
 */
export function createKeySetResolver(url: URL, cooldownMs: number): JWTVerifyGetKey {
  // jose records the time of its last successful fetch here (`uat`).
  const lastFetch = {} as JWKSCacheInput;
  const remoteKeySet = createRemoteJWKSet(url, {
    cooldownDuration: cooldownMs,
    [jwksCache]: lastFetch,
    [customFetch]: createFailureThrottledFetch(cooldownMs),
  });

  const resolveKey: JWTVerifyGetKey = async (protectedHeader, token) => {
    try {
      return await remoteKeySet(protectedHeader, token);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey) || !remoteKeySet.coolingDown) throw error;
      const fetchedAt = "uat" in lastFetch ? lastFetch.uat : Date.now();
      // One millisecond more: a timer may fire a millisecond early by Date.now().
      await sleep(fetchedAt + cooldownMs - Date.now() + 1);
      return await remoteKeySet(protectedHeader, token);
    }
  };

  return async (protectedHeader, token) => {
    try {
      return await resolveKey(protectedHeader, token);
    } catch (error) {
      if (
        error instanceof errors.JWKSNoMatchingKey ||
        error instanceof errors.JWKSMultipleMatchingKeys
      ) {
        throw error;
      }
      throw new KeySetUnavailableError(`key set unreachable: ${describeFetchError(error)}`, {
        cause: error,
      });
    }
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

function createFailureThrottledFetch(cooldownMs: number): FetchImplementation {
  let lastFailureAt = Number.NEGATIVE_INFINITY;
  return async (url, options) => {
    if (Date.now() - lastFailureAt < cooldownMs) {
      throw new KeySetUnavailableError("the last fetch failed and the cooldown has not passed");
    }
    try {
      const response = await fetch(url, options);
      if (response.status !== 200) {
        lastFailureAt = Date.now();
        await response.body?.cancel();
      }
      return response;
    } catch (error) {
      lastFailureAt = Date.now();
      throw error;
    }
  };
}

function describeFetchError(error: unknown): string {
  if (error instanceof errors.JWKSTimeout) return "request timed out";
  if (!(error instanceof Error)) return "unknown error";
  const causeCode = readErrorCode(error.cause);
  return causeCode === undefined ? error.message : `${error.message} (${causeCode})`;
}

function readErrorCode(cause: unknown): string | undefined {
  if (typeof cause !== "object" || cause === null || !("code" in cause)) return undefined;
  return typeof cause.code === "string" ? cause.code : undefined;
}
