import { tokenExpiresAt } from "./jwt-claims.js";

export interface TokenCache {
  /** A token that is good for a while yet, fetched only when the last one is not. */
  get(): Promise<string | null>;
  /** The API refused the token: the next `get` fetches another. */
  forget(): void;
}

export interface TokenCacheOptions {
  /** Renew a token this long before its `exp`. */
  renewBeforeMs?: number;
  now?: () => number;
}

/**
 * Keeps the token `fetchToken` gives (Better Auth's `authClient.token()`)
 * until shortly before it expires, instead of asking the auth server before
 * every API request. Calls while a fetch is under way share it. A token with
 * no `exp` is not kept.
 */
export function createTokenCache(
  fetchToken: () => Promise<string | null>,
  { renewBeforeMs = 60_000, now = Date.now }: TokenCacheOptions = {},
): TokenCache {
  let kept: { token: string; renewAt: number } | null = null;
  let fetching: Promise<string | null> | null = null;

  const fetchAndKeep = async () => {
    try {
      const token = await fetchToken();
      const expiresAt = token ? tokenExpiresAt(token) : null;
      kept = token && expiresAt !== null ? { token, renewAt: expiresAt - renewBeforeMs } : null;
      return token;
    } finally {
      fetching = null;
    }
  };

  return {
    get() {
      if (kept && now() < kept.renewAt) return Promise.resolve(kept.token);
      fetching ??= fetchAndKeep();
      return fetching;
    },
    forget() {
      kept = null;
    },
  };
}
