import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

import { AuthenticationError, InvalidCredentialsError, RateLimitedError } from "@todo/api";
import type { TRPCError } from "@trpc/server";
import type { Request } from "express";
import { pino, type DestinationStream, type Logger, type LoggerOptions } from "pino";
import pinoPretty from "pino-pretty";

import type { LogFormat } from "./env.js";

// What every request carries, whichever way it is served (Express's Request
// extends IncomingMessage, so its handlers see these too).
declare module "node:http" {
  interface IncomingMessage {
    /** The request id, also sent back as X-Request-Id. */
    id: string;
    /** A child logger that stamps every line with the request id. */
    log: Logger;
    /** The authenticated user, once known; logged with the request. */
    userId?: string;
  }
}

// Tokens never reach the log: the request line carries no headers, and these
// paths are censored wherever a header or a body might be logged by mistake.
const REDACT = [
  "req.headers.authorization",
  "req.headers.cookie",
  "headers.authorization",
  "headers.cookie",
  "authorization",
  "token",
  "password",
  "secret",
  "*.authorization",
  "*.token",
  "*.password",
  "*.secret",
];

const BASE_SETTINGS = { base: undefined, timestamp: pino.stdTimeFunctions.isoTime };

export interface LoggerSettings {
  level?: LoggerOptions["level"];
  /** JSON lines (the default), or pino-pretty's lines for a person to read. */
  format?: LogFormat;
}

/**
 * A logger writing to `destination` (default stdout). Redaction happens before
 * a line is formatted, so pretty lines are censored like JSON ones.
 */
export function createLogger(
  options: LoggerSettings = {},
  destination?: DestinationStream,
): Logger {
  const settings: LoggerOptions = {
    ...BASE_SETTINGS,
    level: options.level ?? "info",
    redact: { paths: REDACT, censor: "[redacted]" },
  };
  const target = options.format === "pretty" ? prettyStream(destination) : destination;
  return target ? pino(settings, target) : pino(settings);
}

/** The request line's fields, said in its message when pretty. */
const REQUEST_LINE_FIELDS = ["req_id", "method", "route", "status", "duration_ms"];

/**
 * pino-pretty in this process, writing synchronously: a time, a coloured
 * level and the message, and the request line as `GET /health 200 1.2 ms`.
 * Colours only when the destination is a terminal that takes them.
 */
function prettyStream(destination?: DestinationStream): DestinationStream {
  return pinoPretty({
    destination: destination ?? 1,
    sync: true,
    colorize: destination === undefined ? pinoPretty.isColorSupported : false,
    translateTime: "SYS:HH:MM:ss.l",
    ignore: REQUEST_LINE_FIELDS.join(","),
    singleLine: true,
    messageFormat: (log, messageKey) =>
      log[messageKey] === "request"
        ? `${String(log.method)} ${String(log.route)} ${String(log.status)} ${String(log.duration_ms)} ms`
        : String(log[messageKey] ?? ""),
  });
}

/**
 * The process's log on stdout. In production lines are written in batches of
 * 4 kB and at least once a second, not one write(2) per line: under load the
 * per-request write was a large share of the server's CPU (bench/README.md). `flushSync` before the
 * process exits loses nothing.
 */
export function createStdoutLogger(options: LoggerSettings & { buffered: boolean }): {
  logger: Logger;
  flushSync: () => void;
} {
  if (!options.buffered || options.format === "pretty") {
    const logger = createLogger(options);
    return { logger, flushSync: () => {} };
  }
  const destination = pino.destination({ dest: 1, sync: false, minLength: 4096 });
  const logger = createLogger(options, destination);
  setInterval(() => logger.flush(), 1000).unref();
  return {
    logger,
    flushSync: () => {
      try {
        destination.flushSync();
      } catch {
        // stdout already closed: nothing left to save
      }
    },
  };
}

/**
 * Runs `write`, a log call, where a log that throws (a destination or a
 * serializer that fails) must not end the request or the process: the
 * failure of a failure's log line has nowhere left to go.
 */
export function logWithoutThrowing(write: () => void): void {
  try {
    write();
  } catch {
    // nothing left to tell it with
  }
}

