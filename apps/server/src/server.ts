import { type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

import {
  createFallbackRateLimitStore,
  createLocalAuth,
  createMemoryRateLimitStore,
  createRedisRateLimitStore,
  createTokenVerifier,
  type LocalAuth,
  type RateLimitStore,
} from "@todo/api";
import {
  applyMigrations,
  checkDatabase,
  createDatabase,
  migrateNamedDatabase,
  startEmbeddedPostgres,
  type Database,
  type DatabaseOptions,
} from "@todo/db";
import type { Logger } from "pino";

import { createApp } from "./app.js";
import { createHttpServer } from "./http-server.js";
import { loadOrCreateDevSecret } from "./dev-secret.js";
import type { Config } from "./env.js";
import { startIdempotencyKeyPurge } from "./idempotency-key-purge.js";
import { listen, migrationDatabase, namedDatabaseUrl } from "./start-checks.js";

export interface RunningServer {
  url: string;
  server: Server;
  db: Database;
  /** Stops accepting, lets in-flight requests finish (up to the timeout), then closes the database. */
  close(): Promise<void>;
}

/**
 * How the server's pool talks to PostgreSQL. Waiting for a connection and for
 * a query's answer are both bounded, so a database that went silent fails a
 * request with 503 instead of hanging it.
 */
export function databaseOptions(
  config: Pick<Config, "databasePoolSize" | "databaseQueryTimeoutMs">,
  logger: Logger,
): DatabaseOptions {
  return {
    poolSize: config.databasePoolSize,
    connectionTimeoutMs: config.databaseQueryTimeoutMs,
    queryTimeoutMs: config.databaseQueryTimeoutMs,
    onPoolError: (error) => logger.warn({ err: error }, "database connection lost"),
  };
}

/**
 * Everything `pnpm start` does after reading the environment: take the port,
 * open (or start) the database, migrate it, build the app and serve it.
 *
 * The port is taken first, so that a port in use is said at once rather than
 * after the database work; until the app is ready, requests get a 503.
 */
export interface StartOptions {
  /** Apply pending migrations first (default); a cluster's primary has done it for its workers. */
  migrate?: boolean;
  /** Where login and signup attempts are counted, instead of REDIS_URL's store or memory. */
  rateLimitStore?: RateLimitStore;
  /**
   * Take the port before the database work (default), answering 503 until
   * ready. A cluster's worker listens only once ready: its primary checked
   * the port, and would hand a starting worker requests it cannot serve yet.
   */
  listenFirst?: boolean;
  /** What to do with an origin CORS refused, instead of logging it once here. */
  onRefusedOrigin?: (origin: string) => void;
}

export async function startServer(
  config: Config,
  logger: Logger,
  options: StartOptions = {},
): Promise<RunningServer> {
  const server = createHttpServer(answerWhileStarting, logger, config);
  const draining = drainOnClose(server);
  const listenFirst = options.listenFirst ?? true;
  if (listenFirst) await listen(server, config.port, config.host);

  const opened: Closers = [];
  let app;
  let drainingHealth = false;
  try {
    app = await startApp(config, logger, opened, {
      ...options,
      isDraining: () => drainingHealth,
    });
  } catch (error) {
    await closeInReverse(opened).catch(() => undefined);
    if (listenFirst) await new Promise((resolve) => server.close(resolve));
    throw error;
  }
  server.off("request", answerWhileStarting);
  server.on("request", app.handler);
  if (!listenFirst) await listen(server, config.port, config.host);
  const { port } = server.address() as AddressInfo;
  const host = config.host === "0.0.0.0" || config.host === "::" ? "localhost" : config.host;
  const url = `http://${host}:${port}`;
  logger.info({ url }, "listening");

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      // First /health says 503, so a load balancer stops sending, while
      // requests are still served; then the listener closes.
      if (config.shutdownDrainMs > 0) {
        drainingHealth = true;
        logger.info({ drain_ms: config.shutdownDrainMs }, "draining: /health answers 503");
        await new Promise((resolve) => setTimeout(resolve, config.shutdownDrainMs));
      }
      const drained = new Promise<void>((resolve) => server.close(() => resolve()));
      draining.start();
      const timer = setTimeout(() => server.closeAllConnections(), config.shutdownTimeoutMs);
      await drained;
      clearTimeout(timer);
      await closeInReverse(opened);
    })();
    return closing;
  };
  return { url, server, db: app.db, close };
}

