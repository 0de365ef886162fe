import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";

import {
  createLocalAuth,
  createMemoryRateLimitStore,
  createTokenVerifier,
  type AuthRateLimits,
  type LocalAuth,
  type PasswordHashingParams,
  type RateLimitStore,
  type TokenVerifier,
} from "@todo/api";
import { createDatabase, type Database } from "@todo/db";
import { createTestDatabase, type TestDatabase } from "@todo/db/testing";
import type { Express } from "express";
import { SignJWT } from "jose";
import type { Logger } from "pino";

import { createApp } from "../src/app.js";
import { loadConfig } from "../src/env.js";
import { createHttpServer } from "../src/http-server.js";
import { createLogger } from "../src/logging.js";
import { startServer, type RunningServer } from "../src/server.js";

export const TEST_SECRET = "test-secret-that-is-at-least-32-characters-long";

/**
 * Cheap argon2id for tests that hash often, passed explicitly; the timing
 * test uses production's parameters (the default).
 */
export const TEST_PASSWORD_HASHING: PasswordHashingParams = {
  memoryCost: 1024,
  timeCost: 1,
  parallelism: 1,
};

/**
 * How long a test app's request may wait for a pooled connection, and for an
 * answer, before it fails with 503. Under the embedded database every
 * connection shares PGlite's one session, and on a loaded 2-core machine
 * (`pnpm test` runs a PGlite in every test file) a request waits seconds in
 * line: 2 s turned into 503s in the REST suites. Production's budget is
 * DATABASE_QUERY_TIMEOUT_MS, and the outage tests set short ones of their
 * own; here it stays under the test timeout (30 s), so a stuck database is
 * still a 503 the test names.
 */
export const TEST_DATABASE_WAIT_MS = 20_000;

/** Limits no test reaches unless it means to. */
export const GENEROUS_LIMITS: AuthRateLimits = { perIp: 1000, perEmail: 1000, windowSeconds: 60 };

/** The built-in accounts as the server builds them, over TEST_SECRET. */
export function testLocalAuth(
  options: {
    rateLimits?: AuthRateLimits;
    store?: RateLimitStore;
    passwordHashing?: PasswordHashingParams;
    onRateLimitStoreError?: (error: unknown) => void;
  } = {},
): LocalAuth {
  return createLocalAuth({
    secret: TEST_SECRET,
    tokenTtlSeconds: 7 * 24 * 3600,
    rateLimitStore: options.store ?? createMemoryRateLimitStore(),
    rateLimits: options.rateLimits ?? GENEROUS_LIMITS,
    passwordHashing: options.passwordHashing ?? TEST_PASSWORD_HASHING,
    onRateLimitStoreError: options.onRateLimitStoreError,
  });
}

export interface TestApp {
  url: string;
  /** The Express app being served. */
  express: Express;
  db: Database;
  /** Every log line the app wrote, parsed. */
  logs: Array<Record<string, unknown>>;
  /** Raw log output, to check nothing secret was written. */
  rawLogs: () => string;
  token: (
    userId: string,
    options?: { expiresAt?: string | number; secret?: string },
  ) => Promise<string>;
  close: () => Promise<void>;
}

/** The app as `createApp` builds it, over a test database of its own, on a free port. */
export async function startTestApp(
  options: {
    corsOrigins?: string[];
    bodyLimitBytes?: number;
    db?: Database;
    /** Default: testLocalAuth(); null turns the accounts off, as LOCAL_AUTH=false. */
    localAuth?: LocalAuth | null;
    trustProxy?: boolean | number | string[];
    /** Default: HS256 tokens signed with TEST_SECRET. */
    verifier?: TokenVerifier;
    /** Default: a debug logger whose lines land in `logs`. */
    logger?: Logger;
    /** REQUEST_TIMEOUT_MS of the server (default 30 s). */
    requestTimeoutMs?: number;
    /** Serve this instead of the app itself (e.g. an app that mounts it). */
    serve?: (app: Express) => Express;
  } = {},
): Promise<TestApp> {
  let database: TestDatabase | undefined;
  let db = options.db;
  if (!db) {
    database = await createTestDatabase();
    db = createDatabase(database.url, {
      poolSize: 8,
      connectionTimeoutMs: TEST_DATABASE_WAIT_MS,
      queryTimeoutMs: TEST_DATABASE_WAIT_MS,
    });
  }
  const chunks: string[] = [];
  const logs: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      const text = chunk.toString();
      chunks.push(text);
      for (const line of text.split("\n").filter(Boolean)) logs.push(JSON.parse(line));
      callback();
    },
  });
  const logger = options.logger ?? createLogger({ level: "debug" }, sink);
  const app = createApp({
    db,
    verifier: options.verifier ?? createTokenVerifier({ secret: TEST_SECRET }),
    localAuth: options.localAuth === undefined ? testLocalAuth() : options.localAuth,
    logger,
    config: {
      corsOrigins: options.corsOrigins ?? ["http://localhost:3000"],
      bodyLimitBytes: options.bodyLimitBytes ?? 100_000,
      trustProxy: options.trustProxy ?? false,
    },
  });
  const server: Server = await new Promise((resolve) => {
    const served = options.serve ? options.serve(app) : app;
    const listening = createHttpServer(served, logger, {
      requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
    }).listen(0, "127.0.0.1", () => resolve(listening));
  });
  const { port } = server.address() as AddressInfo;
  const ownDb = db;
  return {
    url: `http://127.0.0.1:${port}`,
    express: app,
    db,
    logs,
    rawLogs: () => chunks.join(""),
    token: (userId, tokenOptions = {}) =>
      new SignJWT({ sub: userId })
        .setProtectedHeader({ alg: "HS256", typ: "JWT" })
        .setIssuedAt()
        .setExpirationTime(tokenOptions.expiresAt ?? "1h")
        .sign(new TextEncoder().encode(tokenOptions.secret ?? TEST_SECRET)),
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      if (database) {
        await ownDb.$disconnect();
        await database.drop();
      }
    },
  };
}

/** `text` as a body stream of `size`-byte chunks: sent chunked, with no Content-Length. */
export function inChunks(text: string, size: number): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  return new ReadableStream({
    start(controller) {
      for (let at = 0; at < bytes.length; at += size)
        controller.enqueue(bytes.slice(at, at + size));
      controller.close();
    },
  });
}

/**
 * The server as `pnpm start` runs it (startServer, one process), on a free
 * port of loopback and the given database, logging nothing.
 */
export function startQuietServer(databaseUrl: string): Promise<RunningServer> {
  const config = loadConfig({
    PORT: "0",
    HOST: "127.0.0.1",
    DATABASE_URL: databaseUrl,
    BETTER_AUTH_SECRET: TEST_SECRET,
    NODE_ENV: "test",
    LOG_LEVEL: "silent",
  });
  return startServer(config, createLogger({ level: config.logLevel }));
}