const INCOMING_ID = /^[\w.:-]{1,128}$/;

/**
 * The request line's `route`: the matched pattern (never a user's id), else
 * the path as the client sent it, mount point included (`req.url` and
 * `req.path` lose `/trpc` inside its router). Never the query string, which
 * may carry a search or a token.
 */
function routeOf(req: IncomingMessage): string {
  const { route, baseUrl, originalUrl } = req as Partial<Request>;
  if (route?.path) return `${baseUrl ?? ""}${String(route.path)}`;
  const url = originalUrl ?? req.url ?? "/";
  const query = url.indexOf("?");
  return query === -1 ? url : url.slice(0, query);
}

/**
 * `req.log` on every request of an app (Express's `app.request`): a child
 * of `logger` stamped with the request id, made the first time it is used.
 * Most requests log nothing but their request line, and making a child
 * logger runs the redaction over its bindings, on every request.
 */
export function defineRequestLogger(request: object, logger: Logger): void {
  const keep = (req: IncomingMessage, log: Logger) =>
    Object.defineProperty(req, "log", { value: log, writable: true, configurable: true });
  Object.defineProperty(request, "log", {
    configurable: true,
    get(this: IncomingMessage) {
      const log = logger.child({ req_id: this.id });
      keep(this, log);
      return log;
    },
    set(this: IncomingMessage, log: Logger) {
      keep(this, log);
    },
  });
}

/**
 * Gives each request an id (the caller's X-Request-Id when it is sane), and
 * logs one line when the response is done: method, route, status, duration,
 * request id and, once known, the user id.
 */
export function requestLogging(
  logger: Logger,
): (req: IncomingMessage, res: ServerResponse, next: () => void) => void {
  // The request line is written by a logger of its own, to the same
  // destination, without the redaction pass: its six fields are fixed and
  // none is secret, and redaction's wildcards walk every field of every line
  // (a measurable share of a request's allocations: bench/README.md).
  const requestLine = pino(
    { ...BASE_SETTINGS, level: logger.level },
    // pino's public symbol for a logger's destination; its types omit it.
    (logger as unknown as Record<symbol, DestinationStream>)[pino.symbols.streamSym],
  );
  const logs = requestLine.isLevelEnabled("info");
  return (req, res, next) => {
    const incoming = req.headers["x-request-id"];
    const id = typeof incoming === "string" && INCOMING_ID.test(incoming) ? incoming : randomUUID();
    req.id = id;
    res.setHeader("X-Request-Id", id);
    if (logs) {
      const started = process.hrtime.bigint();
      res.on("finish", () => {
        const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
        const line = {
          req_id: id,
          method: req.method,
          route: routeOf(req),
          status: res.statusCode,
          duration_ms: Math.round(durationMs * 10) / 10,
          user_id: req.userId,
        };
        try {
          requestLine.info(line, "request");
        } catch (failure) {
          // The answer is out; only its line is lost.
          logWithoutThrowing(() =>
            logger.error({ err: failure, req_id: id }, "could not log the request line"),
          );
        }
      });
    }
    next();
  };
}

/**
 * Logs a refusal that says something about the caller — a bad token, a failed
 * login, a rate limit — at warn, with why and from where; the same line over
 * /trpc and REST. Never the token, the email or the password. False for any
 * other failure, which the caller logs its own way.
 */
export function logAuthRefusal(
  log: Logger,
  error: TRPCError,
  where: { path?: string; ip?: string },
): boolean {
  const { cause } = error;
  if (cause instanceof AuthenticationError) {
    log.warn(
      { auth_failure: cause.failure, reason: cause.reason, path: where.path },
      "authentication failed",
    );
  } else if (cause instanceof InvalidCredentialsError) {
    log.warn({ reason: cause.reason, path: where.path, ip: where.ip }, "login failed");
  } else if (cause instanceof RateLimitedError) {
    log.warn(
      {
        limited_by: cause.limitedBy,
        retry_after_s: cause.retryAfterSeconds,
        path: where.path,
        ip: where.ip,
      },
      "rate limited",
    );
  } else {
    return false;
  }
  return true;
}
