import { isTaskClientError } from "@todo/client";

import { BetterAuthError } from "./better-auth-error.js";
import { describeIssue, type InputIssue } from "./issue-messages.js";

export type FailureKind =
  | "unauthorized"
  | "unavailable"
  | "rate-limited"
  | "invalid"
  | "conflict"
  | "changed-elsewhere"
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
export const CHANGED_ELSEWHERE_MESSAGE =
  "This task was changed elsewhere (on another device, perhaps), so nothing was changed here.";
const RATE_LIMITED_MESSAGE = "Too many attempts. Wait a minute, then try again.";

export function describeFailure(error: unknown): ApiFailure {
  if (error instanceof BetterAuthError) return describeBetterAuthError(error);
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
      return failure("rate-limited", RATE_LIMITED_MESSAGE);
    case "CONFLICT":
      return failure("conflict", error.message);
    // The task is no longer at the version the user was looking at (the error's
    // cause is not sent, so what it is now must be fetched).
    case "PRECONDITION_FAILED":
      return failure("changed-elsewhere", CHANGED_ELSEWHERE_MESSAGE);
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
 * Better Auth's refusals of a sign-up or sign-in, in the same words as the
 * API's (its defaults: passwords of 8 to 128 characters, as the API's).
 */
function describeBetterAuthError(error: BetterAuthError): ApiFailure {
  if (error.status === 0 || error.status >= 500) return failure("unavailable", UNAVAILABLE_MESSAGE);
  const problem = (issue: Omit<InputIssue, "message">): ApiFailure => ({
    kind: "invalid",
    message: "Please correct the highlighted fields.",
    issues: [
      {
        field: String(issue.path[0]),
        message: describeIssue({ ...issue, message: error.message }),
      },
    ],
  });
  switch (error.code) {
    case "INVALID_EMAIL":
      return problem({ code: "invalid_format", path: ["email"] });
    case "PASSWORD_TOO_SHORT":
      return problem({ code: "too_small", path: ["password"], minimum: 8 });
    case "PASSWORD_TOO_LONG":
      return problem({ code: "too_big", path: ["password"], maximum: 128 });
    case "USER_ALREADY_EXISTS":
    case "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL":
      return failure("conflict", "Email already registered");
    case "INVALID_EMAIL_OR_PASSWORD":
      return failure("unauthorized", "Invalid email or password");
    default:
      if (error.status === 429) return failure("rate-limited", RATE_LIMITED_MESSAGE);
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
