import type { AppRouter } from "@todo/api";
import {
  createTRPCClient,
  httpBatchLink,
  retryLink,
  type TRPCClient,
  type TRPCLink,
} from "@trpc/client";

type MaybePromise<T> = T | Promise<T>;

export interface TaskClientOptions {
  /** The server's tRPC endpoint, e.g. `http://localhost:8000/trpc`. */
  url: string;
  /**
   * Called before every HTTP request (one batch is one request), so a
   * refreshed token is picked up without a new client. Nothing (null,
   * undefined or "") sends the request without an Authorization header.
   */
  getToken: () => MaybePromise<string | null | undefined>;
  /**
   * For a token source that can get a new token, such as Better Auth's
   * `authClient.token()`: called when the server refuses a call's token
   * (UNAUTHORIZED), before the call is sent once more with getToken's next
   * answer. Forget the cached token here. Without it, such a call fails at
   * once; a second refusal always does.
   */
  onTokenRefused?: () => void;
  /** The `fetch` to use, if not the global one. */
  fetch?: typeof fetch;
  /** Extra headers for every request. Authorization is getToken's alone. */
  headers?: Record<string, string>;
}

export type TaskClient = TRPCClient<AppRouter>;

export function createTaskClient(options: TaskClientOptions): TaskClient {
  const { url, getToken, onTokenRefused, fetch, headers = {} } = options;
  const send = httpBatchLink<AppRouter>({
    url,
    ...(fetch ? { fetch } : {}),
    headers: async () => withBearerToken(headers, await getToken()),
  });
  const links = onTokenRefused ? [retryWithNewToken(onTokenRefused), send] : [send];
  return createTRPCClient<AppRouter>({ links });
}

/**
 * Sends a call refused for its token once more, after `onTokenRefused`. The
 * server checks the token before anything else, so the refused call changed
 * nothing, mutations included. auth.login's UNAUTHORIZED is about the
 * password, not a token: sending it again would only use up its rate limit.
 */
function retryWithNewToken(onTokenRefused: () => void): TRPCLink<AppRouter> {
  return retryLink<AppRouter>({
    retry: ({ op, error, attempts }) => {
      const tokenRefused = error.data?.code === "UNAUTHORIZED" && op.path !== "auth.login";
      if (attempts > 1 || !tokenRefused) return false;
      onTokenRefused();
      return true;
    },
  });
}

function withBearerToken(
  headers: Record<string, string>,
  token: string | null | undefined,
): Record<string, string> {
  // A stale Authorization among the extra headers must not stand in for a
  // missing token, nor be sent next to a fresh one.
  const others = Object.fromEntries(
    Object.entries(headers).filter(([name]) => name.toLowerCase() !== "authorization"),
  );
  return token ? { ...others, authorization: `Bearer ${token}` } : others;
}
