import { isTaskClientError } from "@todo/client";

import { describeIssue } from "./issue-messages.js";

export type FailureKind =
  | "unauthorized"
  | "unavailable"
  | "rate-limited"
  | "invalid"
  | "conflict"
  | "not-found"
  | "unexpected";

/** A failed API call, in words a user can act on. */
export interface ApiFailure {
  kind: FailureKind;
  message: string;
  /** For "invalid": each problem in our words, with the input field it belongs to (its zod path[0]). */
  issues: readonly FieldIssue[];
}

export interface FieldIssue {
  field: string | null;
  message: string;
}

export const UNAVAILABLE_MESSAGE = "The service is unavailable right now.";

export function describeFailure(error: unknown): ApiFailure {
  if (!isTaskClientError(error)) return failure("unexpected", "Something went wrong.");
  const { data } = error;
  // No tRPC error body means no answer from the API at all: offline, refused,
  // or a proxy's error page. To the user that is the service being unavailable.
  if (!data) return failure("unavailable", UNAVAILABLE_MESSAGE);
  switch (data.code) {
    case "UNAUTHORIZED":
      return failure("unauthorized", error.message);
    case "SERVICE_UNAVAILABLE":
    case "GATEWAY_TIMEOUT":
    case "BAD_GATEWAY":
      return failure("unavailable", UNAVAILABLE_MESSAGE);
    case "TOO_MANY_REQUESTS":
      return failure("rate-limited", "Too many attempts. Wait a minute, then try again.");
    case "CONFLICT":
      return failure("conflict", error.message);
    case "NOT_FOUND":
      return failure("not-found", error.message);
    case "BAD_REQUEST":
      return {
        kind: "invalid",
        message: "Please correct the highlighted fields.",
        issues: (data.issues ?? []).map((issue) => ({
          field: typeof issue.path[0] === "string" ? issue.path[0] : null,
          message: describeIssue(issue),
        })),
      };
    case "INTERNAL_SERVER_ERROR":
      return failure("unexpected", "Something went wrong on the server. Please try again.");
    default:
      return failure("unexpected", error.message);
  }
}

/**
 * A form's view of a failure: the first message for each of its fields, and
 * one line for everything else (problems with no field of the form, or a
 * failure that is not about the input at all).
 */
export function messagesByField<F extends string>(
  failure: ApiFailure,
  fields: readonly F[],
): { fieldErrors: Partial<Record<F, string>>; formError: string | null } {
  const fieldErrors: Partial<Record<F, string>> = {};
  const others: string[] = [];
  for (const issue of failure.issues) {
    const field = fields.find((name) => name === issue.field);
    if (field === undefined) others.push(issue.message);
    else fieldErrors[field] ??= issue.message;
  }
  if (failure.kind !== "invalid") return { fieldErrors, formError: failure.message };
  return { fieldErrors, formError: others.length > 0 ? others.join(" ") : null };
}

function failure(kind: FailureKind, message: string): ApiFailure {
  return { kind, message, issues: [] };
}
