import { appRouter, createContext, RateLimitedError } from "@todo/api";
import { TRPCError } from "@trpc/server";
import express, { type Request, type RequestHandler, type Response } from "express";

import type { AppDependencies } from "./app.js";
import { readBodyWithinLimit } from "./body-limit.js";
import { HttpError, RETRY_AFTER_SECONDS } from "./http-errors.js";
import { MAX_JSON_DEPTH, nestedDeeperThan } from "./json-depth.js";
import { checkJsonText } from "./rest/json-body.js";
import { logAuthRefusal, logWithoutThrowing } from "./logging.js";
import { createLeanTrpcMiddleware } from "./trpc-lean.js";

// /trpc is tRPC's protocol: plain JSON calls answered by trpc-lean.ts, every
// other request by tRPC's Express adapter. In front of both, body-parser
// reads a JSON body as text (decompressed, size-limited, depth-checked) and
// hands the text over as `req.body`, which the handler parses itself. A body
// body-parser refuses is not answered here: the refusal becomes the context's
// error, so tRPC answers it in its own error shape and status.

/** A refused body's error, by request, for createContext to throw. */
const refusedBodies = new WeakMap<Request, TRPCError>();

function refusal(error: unknown): TRPCError | undefined {
  const { type, status } = (error ?? {}) as { type?: unknown; status?: unknown };
  if (error instanceof HttpError && error.status === 422) return tooDeep();
  if (error instanceof HttpError && error.status === 413) {
    return new TRPCError({ code: "PAYLOAD_TOO_LARGE" });
  }
  if (type === "entity.too.large") return new TRPCError({ code: "PAYLOAD_TOO_LARGE" });
  if (type === "encoding.unsupported" || type === "charset.unsupported") {
    return new TRPCError({ code: "UNSUPPORTED_MEDIA_TYPE", message: "Unsupported media type" });
  }
  if (status === 400)
    return new TRPCError({ code: "BAD_REQUEST", message: "Malformed request body" });
  return undefined;
}

const tooDeep = () =>
  new TRPCError({
    code: "UNPROCESSABLE_CONTENT",
    message: `JSON nested deeper than ${MAX_JSON_DEPTH} levels`,
  });

/** The JSON of a call: a POST body, or a GET's `input` parameter. */
function readCallInput(bodyLimitBytes: number): RequestHandler[] {
  const readText = readBodyWithinLimit(
    bodyLimitBytes,
    express.text({ type: "application/json", limit: bodyLimitBytes, verify: checkJsonText }),
  );
  // Only the reader's own refusals are kept: an error middleware here would
  // also take every earlier middleware's error (a 400 for a missing Host,
  // say) for a refused body.
  const readCallBody: RequestHandler = (req, res, next) =>
    readText(req, res, (error?: unknown) => {
      const refused = error === undefined ? undefined : refusal(error);
      if (error !== undefined && !refused) {
        next(error);
        return;
      }
      if (refused) {
        refusedBodies.set(req, refused);
        req.body = "";
      }
      next();
    });
  const checkQueryInput: RequestHandler = (req, _res, next) => {
    // Every `input` given: tRPC reads the first of repeated ones.
    const inputs = [req.query.input].flat();
    if (
      inputs.some(
        (input) => typeof input === "string" && nestedDeeperThan(input, "utf8", MAX_JSON_DEPTH),
      )
    ) {
      refusedBodies.set(req, tooDeep());
    }
    next();
  };
  return [checkQueryInput, readCallBody];
}

/** /trpc: the request's JSON read as above, then tRPC's protocol. */
export function createTrpcRoute({
  db,
  verifier,
  localAuth,
  config,
}: Pick<AppDependencies, "db" | "verifier" | "localAuth" | "config">): RequestHandler[] {
  const handler = createLeanTrpcMiddleware({
    router: appRouter,
    // The bodies body-parser leaves unread (form data, octet streams, any
    // type but JSON) are read by tRPC's adapter: without a limit of its own
    // it would take a body of any size into memory.
    maxBodySize: config.bodyLimitBytes,
    createContext: ({ req }: { req: Request; res: Response }) => {
      const refused = refusedBodies.get(req);
      if (refused) throw refused;
      return createContext({
        db,
        localAuth,
        clientIp: req.ip ?? null,
        authorization: req.headers.authorization,
        verifier: {
          verifyBearerToken: async (header) => {
            const result = await verifier.verifyBearerToken(header);
            if (result.ok) req.userId = result.userId;
            return result;
          },
        },
      });
    },
    // A line that cannot be written fails the call, as it fails a REST
    // request: tRPC then answers INTERNAL_SERVER_ERROR and calls this again
    // with that error, whose own line must not throw, or the request would
    // be left unanswered (and its promise rejected, unhandled).
    onError: ({ error, req, path }) => {
      if (error.code === "INTERNAL_SERVER_ERROR") {
        logWithoutThrowing(() =>
          req.log.error({ err: error.cause ?? error, path }, "procedure failed"),
        );
        return;
      }
      if (logAuthRefusal(req.log, error, { path, ip: req.ip })) return;
      if (error.code === "SERVICE_UNAVAILABLE") {
        req.log.warn({ err: error.cause, path }, "database unavailable");
      }
    },
    responseMeta: ({ ctx, errors, paths }) => {
      // tRPC writes its own Vary over the one CORS set: Origin is added back
      // to it, or a cache could serve one origin's answer to another.
      const headers: Record<string, string | string[]> = { vary: ["Origin"] };
      if (ctx?.answer.replayed) headers["Idempotent-Replayed"] = "true";
      if (errors.some((error) => error.code === "UNAUTHORIZED"))
        headers["WWW-Authenticate"] = "Bearer";
      if (errors.some((error) => error.code === "SERVICE_UNAVAILABLE"))
        headers["Retry-After"] = RETRY_AFTER_SECONDS;
      const waits = errors.flatMap((error) =>
        error.cause instanceof RateLimitedError ? [error.cause.retryAfterSeconds] : [],
      );
      if (waits.length > 0) headers["Retry-After"] = String(Math.max(...waits));
      // Tokens and account details must not be kept by any cache.
      if (paths?.some((path) => path.startsWith("auth."))) headers["Cache-Control"] = "no-store";
      return { headers };
    },
  });
  return [...readCallInput(config.bodyLimitBytes), handler];
}
