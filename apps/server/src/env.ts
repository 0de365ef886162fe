import { isIP } from "node:net";
import { availableParallelism } from "node:os";

import { databaseTimeoutMs, postgresUrl } from "@todo/db";
import { z } from "zod";

// The only file of the server that reads the environment. Everything else is
// handed a Config.

const csv = z.string().transform((value) =>
  value
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean),
);

/** The origin of an http(s) URL, or null when `text` is not one. */
function httpOrigin(text: string): string | null {
  if (!URL.canParse(text)) return null;
  const url = new URL(text);
  return url.protocol === "http:" || url.protocol === "https:" ? url.origin : null;
}

const betterAuthUrl = z.string().transform((text, ctx) => {
  const origin = httpOrigin(text.trim());
  if (origin) return origin;
  ctx.issues.push({
    code: "custom",
    input: text,
    message:
      "is not an http(s) URL. Set it to your Better Auth server's URL, e.g. https://app.example.com",
  });
  return z.NEVER;
});

const corsOrigins = csv.transform((entries, ctx) => {
  const origins: string[] = [];
  for (const entry of entries) {
    const origin = httpOrigin(entry);
    if (origin) {
      origins.push(origin);
      continue;
    }
    ctx.issues.push({
      code: "custom",
      input: entry,
      message:
        `"${entry}" is not an origin. Write each allowed origin as scheme://host[:port], ` +
        "e.g. http://localhost:3000, separated by commas (never *)",
    });
    return z.NEVER;
  }
  return origins;
});

const bool = z
  .string()
  .transform((value) => value.trim().toLowerCase())
  .pipe(z.enum(["true", "false", "1", "0", "yes", "no"]))
  .transform((value) => value === "true" || value === "1" || value === "yes");

const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** "7d", "12h", "30m", "90s" or plain seconds ("3600"), as whole seconds. */
const duration = z.string().transform((text, ctx) => {
  const match = /^(\d+)\s*([smhd]?)$/.exec(text.trim());
  const seconds = match ? Number(match[1]) * (DURATION_UNITS[match[2] || "s"] ?? 1) : NaN;
  if (Number.isSafeInteger(seconds) && seconds >= 1 && seconds <= 365 * 86_400) return seconds;
  ctx.issues.push({
    code: "custom",
    input: text,
    message: 'must be a duration from 1 second to 365 days, such as "7d", "12h", "30m" or "3600"',
  });
  return z.NEVER;
});

const PROXY_NAMES = new Set(["loopback", "linklocal", "uniquelocal"]);

/**
 * Express's `trust proxy`: off, on (every hop; only when the proxy in front
 * overwrites X-Forwarded-For), a number of hops, or the proxies' addresses.
 */
const trustProxy = z.string().transform((text, ctx): boolean | number | string[] => {
  const value = text.trim().toLowerCase();
  if (value === "false") return false;
  if (value === "true") return true;
  if (/^\d+$/.test(value)) return Number(value) === 0 ? false : Number(value);
  const entries = value
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean);
  const valid = (entry: string) => {
    const [address = "", prefix] = entry.split("/");
    return (
      PROXY_NAMES.has(entry) ||
      (isIP(address) !== 0 && (prefix === undefined || /^\d{1,3}$/.test(prefix)))
    );
  };
  if (entries.length > 0 && entries.every(valid)) return entries;
  ctx.issues.push({
    code: "custom",
    input: text,
    message:
      "must be false, true, a number of proxies, or a comma list of their addresses (IP, CIDR, loopback, linklocal, uniquelocal)",
  });
  return z.NEVER;
});

const MIN_PRODUCTION_SECRET_LENGTH = 32;
/** PostgreSQL connections a server opens when DATABASE_POOL_SIZE is unset, all processes together. */
const DEFAULT_POOL_CONNECTIONS = 10;
/** Each process's least, so that a transaction never waits on every other request. */
const MIN_POOL_PER_PROCESS = 2;