/**
 * Makes sure the database DATABASE_URL names can serve: it answers (within
 * DATABASE_QUERY_TIMEOUT_MS) and, with `migrate`, has every migration,
 * applied over DIRECT_DATABASE_URL when set (behind a transaction-mode
 * pooler, DATABASE_URL is the pooled URL). What a person can fix fails as a
 * DatabaseSetupError or MigrationError, whose message is the one line to say.
 */
export async function prepareDatabase(
  config: Pick<Config, "directDatabaseUrl" | "databaseQueryTimeoutMs">,
  databaseUrl: string,
  logger: Logger,
  { migrate }: { migrate: boolean },
): Promise<void> {
  const migrations = migrate ? migrationDatabase(config, databaseUrl) : undefined;
  // Migrating over DATABASE_URL checks it first anyway.
  if (migrations?.variable !== "DATABASE_URL") {
    await checkDatabase(namedDatabaseUrl(config, databaseUrl));
  }
  if (!migrations) return;
  const applied = await migrateNamedDatabase(migrations, {
    log: (message) => logger.info(message),
  });
  if (applied.length === 0) logger.debug("database schema is up to date");
}

/** How to close each thing opened, in the order they were opened. */
type Closers = Array<() => Promise<unknown>>;

/** Closes every one, last opened first; then throws the first failure, if any. */
async function closeInReverse(closers: Closers): Promise<void> {
  const failures: unknown[] = [];
  for (const close of closers.splice(0).reverse()) await close().catch((e) => failures.push(e));
  if (failures.length > 0) throw failures[0];
}

/**
 * The database and the app on it. Each thing opened adds how to close it to
 * `opened`, so a failure part-way closes what was opened.
 */
async function startApp(
  config: Config,
  logger: Logger,
  opened: Closers,
  options: StartOptions & { isDraining: () => boolean },
): Promise<{ db: Database; handler: ReturnType<typeof createApp> }> {
  let databaseUrl = config.databaseUrl;
  const migrate = options.migrate ?? true;
  if (databaseUrl) {
    await prepareDatabase(config, databaseUrl, logger, { migrate });
  } else {
    logger.info({ dir: config.embeddedDbDir }, "no DATABASE_URL: starting the embedded PostgreSQL");
    const embedded = await startEmbeddedPostgres({
      dataDir: config.embeddedDbDir,
      maxConnections: config.databasePoolSize + 4,
      migrate: false,
    });
    databaseUrl = embedded.url;
    opened.push(embedded.stop);
    if (migrate) await applyMigrations(databaseUrl, { log: (message) => logger.info(message) });
  }
  const db = createDatabase(databaseUrl, databaseOptions(config, logger));
  opened.push(() => db.$disconnect());

  const stopPurge = startIdempotencyKeyPurge(db.tasks, logger);
  opened.push(() => Promise.resolve(stopPurge()));

  let secret = config.auth.secret;
  if (!secret && config.env !== "production") {
    secret = await loadOrCreateDevSecret();
    logger.warn(
      "BETTER_AUTH_SECRET is not set: accepting tokens signed with this checkout's development " +
        "secret (.data/dev-secret; `pnpm -s dev:token <user_id>` prints one). Set BETTER_AUTH_SECRET to " +
        "accept your frontend's tokens.",
    );
  }
  const verifier = createTokenVerifier({ ...config.auth, secret });
  const rateLimitStore = config.localAuth.enabled
    ? (options.rateLimitStore ?? (await openRateLimitStore(config, logger)))
    : undefined;
  if (rateLimitStore) opened.push(() => rateLimitStore.close());
  // A secret always exists here (production requires BETTER_AUTH_SECRET,
  // development made one above); tokens are minted with the very secret the
  // verifier checks, so they work on every route.
  const localAuth: LocalAuth | null =
    rateLimitStore && secret
      ? createLocalAuth({
          secret,
          tokenTtlSeconds: config.localAuth.tokenTtlSeconds,
          rateLimitStore,
          rateLimits: config.localAuth.rateLimits,
          onRateLimitStoreError: (error) =>
            logger.warn({ err: error }, "rate-limit store failed: attempt let through"),
        })
      : null;
  return {
    db,
    handler: createApp({
      db,
      verifier,
      localAuth,
      logger,
      config,
      isDraining: options.isDraining,
      onRefusedOrigin: options.onRefusedOrigin,
    }),
  };
}

