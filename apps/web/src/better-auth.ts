import { jwtClient } from "better-auth/client/plugins";
import { createAuthClient } from "better-auth/react";

import { BetterAuthError } from "./better-auth-error.js";
import { BETTER_AUTH_URL } from "./env.js";
import { createTokenCache } from "./token-cache.js";

interface BetterFetchResult<T> {
  data: T | null;
  error: { status: number; statusText: string; message?: string; code?: string } | null;
}

/** The data of a Better Auth client call, or its error thrown as a BetterAuthError. */
export async function orThrow<T>(call: Promise<BetterFetchResult<T>>): Promise<T> {
  const { data, error } = await call.catch((cause: unknown) => {
    throw new BetterAuthError(0, undefined, cause instanceof Error ? cause.message : String(cause));
  });
  if (error || data === null) {
    throw new BetterAuthError(
      error?.status ?? 0,
      error?.code,
      error?.message || error?.statusText || "No answer",
    );
  }
  return data;
}

function createBetterAuth(baseURL: string) {
  const client = createAuthClient({ baseURL, plugins: [jwtClient()] });
  /**
   * The JWT plugin's tokens, from `authClient.token()`. They live 15
   * minutes: one is kept, and renewed a minute before it expires.
   */
  const createTokenCacheForSession = () =>
    createTokenCache(async () => {
      const { data, error } = await client.token();
      if (error?.status === 401) return null; // no session: the API will say so
      if (error || !data) throw new BetterAuthError(error?.status ?? 0, error?.code, "No token");
      return data.token;
    });
  return { client, createTokenCache: createTokenCacheForSession };
}

export type BetterAuth = ReturnType<typeof createBetterAuth>;

/**
 * Better Auth's React client with the JWT plugin, when the app was built with
 * VITE_BETTER_AUTH_URL; null when it uses the API's built-in accounts.
 */
export const betterAuth = BETTER_AUTH_URL ? createBetterAuth(BETTER_AUTH_URL) : null;
