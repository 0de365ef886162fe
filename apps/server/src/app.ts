import { createCaller, createContextInner, type LocalAuth, type TokenVerifier } from "@todo/api";
import type { Database } from "@todo/db";
import cors from "cors";
import express, { type Express, type RequestHandler } from "express";
import type { Logger } from "pino";

import type { Config } from "./env.js";
import { badRequest, errorHandler, methodNotAllowed, notFound } from "./http-errors.js";
import { defineRequestLogger, requestLogging } from "./logging.js";
import { buildOpenApiDocument } from "./openapi/document.js";
import { createDocsRouter } from "./openapi/docs-page.js";
import { refusedOriginLogger } from "./refused-origins.js";
import { createAuthRoutes } from "./rest/auth.js";
import { createTaskRouter } from "./rest/tasks.js";
import { apiSecurityHeaders } from "./security-headers.js";
import { createTrpcRoute } from "./trpc-route.js";

export interface AppDependencies {
  db: Database;
  verifier: TokenVerifier;
  /** The built-in accounts; null turns them off (LOCAL_AUTH=false). */
  localAuth: LocalAuth | null;
  logger: Logger;
  config: Pick<Config, "corsOrigins" | "bodyLimitBytes" | "trustProxy">;
  /** True while the server drains before shutting down: /health then answers 503. */
  isDraining?: () => boolean;
  /**
   * Called with each origin CORS refuses. Default: logged once per origin,
   * naming the variable that would allow it (a cluster's worker passes it to
   * its primary instead, so the server logs it once).
   */
  onRefusedOrigin?: (origin: string) => void;
}

/**
 * The whole HTTP API as an Express app, built from what it is given; touches
 * no global state. Every request is logged and gets the API's security and
 * CORS headers, then its route; every failure ends in the one error handler.
 */
export function createApp(dependencies: AppDependencies): Express {
  const { db, verifier, localAuth, logger, config } = dependencies;
  const app = express();
  app.disable("x-powered-by");
  app.disable("etag");
  // Whose X-Forwarded-For to believe for `req.ip`, the address rate limits
  // count by. Off by default: a client could otherwise name any address.
  app.set("trust proxy", config.trustProxy);

  defineRequestLogger(app.request, logger);
  app.use(requestLogging(logger));
  app.use(apiSecurityHeaders);
  app.use(
    corsHeaders(
      config.corsOrigins,
      dependencies.onRefusedOrigin ?? refusedOriginLogger(logger, config.corsOrigins),
    ),
  );
  app.use(refuseWithoutHost);
  app.use(keepUndecodablePathsAsSent);

  app.use("/trpc", createTrpcRoute(dependencies));
  app.use(createTaskRouter({ db, verifier, bodyLimitBytes: config.bodyLimitBytes }));

  const getOnly = () => {
    throw methodNotAllowed(["GET"]);
  };
  app
    .route("/health")
    .get(async (_req, res) => {
      const health = await createCaller(createContextInner({ db })).health();
      if (dependencies.isDraining?.()) {
        res
          .status(503)
          .set("Connection", "close")
          .json({ ...health, status: "unavailable" });
        return;
      }
      res.status(health.status === "ok" ? 200 : 503).json(health);
    })
    .all(getOnly);
  const openApiDocument = buildOpenApiDocument({ localAuth: localAuth !== null });
  app
    .route("/openapi.json")
    .get((_req, res) => void res.json(openApiDocument))
    .all(getOnly);
  app.use(createDocsRouter());

  if (localAuth) {
    app.use(createAuthRoutes({ db, verifier, localAuth, bodyLimitBytes: config.bodyLimitBytes }));
  }
  app.use(() => {
    throw notFound();
  });
  app.use(errorHandler(logger));
  return app;
}

/**
 * CORS for the listed origins: the caller's exact origin, credentials, the
 * API's methods and headers; other origins get no CORS headers at all, and
 * are passed to `onRefused`.
 */
function corsHeaders(
  origins: readonly string[],
  onRefused: (origin: string) => void,
): RequestHandler {
  const allowed = new Set(origins);
  return cors({
    origin: (origin, callback) => {
      if (origin === undefined || allowed.has(origin)) {
        callback(null, origin ?? false);
        return;
      }
      onRefused(origin);
      callback(null, false);
    },
    credentials: true,
    methods: ["GET", "POST", "PUT", "PATCH", "DELETE"],
    allowedHeaders: [
      "Authorization",
      "Content-Type",
      "If-Match",
      "If-None-Match",
      "Idempotency-Key",
    ],
    exposedHeaders: ["X-Total-Count", "Location", "ETag", "Idempotent-Replayed", "X-Request-Id"],
    maxAge: 600,
  });
}

/**
 * An HTTP/1.1 request without a Host header is a 400 (RFC 9112 §3.2). Node's
 * own check answers it with an empty body, so the server leaves it to this
 * one (http-server.ts).
 */
const refuseWithoutHost: RequestHandler = (req, _res, next) => {
  if (req.headers.host === undefined && req.httpVersion === "1.1") throw badRequest();
  next();
};

/**
 * Express decodes path parameters and fails a request whose %-encoding is
 * broken. The contract wants such a parameter to match nothing (a user id is
 * then a 403, a task id a 404), so a segment that does not decode is passed on
 * with its `%` escaped: its parameter is the text as sent.
 */
const keepUndecodablePathsAsSent: RequestHandler = (req, _res, next) => {
  const url = req.url;
  const queryAt = url.indexOf("?");
  const path = queryAt === -1 ? url : url.slice(0, queryAt);
  if (!path.includes("%")) {
    next();
    return;
  }
  const segments = path.split("/").map((segment) => {
    try {
      decodeURIComponent(segment);
      return segment;
    } catch {
      return segment.replaceAll("%", "%25");
    }
  });
  req.url = segments.join("/") + (queryAt === -1 ? "" : url.slice(queryAt));
  next();
};
