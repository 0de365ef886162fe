import {
  appRouter,
  createCaller,
  createContext,
  createContextInner,
  RateLimitedError,
  type LocalAuth,
  type TokenVerifier,
} from "@todo/api";
import type { IncomingMessage, ServerResponse } from "node:http";

import type { Database } from "@todo/db";
import type { TRPCError } from "@trpc/server";
import cors from "cors";
import express, { type Express, type Request, type Response } from "express";
import type { Logger } from "pino";

import type { Config } from "./env.js";
import {
  errorHandler,
  methodNotAllowed,
  notFound,
  RETRY_AFTER_SECONDS,
  sendError,
} from "./http-errors.js";
import { logAuthRefusal, requestLogging } from "./logging.js";
import { buildOpenApiDocument } from "./openapi/document.js";
import { createDocsRouter } from "./openapi/docs-page.js";
import { createAuthRoutes } from "./rest/auth.js";
import { createTaskRoutes } from "./rest/tasks.js";
import { setApiSecurityHeaders } from "./security-headers.js";
import { createTrpcHandler } from "./trpc-http.js";

export interface AppDependencies {
  db: Database;
  verifier: TokenVerifier;
  /** The built-in accounts; null turns them off (LOCAL_AUTH=false). */
  localAuth: LocalAuth | null;
  logger: Logger;
  config: Pick<Config, "corsOrigins" | "bodyLimitBytes" | "trustProxy">;
}

/** A Node.js request listener: `http.createServer(app)`. */
export type App = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * The whole HTTP API, built from what it is given; touches no global state.
 * Every request is logged and gets the API's security and CORS headers; the
 * task routes are then answered directly (rest/tasks.ts says why), and
 * everything else by the Express app.
 */
export function createApp(dependencies: AppDependencies): App {
  const { db, verifier, logger, config } = dependencies;
  const logRequest = requestLogging(logger);
  const allowedOrigins = new Set(config.corsOrigins);
  const corsHeaders = cors({
    // The caller's exact origin when it is listed; otherwise no CORS headers at all.
    origin: (origin, callback) =>
      callback(null, origin !== undefined && allowedOrigins.has(origin) ? origin : false),
    credentials: true,
    methods: ["GET", "POST", "PUT", "PATCH", "DELETE"],
    allowedHeaders: ["Authorization", "Content-Type"],
    exposedHeaders: ["X-Total-Count", "Location", "X-Request-Id"],
    maxAge: 600,
  });
  const serveTaskRoute = createTaskRoutes({
    db,
    verifier,
    bodyLimitBytes: config.bodyLimitBytes,
    logger,
  });
  const app = createExpressApp(dependencies);
  return (req, res) => {
    logRequest(req, res, () => {
      setApiSecurityHeaders(res);
      // Answers a preflight (OPTIONS) itself.
      corsHeaders(req, res, (error?: unknown) => {
        if (error) sendError(error, req, res, logger);
        else if (!serveTaskRoute(req, res)) app(req, res);
      });
    });
  };
}

/** Every route but the task routes. */
function createExpressApp({ db, verifier, localAuth, logger, config }: AppDependencies): Express {
  const app = express();
  app.disable("x-powered-by");
  app.disable("etag");
  // Whose X-Forwarded-For to believe for `req.ip`, the address rate limits
  // count by. Off by default: a client could otherwise name any address.
  app.set("trust proxy", config.trustProxy);

  // First, what most of what reaches Express is: fewer layers to pass.
  app.use(
    "/trpc",
    createTrpcHandler(
      trpcOptions({ db, verifier, localAuth, bodyLimitBytes: config.bodyLimitBytes }),
    ),
  );

  const getOnly = () => {
    throw methodNotAllowed(["GET"]);
  };
  app
    .route("/health")
    .get(async (_req, res) => {
      const health = await createCaller(createContextInner({ db })).health();
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
 * What /trpc is served with: the context of each request, how failures are
 * logged, and the headers they add. The requests need `requestLogging` first.
 */
export function trpcOptions({
  db,
  verifier,
  localAuth,
  bodyLimitBytes,
}: Pick<AppDependencies, "db" | "verifier" | "localAuth"> & { bodyLimitBytes: number }) {
  return {
    router: appRouter,
    maxBodySize: bodyLimitBytes,
    createContext: ({ req }: { req: Request; res: Response }) =>
      createContext({
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
      }),
    onError: ({
      error,
      req,
      path,
    }: {
      error: TRPCError;
      req: Request;
      path: string | undefined;
    }) => {
      if (logAuthRefusal(req.log, error, { path, ip: req.ip })) return;
      if (error.code === "INTERNAL_SERVER_ERROR") {
        req.log.error({ err: error.cause ?? error, path }, "procedure failed");
      } else if (error.code === "SERVICE_UNAVAILABLE") {
        req.log.warn({ err: error.cause, path }, "database unavailable");
      }
    },
    responseMeta: ({ errors, paths }: { errors: TRPCError[]; paths?: readonly string[] }) => {
      const headers: Record<string, string> = {};
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
  };
}
