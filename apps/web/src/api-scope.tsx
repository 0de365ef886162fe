import { QueryClientProvider } from "@tanstack/react-query";
import type { TaskClient } from "@todo/client";
import { useEffect, useRef, useState, type ReactNode } from "react";

import type { ApiFailure } from "./api-failure.js";
import { createQueryClient } from "./query-client.js";
import { TRPCProvider } from "./trpc.js";

interface ApiScopeProps {
  /** The API client for this scope; called once. */
  createClient: () => TaskClient;
  /** A refused token: the session is over. Absent while signed out. */
  onUnauthorized?: (failure: ApiFailure) => void;
  children: ReactNode;
}

/**
 * TanStack Query and tRPC for what is inside. Keyed by the session, so each
 * session starts with an empty cache (nobody sees the last user's tasks) and
 * a client of its own.
 */
export function ApiScope({ createClient, onUnauthorized, children }: ApiScopeProps) {
  const [client] = useState(createClient);
  const onUnauthorizedRef = useRef(onUnauthorized);
  onUnauthorizedRef.current = onUnauthorized;
  // Once the session is over, its requests still under way (say, the list
  // fetched again after the change that was refused) must not sign out again.
  const mounted = useRef(false);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);
  const [queryClient] = useState(() =>
    createQueryClient((failure) => {
      if (mounted.current) onUnauthorizedRef.current?.(failure);
    }),
  );
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={client} queryClient={queryClient}>
        {children}
      </TRPCProvider>
    </QueryClientProvider>
  );
}
