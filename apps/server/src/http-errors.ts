import { AuthenticationError, RateLimitedError, VersionMismatchError } from "@todo/api";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { TRPCError } from "@trpc/server";
import type { ErrorRequestHandler, Request, Response } from "express";
import { pino, type Logger } from "pino";
import { ZodError } from "zod";

import { logWithoutThrowing } from "./logging.js";
import {
  boundValidationErrors,
  toPydanticErrors,
  type Location,
  type PydanticError,
} from "./validation-errors.js";

// Every failure of the REST side becomes a status and a `{"detail": …}` body
// here, and only here. Handlers throw; they never write error responses.

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string | PydanticError[],
    readonly headers: Record<string, string> = {},
  ) {
    super(typeof detail === "string" ? detail : "Validation failed");
    this.name = "HttpError";
  }
}

export const RETRY_AFTER_SECONDS = "5";

export const notFound = () => new HttpError(404, "Not Found");
export const forbidden = () => new HttpError(403, "Access forbidden");
export const methodNotAllowed = (allow: readonly string[]) =>
  new HttpError(405, "Method Not Allowed", { Allow: allow.join(", ") });
export const unsupportedMediaType = () => new HttpError(415, "Unsupported media type");
export const malformedJson = () => new HttpError(400, "Malformed JSON body");
export const bodyTooLarge = () => new HttpError(413, "Request body too large");
export const malformedBody = () => new HttpError(400, "Malformed request body");
/** A request that is not HTTP as it must be: a broken request line or header, no Host. */
export const badRequest = () => new HttpError(400, "Bad request");
export const serviceUnavailable = () =>
  new HttpError(503, "Service unavailable", { "Retry-After": RETRY_AFTER_SECONDS });
/** A 422; every `input` echo is bounded, so the body stays small whatever was sent. */
export const validationFailed = (details: PydanticError[]) =>
  new HttpError(422, boundValidationErrors(details));
export const tooManyRequests = (cause: RateLimitedError) =>
  new HttpError(429, "Too many requests", { "Retry-After": String(cause.retryAfterSeconds) });

/** Any 401: the token's failure, or a login's "Invalid email or password". */
export function unauthorized(cause: AuthenticationError | { message: string }): HttpError {
  return new HttpError(401, cause.message, { "WWW-Authenticate": "Bearer" });
}

/**
 * What a procedure's failure means over REST. `location` and `submitted` say
 * where its input came from, for the 422 entries' `loc` and `input`.
 */
export function fromProcedureError(
  error: unknown,
  location: Location,
  submitted: unknown,
): unknown {
  if (!(error instanceof TRPCError)) return error;
  if (error.cause instanceof AuthenticationError) return unauthorized(error.cause);
  if (error.code === "UNAUTHORIZED") return unauthorized(error);
  if (error.code === "BAD_REQUEST" && error.cause instanceof ZodError) {
    return validationFailed(toPydanticErrors(error.cause.issues, location, submitted));
  }
  if (error.cause instanceof RateLimitedError) return tooManyRequests(error.cause);
  if (error.cause instanceof VersionMismatchError) {
    return new HttpError(412, "Precondition failed", { ETag: `"${error.cause.currentVersion}"` });
  }
  if (error.code === "SERVICE_UNAVAILABLE") return serviceUnavailable();
  if (error.code === "INTERNAL_SERVER_ERROR") return error;
  return new HttpError(getHTTPStatusCodeFromError(error), error.message);
}

/**
 * What a request Node's HTTP parser refuses (its `clientError`, by code) is
 * answered with; undefined for a connection that failed rather than a
 * request (ECONNRESET and the like), where there is nobody to answer.
 */
export function fromParserError(code: string | undefined): HttpError | undefined {
  switch (code) {
    case "HPE_HEADER_OVERFLOW":
      return new HttpError(431, "Request header fields too large");
    case "HPE_CHUNK_EXTENSIONS_OVERFLOW":
      return bodyTooLarge();
    case "ERR_HTTP_REQUEST_TIMEOUT":
      return new HttpError(408, "Request timeout");
  }
  return code?.startsWith("HPE_") ? badRequest() : undefined;
}

/** body-parser's errors, by their `type` (or status, where it gives none). */
function fromBodyParserError(error: unknown): HttpError | undefined {
  const { type, status } = (error ?? {}) as { type?: unknown; status?: unknown };
  switch (type) {
    case "entity.parse.failed":
      return malformedJson();
    case "entity.too.large":
      return bodyTooLarge();
    case "encoding.unsupported":
    case "charset.unsupported":
      return unsupportedMediaType();
    case "request.aborted":
    case "request.size.invalid":
    case "stream.encoding.set":
      return malformedBody();
  }
  // A body that does not decode as its Content-Encoding says (zlib's error,
  // passed on with status 400 and no type).
  if (status === 400 && error instanceof Error) return malformedJson();
  return undefined;
}

export function sendHttpError(res: Response, error: HttpError): void {
  res.status(error.status).set(error.headers).json({ detail: error.detail });
}

const INTERNAL_ERROR_BODY = JSON.stringify({ detail: "Internal server error" });

/**
 * Answers a failure: known ones with their status, anything else with a 500.
 * When even that fails (a body that cannot be serialised, a header refused),
 * the fixed 500 is sent, or, once the response has started, the connection
 * is closed: a request never takes the process down. What went wrong is
 * logged once, with the request id; a log that throws loses only that line.
 */
export function sendError(error: unknown, req: Request, res: Response, logger: Logger): void {
  const log = (fields: Record<string, unknown>, message: string) =>
    logWithoutThrowing(() => (req.log ?? logger.child({ req_id: req.id })).error(fields, message));
  if (res.headersSent) {
    log({ err: error }, "failed after the response started");
    res.destroy();
    return;
  }
  const known = error instanceof HttpError ? error : fromBodyParserError(error);
  try {
    sendHttpError(res, known ?? new HttpError(500, "Internal server error"));
  } catch (failure) {
    endWithInternalError(res);
    log(
      known
        ? { err: failure }
        : { err: error, answer_err: pino.stdSerializers.err(asError(failure)) },
      "failed to answer a failed request",
    );
    return;
  }
  if (!known) log({ err: error }, "unhandled error");
}

/**
 * A 500 with a body made in advance (the contract's, or tRPC's envelope),
 * written without a serializer that could fail again; once headers are out,
 * the connection is cut, as a half-sent answer cannot be finished with another.
 */
export function endWithInternalError(
  res: Response,
  body = INTERNAL_ERROR_BODY,
  contentType = "application/json; charset=utf-8",
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.statusCode = 500;
  res.setHeader("Content-Type", contentType);
  res.setHeader("Content-Length", Buffer.byteLength(body));
  res.end(body);
}

const asError = (thrown: unknown): Error =>
  thrown instanceof Error ? thrown : new Error(String(thrown));

/** Express's last error handler: every failure is answered by sendError. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => sendError(error, req, res, logger);
}