const configSchema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    PORT: z.coerce.number().int().min(0).max(65535).default(8000),
    HOST: z.string().min(1).default("0.0.0.0"),
    DATABASE_URL: postgresUrl("to use the embedded database").optional(),
    // Behind a transaction-mode pooler (PgBouncer, Neon's -pooler host),
    // DATABASE_URL is the pooled URL and this one the database itself:
    // migrations run here, as poolers' and Prisma's docs ask.
    DIRECT_DATABASE_URL: postgresUrl("to migrate over DATABASE_URL").optional(),
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).optional(),
    // How long the server waits for PostgreSQL — for a connection, and for
    // each query's answer — before the request fails with 503 (and at start,
    // before it gives up). A database behind a dead network sends no error,
    // only silence, so this bound is what turns "hanging" into "503 within
    // ~2 s". This API's queries take milliseconds, so 2 s still leaves a busy
    // database ample headroom; raise it only for a slow link.
    DATABASE_QUERY_TIMEOUT_MS: databaseTimeoutMs,
    EMBEDDED_DB_DIR: z.string().min(1).default(".data/pglite"),
    BETTER_AUTH_SECRET: z.string().min(1).optional(),
    BETTER_AUTH_URL: betterAuthUrl.optional(),
    JWT_JWKS_URL: z.url().optional(),
    JWT_ISSUER: z.string().min(1).optional(),
    JWT_AUDIENCE: z.string().min(1).optional(),
    JWT_CLOCK_TOLERANCE_S: z.coerce.number().int().min(0).max(300).default(5),
    CORS_ORIGINS: corsOrigins.optional(),
    BODY_LIMIT_KB: z.coerce.number().int().min(1).max(10_240).default(100),
    REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1_000).default(30_000),
    SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).default(10_000),
    SHUTDOWN_DRAIN_MS: z.coerce.number().int().min(0).optional(),
    WEB_CONCURRENCY: z.coerce.number().int().min(1).max(256).optional(),
    LOCAL_AUTH: bool.default(true),
    JWT_TTL: duration.prefault("7d"),
    REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
    REDIS_KEY_PREFIX: z.string().min(1).default("todo:"),
    TRUST_PROXY: trustProxy.prefault("false"),
    AUTH_RATE_LIMIT_PER_IP: z.coerce.number().int().min(1).default(10),
    AUTH_RATE_LIMIT_PER_EMAIL: z.coerce.number().int().min(1).default(5),
    AUTH_RATE_LIMIT_WINDOW_S: z.coerce.number().int().min(1).max(86_400).default(60),
    LOG_LEVEL: z
      .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"])
      .default("info"),
    LOG_FORMAT: z.enum(["json", "pretty"]).optional(),
  })
  .superRefine((env, ctx) => {
    if (env.DIRECT_DATABASE_URL && !env.DATABASE_URL) {
      ctx.addIssue({
        code: "custom",
        path: ["DIRECT_DATABASE_URL"],
        message:
          "is set, but DATABASE_URL is not. Set DATABASE_URL to the URL the server queries " +
          "(the pooled one), or unset DIRECT_DATABASE_URL",
      });
    }
    const secretLength = env.BETTER_AUTH_SECRET?.length ?? 0;
    if (env.NODE_ENV === "production" && secretLength < MIN_PRODUCTION_SECRET_LENGTH) {
      const problem =
        secretLength === 0
          ? "is not set, and production requires it"
          : `is ${secretLength} characters long; production requires at least ${MIN_PRODUCTION_SECRET_LENGTH}`;
      ctx.addIssue({
        code: "custom",
        path: ["BETTER_AUTH_SECRET"],
        message:
          `${problem}. Set it to the secret your Better Auth frontend signs with, ` +
          "or make one with `openssl rand -base64 32`",
      });
    }
  });

export type Env = z.infer<typeof configSchema>;

export interface Config {
  env: Env["NODE_ENV"];
  port: number;
  host: string;
  databaseUrl: string | undefined;
  /** Where migrations run, when not over `databaseUrl` (a pooled URL). */
  directDatabaseUrl: string | undefined;
  databasePoolSize: number;
  databaseQueryTimeoutMs: number;
  embeddedDbDir: string;
  auth: {
    secret: string | undefined;
    jwksUrl: string | undefined;
    issuer: string | undefined;
    audience: string | undefined;
    clockToleranceSeconds: number;
  };
  /** The built-in accounts (`/auth/*`, `auth.*`). */
  localAuth: {
    enabled: boolean;
    tokenTtlSeconds: number;
    rateLimits: { perIp: number; perEmail: number; windowSeconds: number };
  };
  /** Redis for rate limits shared by several processes; unset: counted in memory. */
  redis: { url: string | undefined; keyPrefix: string };
  /** Express's `trust proxy`: whose X-Forwarded-For gives the client's address. */
  trustProxy: boolean | number | string[];
  corsOrigins: string[];
  bodyLimitBytes: number;
  requestTimeoutMs: number;
  shutdownTimeoutMs: number;
  /** After SIGTERM, how long /health answers 503 while requests are still served. */
  shutdownDrainMs: number;
  /** Worker processes sharing the port. */
  webConcurrency: number;
  logLevel: Env["LOG_LEVEL"];
  /** JSON lines, or pino-pretty's coloured lines for a person at a terminal. */
  logFormat: LogFormat;
}

