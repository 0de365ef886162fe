import type { AppRouter } from "@todo/api";
import { createTRPCClient, httpBatchLink, type TRPCClient } from "@trpc/client";

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
  /** The `fetch` to use, if not the global one. */
  fetch?: typeof fetch;
  /** Extra headers for every request. Authorization is getToken's alone. */
  headers?: Record<string, string>;
}

export type TaskClient = TRPCClient<AppRouter>;

export function createTaskClient(options: TaskClientOptions): TaskClient {
  const { url, getToken, fetch, headers = {} } = options;
  return createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url,
        ...(fetch ? { fetch } : {}),
        headers: async () => withBearerToken(headers, await getToken()),
      }),
    ],
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
