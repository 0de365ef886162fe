import { componentRef } from "./rest-json-schema.js";
import type { Header, Response } from "./types.js";

// One line per status, as the contract's error table says it. Every error body
// is `{"detail": ...}`; a 422 lists the problems the way Pydantic v2 does.

export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 412 | 413 | 415 | 422 | 429 | 503;

const retryAfter: Header = {
  description: "Seconds to wait before trying again",
  schema: { type: "integer", minimum: 0 },
};

const wwwAuthenticate: Header = {
  description: "Always `Bearer`",
  schema: { type: "string", const: "Bearer" },
};

export const wwwAuthenticateHeader = (): Record<string, Header> => ({
  "WWW-Authenticate": wwwAuthenticate,
});

/** An error response whose body is `{"detail": example}`. */
export function detailResponse(
  description: string,
  example: string,
  headers?: Response["headers"],
): Response {
  const response: Response = {
    description,
    content: {
      "application/json": { schema: componentRef("ErrorDetail"), example: { detail: example } },
    },
  };
  if (headers) response.headers = headers;
  return response;
}

const ERROR_RESPONSES: Record<ErrorStatus, Response> = {
  400: detailResponse("The body is not valid JSON", "Malformed JSON body"),
  401: detailResponse(
    "No Bearer token (`Not authenticated`), an expired one (`Token expired`), or any other bad token (`Invalid token`)",
    "Not authenticated",
    { "WWW-Authenticate": wwwAuthenticate },
  ),
  403: detailResponse("The path's user_id is not the token's user", "Access forbidden"),
  404: detailResponse(
    "No such task: it does not exist, its id is not a UUID, or it belongs to another user",
    "Task not found",
  ),
  409: detailResponse(
    "An account with this email exists already (emails are compared without regard to case)",
    "Email already registered",
  ),
  412: detailResponse(
    "If-Match lists no current version of the task (weak tags never match): nothing changed",
    "Precondition failed",
    { ETag: { description: "The task's current version", schema: { type: "string" } } },
  ),
  413: detailResponse("The body is over the size limit (default 100 kB)", "Request body too large"),
  415: detailResponse("The body is not `application/json`", "Unsupported media type"),
  422: {
    description: "Validation error: one entry per problem, as Pydantic v2 reports it",
    content: {
      "application/json": {
        schema: componentRef("HTTPValidationError"),
        example: { detail: [{ type: "missing", loc: ["body", "title"], msg: "Field required" }] },
      },
    },
  },
  429: detailResponse(
    "Too many attempts from this address or on this email; wait Retry-After seconds",
    "Too many requests",
    { "Retry-After": retryAfter },
  ),
  503: detailResponse("The database cannot be reached", "Service unavailable", {
    "Retry-After": retryAfter,
  }),
};

/**
 * The documented responses for these error statuses, in status order;
 * `specific` replaces the general wording where a route says more.
 */
export function errorResponses(
  statuses: readonly ErrorStatus[],
  specific: Partial<Record<ErrorStatus, Response>> = {},
): Record<string, Response> {
  const sorted = [...statuses].sort((a, b) => a - b);
  return Object.fromEntries(
    sorted.map((status) => [String(status), specific[status] ?? ERROR_RESPONSES[status]]),
  );
}

/** 400 on the routes that take an Idempotency-Key (all of which take a body). */
export const malformedBodyOrKey = (): Response =>
  detailResponse(
    "The body is not valid JSON (`Malformed JSON body`), or the Idempotency-Key header is not " +
      "one key of 1–255 printable ASCII characters (`Invalid Idempotency-Key`)",
    "Invalid Idempotency-Key",
  );

/** 422 on the routes that take an Idempotency-Key: the body's problems, or the key's reuse. */
export const validationFailedOrKeyReused = (): Response => ({
  description:
    "Validation error: one entry per problem, as Pydantic v2 reports it; or " +
    "`Idempotency-Key reused with a different request` (a string): the key was first used " +
    "with another method, path or body",
  content: {
    "application/json": {
      schema: { oneOf: [componentRef("HTTPValidationError"), componentRef("ErrorDetail")] },
      example: { detail: "Idempotency-Key reused with a different request" },
    },
  },
});

/** 409 on the routes that take an Idempotency-Key. */
export const idempotencyInFlight = (): Response =>
  detailResponse(
    "A request with this Idempotency-Key is still being processed: retry later",
    "A request with this Idempotency-Key is still being processed",
  );