export type LogFormat = NonNullable<Env["LOG_FORMAT"]>;

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Where the process runs, beyond its variables. */
export interface Surroundings {
  /** Whether stdout is a terminal, where a person reads the log. */
  stdoutIsTTY: boolean;
}

/**
 * Parses the environment into a Config, or throws a ConfigError whose message
 * is one line naming the variable, what is wrong with it and what to do.
 */
export function loadConfig(
  source: NodeJS.ProcessEnv = process.env,
  surroundings: Surroundings = { stdoutIsTTY: process.stdout.isTTY === true },
): Config {
  const input = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== ""));
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0] ?? "environment");
    throw new ConfigError(`Invalid environment variable ${name}: ${issue.message}`);
  }
  const env = parsed.data;
  const betterAuthOrigin = env.BETTER_AUTH_URL;
  // As uvicorn --workers: every core in production; one in development,
  // where reloading and one log matter more.
  const webConcurrency =
    env.WEB_CONCURRENCY ?? (env.NODE_ENV === "production" ? availableParallelism() : 1);
  // The embedded database serves one process, whatever WEB_CONCURRENCY says.
  const processes = env.DATABASE_URL ? webConcurrency : 1;
  return {
    env: env.NODE_ENV,
    port: env.PORT,
    host: env.HOST,
    databaseUrl: env.DATABASE_URL,
    directDatabaseUrl: env.DIRECT_DATABASE_URL,
    // Unset, the server's processes share DEFAULT_POOL_CONNECTIONS between
    // them: more PostgreSQL backends than that cost PostgreSQL CPU on every
    // request without serving more of them (bench/README.md).
    databasePoolSize:
      env.DATABASE_POOL_SIZE ??
      Math.max(MIN_POOL_PER_PROCESS, Math.ceil(DEFAULT_POOL_CONNECTIONS / processes)),
    databaseQueryTimeoutMs: env.DATABASE_QUERY_TIMEOUT_MS,
    embeddedDbDir: env.EMBEDDED_DB_DIR,
    auth: {
      secret: env.BETTER_AUTH_SECRET,
      jwksUrl:
        env.JWT_JWKS_URL ?? (betterAuthOrigin ? `${betterAuthOrigin}/api/auth/jwks` : undefined),
      issuer: env.JWT_ISSUER ?? betterAuthOrigin,
      audience: env.JWT_AUDIENCE ?? betterAuthOrigin,
      clockToleranceSeconds: env.JWT_CLOCK_TOLERANCE_S,
    },
    localAuth: {
      enabled: env.LOCAL_AUTH,
      tokenTtlSeconds: env.JWT_TTL,
      rateLimits: {
        perIp: env.AUTH_RATE_LIMIT_PER_IP,
        perEmail: env.AUTH_RATE_LIMIT_PER_EMAIL,
        windowSeconds: env.AUTH_RATE_LIMIT_WINDOW_S,
      },
    },
    redis: { url: env.REDIS_URL, keyPrefix: env.REDIS_KEY_PREFIX },
    trustProxy: env.TRUST_PROXY,
    corsOrigins: env.CORS_ORIGINS ?? defaultCorsOrigins(env.NODE_ENV, betterAuthOrigin),
    bodyLimitBytes: env.BODY_LIMIT_KB * 1000,
    requestTimeoutMs: env.REQUEST_TIMEOUT_MS,
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    // A load balancer needs a few health checks to take the server out of
    // rotation; in development nothing is in front of it.
    shutdownDrainMs: env.SHUTDOWN_DRAIN_MS ?? (env.NODE_ENV === "production" ? 5_000 : 0),
    webConcurrency,
    logLevel: env.LOG_LEVEL,
    logFormat:
      env.LOG_FORMAT ??
      (env.NODE_ENV === "development" && surroundings.stdoutIsTTY ? "pretty" : "json"),
  };
}

/** The web app's origin, under the name it is usually opened by. */
const WEB_APP_ORIGIN = "http://localhost:3000";

/**
 * The contract's default: the BETTER_AUTH_URL origin, else the web app's. In
 * development the web app (apps/web, port 3000) is allowed under both names a
 * browser may open it by, so http://127.0.0.1:3000 works as well.
 */
function defaultCorsOrigins(nodeEnv: Env["NODE_ENV"], betterAuthOrigin?: string): string[] {
  if (nodeEnv !== "development") return [betterAuthOrigin ?? WEB_APP_ORIGIN];
  const origins = [WEB_APP_ORIGIN, "http://127.0.0.1:3000"];
  return betterAuthOrigin && !origins.includes(betterAuthOrigin)
    ? [betterAuthOrigin, ...origins]
    : origins;
}

/**
 * The config, for an entry point: a wrong variable ends the process with its
 * one plain line (ConfigError's message) and exit code 1.
 */
export function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}