/** While the server starts: what the contract says when the database cannot be reached. */
function answerWhileStarting(req: IncomingMessage, res: ServerResponse): void {
  const path = (req.url ?? "/").split("?")[0];
  const body =
    path === "/health"
      ? { status: "unavailable", database: "unavailable" }
      : { detail: "Service unavailable" };
  res.writeHead(503, { "content-type": "application/json", "retry-after": "1" });
  res.end(JSON.stringify(body));
}

/**
 * Where login and signup attempts are counted: Redis when REDIS_URL is set
 * (shared by every process using it), else this process's memory. A Redis
 * that cannot be reached neither stops the server nor fails a request: each
 * hit it fails is counted in this process's memory instead, so the limits
 * hold per process until Redis is back; the log says so.
 */
export async function openRateLimitStore(
  config: Pick<Config, "redis">,
  logger: Logger,
): Promise<RateLimitStore> {
  if (!config.redis.url) {
    logger.info("rate limits are counted in memory (one process); set REDIS_URL to share them");
    return createMemoryRateLimitStore();
  }
  const redis = createRedisRateLimitStore({
    url: config.redis.url,
    keyPrefix: `${config.redis.keyPrefix}ratelimit:`,
    onConnectionError: (error) =>
      logger.warn({ err: error }, "Redis unreachable: rate limits are counted per process"),
  });
  if (await redis.whenReady(2_000)) logger.info("rate limits are counted in Redis");
  return createFallbackRateLimitStore({
    primary: redis,
    fallback: createMemoryRateLimitStore(),
    onPrimaryError: (error) =>
      logger.warn({ err: error }, "Redis rate-limit hit failed: counted in this process"),
  });
}

/**
 * Keep-alive connections would hold `server.close()` open until they time out
 * (Node closes only the connections idle at that moment). Once draining, every
 * response that has not started says `Connection: close`, and a connection is
 * closed as soon as its last response is done. A connection that has not yet
 * sent its first request is left to send it (Node's `closeIdleConnections`
 * would reset it: a request that reached the server, lost); one that never
 * does is cut by the header timeout.
 */
function drainOnClose(server: Server): { start(): void } {
  const inFlight = new Set<ServerResponse>();
  const idleAfterAnswer = new Set<Socket>();
  let draining = false;
  const closeWhenDone = (res: ServerResponse) => {
    if (!res.headersSent) res.setHeader("Connection", "close");
  };
  server.on("connection", (socket: Socket) => {
    socket.once("close", () => idleAfterAnswer.delete(socket));
  });
  // First in line, so no handler has started the response yet.
  server.prependListener("request", (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket;
    idleAfterAnswer.delete(socket);
    inFlight.add(res);
    res.once("close", () => {
      inFlight.delete(res);
      if (draining) socket.destroySoon();
      else if (!socket.destroyed) idleAfterAnswer.add(socket);
    });
    if (draining) closeWhenDone(res);
  });
  return {
    start() {
      draining = true;
      for (const res of inFlight) closeWhenDone(res);
      for (const socket of idleAfterAnswer) socket.destroySoon();
      idleAfterAnswer.clear();
    },
  };
}
