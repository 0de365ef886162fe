import type { AppRouter } from "@todo/client";
import { createTRPCContext } from "@trpc/tanstack-react-query";

/**
 * tRPC for TanStack Query: `useTRPC()` gives each procedure's `queryOptions`,
 * `mutationOptions`, `queryKey` and `pathFilter`, typed by the API's router.
 */
export const { TRPCProvider, useTRPC } = createTRPCContext<AppRouter>();
