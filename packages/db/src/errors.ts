import { Prisma } from "./generated/prisma/client.js";

// "The database cannot be reached right now" reaches us in three shapes, all
// observed against a real server behind a proxy that cuts or black-holes it:
//
// - Prisma's known errors: P1001 (connection refused), P1008 (socket timeout),
//   P1017 (connection closed), P2037 (too many connections); for raw queries
//   the same failures arrive as P2010 whose driver adapter error says which
//   (`kind`, or a PostgreSQL SQLSTATE).
// - node-postgres and its pool's own errors, which the adapter passes through
//   untouched: a connection dropped mid-query, a connection attempt or a query
//   that got no answer in time. These are plain Errors known only by message.
// - Node's socket errors (ECONNREFUSED, …), anywhere in the cause chain.
//
// Everything else — a syntax error, a missing column, a constraint — is a
// bug or a bad request and must not turn into a retryable 503.

const UNAVAILABLE_PRISMA_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024", "P2037"]);

/** The driver adapter's error kinds that mean the connection, not the query, failed. */
const UNAVAILABLE_ADAPTER_KINDS = new Set([
  "DatabaseNotReachable",
  "SocketTimeout",
  "ConnectionClosed",
  "TooManyConnections",
]);

/** SQLSTATEs for a server that is shutting down, starting up or full. */
const UNAVAILABLE_SQLSTATES = new Set(["57P01", "57P02", "57P03", "53300"]);
const CONNECTION_EXCEPTION_CLASS = "08";

const UNAVAILABLE_SOCKET_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
]);

/**
 * node-postgres / pg-pool messages, verbatim. "Query read timeout" is the
 * query timeout: the query may have been merely slow, but a database that does
 * not answer in time is unavailable to this request either way.
 */
const UNAVAILABLE_DRIVER_MESSAGES = new Set([
  "Connection terminated",
  "Connection terminated unexpectedly",
  "Connection terminated due to connection timeout",
  "timeout exceeded when trying to connect",
  "timeout expired",
  "Query read timeout",
  "Client has encountered a connection error and is not queryable",
  "Client was closed and is not queryable",
  "Cannot use a pool after calling end on the pool",
]);

const MAX_DEPTH = 8;

/** Whether `error` means the database cannot be reached right now (as opposed to a bad query). */
export function isDatabaseUnavailable(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; isObject(current) && depth < MAX_DEPTH; depth++) {
    if (isUnavailableHere(current)) return true;
    current = next(current);
  }
  return false;
}

function isUnavailableHere(error: Record<string, unknown>): boolean {
  if (error instanceof Prisma.PrismaClientKnownRequestError) {
    return UNAVAILABLE_PRISMA_CODES.has(error.code);
  }
  if (error instanceof Prisma.PrismaClientInitializationError) {
    return error.errorCode !== undefined && UNAVAILABLE_PRISMA_CODES.has(error.errorCode);
  }
  const { kind, code, syscall, severity, message } = error;
  // The driver adapter's description of a failure: `{ kind, code?, … }`.
  if (typeof kind === "string") {
    if (UNAVAILABLE_ADAPTER_KINDS.has(kind)) return true;
    return kind === "postgres" && isUnavailableSqlState(code);
  }
  // A PostgreSQL error as node-postgres raises it.
  if (typeof severity === "string") return isUnavailableSqlState(code);
  if (typeof syscall === "string" && typeof code === "string") {
    return UNAVAILABLE_SOCKET_CODES.has(code);
  }
  return (
    error instanceof Error &&
    typeof message === "string" &&
    UNAVAILABLE_DRIVER_MESSAGES.has(message)
  );
}

function isUnavailableSqlState(code: unknown): boolean {
  return (
    typeof code === "string" &&
    (UNAVAILABLE_SQLSTATES.has(code) || code.startsWith(CONNECTION_EXCEPTION_CLASS))
  );
}

/** The error beneath: `cause`, or the driver adapter error Prisma keeps in `meta`. */
function next(error: Record<string, unknown>): unknown {
  if (error.cause !== undefined) return error.cause;
  const meta = error.meta;
  return isObject(meta) ? meta.driverAdapterError : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}
