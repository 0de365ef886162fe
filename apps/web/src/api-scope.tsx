import { QueryClientProvider } from "@tanstack/react-query";
import { useRef, useState, type ReactNode } from "react";

import type { ApiFailure } from "./api-failure.js";
import { createQueryClient } from "./query-client.js";
import { client } from "./task-client.js";
import { TRPCProvider } from "./trpc.js";

interface ApiScopeProps {
  /** A refused token: the session is over. Absent while signed out. */
  onUnauthorized?: (failure: ApiFailure) => void;
  children: ReactNode;
}

/**
 * TanStack Query and tRPC for what is inside. Keyed by the session, so each
 * session starts with an empty cache: nobody sees the last user's tasks.
 */
export function ApiScope({ onUnauthorized, children }: ApiScopeProps) {
  const onUnauthorizedRef = useRef(onUnauthorized);
  onUnauthorizedRef.current = onUnauthorized;
  const [queryClient] = useState(() =>
    createQueryClient((failure) => onUnauthorizedRef.current?.(failure)),
  );
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={client} queryClient={queryClient}>
        {children}
      </TRPCProvider>
    </QueryClientProvider>
  );
}
