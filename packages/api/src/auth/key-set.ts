import { createRemoteJWKSet, customFetch, errors } from "jose";
import type { FetchImplementation, JWTVerifyGetKey } from "jose";

/** The key set could not be fetched or used; says nothing about the token. */
export class KeySetUnavailableError extends Error {
  override name = "KeySetUnavailableError";
}

/**
 * Resolves a token's signing key from the remote key set. Keys are cached; an
 * unknown `kid` fetches the set again only when `cooldownMs` has passed since
 * the last successful fetch (jose's `cooldownDuration`). A failed fetch is
 * throttled the same way, so a down or erroring auth server is not asked once
 * per request.
 */
export function createKeySetResolver(url: URL, cooldownMs: number): JWTVerifyGetKey {
  const remoteKeySet = createRemoteJWKSet(url, {
    cooldownDuration: cooldownMs,
    [customFetch]: createFailureThrottledFetch(cooldownMs),
  });
  return async (protectedHeader, token) => {
    try {
      return await remoteKeySet(protectedHeader, token);
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
