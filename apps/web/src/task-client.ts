import { createTaskClient, type TaskClient } from "@todo/client";

import type { BetterAuth } from "./better-auth.js";
import { API_URL } from "./env.js";
import { loadSession } from "./session.js";

const url = `${API_URL}/trpc`;

/** A client sending whatever token `getToken` gives, e.g. a pasted one on trial. */
export function createClientWithToken(getToken: () => string | null | undefined): TaskClient {
  return createTaskClient({ url, getToken });
}

/** The client of the built-in accounts: every request carries the stored session's token, if any. */
export const sessionClient = createClientWithToken(() => loadSession()?.token);

/**
 * A client for one Better Auth session: every request carries its JWT
 * plugin's token, kept until shortly before it expires and renewed once
 * when the API refuses it. One per session, so that no token of the last
 * user's is ever sent for the next.
 */
export function createBetterAuthClient(betterAuth: BetterAuth): TaskClient {
  const tokens = betterAuth.createTokenCache();
  return createTaskClient({ url, getToken: tokens.get, onTokenRefused: tokens.forget });
}
