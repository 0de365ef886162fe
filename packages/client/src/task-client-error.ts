import type { AppRouter } from "@todo/api";
import { isTRPCClientError, type TRPCClientError } from "@trpc/client";

/** What a failed call throws, with this router's error shape in `data`. */
export type TaskClientError = TRPCClientError<AppRouter>;

/**
 * `isTRPCClientError` bound to the router: without the type argument its
 * `data` is `any`; with it, `data.code` is a tRPC code and `data.issues` the
 * zod issues of a BAD_REQUEST.
 */
export function isTaskClientError(error: unknown): error is TaskClientError {
  return isTRPCClientError<AppRouter>(error);
}
