import { describe, expect, it } from "vitest";

import { ConfigError, loadConfig } from "../src/env.js";

describe("loadConfig: the built-in accounts' variables", () => {
  it("defaults to LOCAL_AUTH on, 7-day tokens, limits of 10/IP and 5/email a minute, memory counting, no trusted proxy", () => {
    const config = loadConfig({});
    expect(config.localAuth).toEqual({
      enabled: true,
      tokenTtlSeconds: 7 * 86_400,
      rateLimits: { perIp: 10, perEmail: 5, windowSeconds: 60 },
    });
    expect(config.redis).toEqual({ url: undefined, keyPrefix: "todo:" });
    expect(config.trustProxy).toBe(false);
  });

  it.each([
    ["false", false],
    ["0", false],
    ["no", false],
    ["FALSE", false],
    ["true", true],
    ["1", true],
  ])("reads LOCAL_AUTH=%s as %s", (value, enabled) => {
    expect(loadConfig({ LOCAL_AUTH: value }).localAuth.enabled).toBe(enabled);
  });

  it.each([
    ["7d", 604_800],
    ["12h", 43_200],
    ["30m", 1_800],
    ["90s", 90],
    ["3600", 3_600],
  ])("reads JWT_TTL=%s as %i seconds", (value, seconds) => {
    expect(loadConfig({ JWT_TTL: value }).localAuth.tokenTtlSeconds).toBe(seconds);
  });

  it.each([
    ["false", false],
    ["true", true],
    ["2", 2],
    ["0", false],
    ["loopback, 10.0.0.0/8", ["loopback", "10.0.0.0/8"]],
  ])("reads TRUST_PROXY=%s as Express's %j", (value, trustProxy) => {
    expect(loadConfig({ TRUST_PROXY: value }).trustProxy).toEqual(trustProxy);
  });

  it("reads REDIS_URL, REDIS_KEY_PREFIX and the rate-limit settings", () => {
    const config = loadConfig({
      REDIS_URL: "redis://127.0.0.1:6379/2",
      REDIS_KEY_PREFIX: "todo-staging:",
      AUTH_RATE_LIMIT_PER_IP: "20",
      AUTH_RATE_LIMIT_PER_EMAIL: "3",
      AUTH_RATE_LIMIT_WINDOW_S: "300",
    });
    expect(config.redis).toEqual({ url: "redis://127.0.0.1:6379/2", keyPrefix: "todo-staging:" });
    expect(config.localAuth.rateLimits).toEqual({ perIp: 20, perEmail: 3, windowSeconds: 300 });
  });

  it.each([
    ["LOCAL_AUTH", "maybe"],
    ["JWT_TTL", "7 days"],
    ["JWT_TTL", "0"],
    ["JWT_TTL", "400d"],
    ["REDIS_URL", "http://127.0.0.1:6379"],
    ["TRUST_PROXY", "everyone"],
    ["AUTH_RATE_LIMIT_PER_EMAIL", "0"],
  ])("refuses %s=%s with one line naming it", (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(
      new RegExp(`^Invalid environment variable ${name}: `),
    );
  });
});

describe("loadConfig: CORS_ORIGINS", () => {
  it("defaults, in development, to the web app under both names: localhost:3000 and 127.0.0.1:3000", () => {
    expect(loadConfig({}).corsOrigins).toEqual(["http://localhost:3000", "http://127.0.0.1:3000"]);
    expect(loadConfig({ NODE_ENV: "development" }).corsOrigins).toEqual([
      "http://localhost:3000",
      "http://127.0.0.1:3000",
    ]);
  });

  it("defaults, in development with BETTER_AUTH_URL, to its origin and the web app's", () => {
    expect(loadConfig({ BETTER_AUTH_URL: "https://app.example.com/auth" }).corsOrigins).toEqual([
      "https://app.example.com",
      "http://localhost:3000",
      "http://127.0.0.1:3000",
    ]);
  });

  it.each(["production", "test"])(
    "defaults, with NODE_ENV=%s, as the contract says: the BETTER_AUTH_URL origin, else http://localhost:3000",
    (nodeEnv) => {
      const secret = { BETTER_AUTH_SECRET: "x".repeat(32) };
      expect(loadConfig({ NODE_ENV: nodeEnv, ...secret }).corsOrigins).toEqual([
        "http://localhost:3000",
      ]);
      expect(
        loadConfig({ NODE_ENV: nodeEnv, BETTER_AUTH_URL: "https://app.example.com/", ...secret })
          .corsOrigins,
      ).toEqual(["https://app.example.com"]);
    },
  );

  it("reads a comma list as origins, whatever the spaces, paths and trailing slashes", () => {
    expect(
      loadConfig({ CORS_ORIGINS: " https://app.example.com/ , http://127.0.0.1:5173/app," })
        .corsOrigins,
    ).toEqual(["https://app.example.com", "http://127.0.0.1:5173"]);
  });
});

describe("loadConfig: LOG_FORMAT", () => {
  it.each([
    [{}, true, "pretty"],
    [{}, false, "json"],
    [{ NODE_ENV: "test" }, true, "json"],
    [{ NODE_ENV: "production", BETTER_AUTH_SECRET: "x".repeat(32) }, true, "json"],
    [{ LOG_FORMAT: "pretty" }, false, "pretty"],
    [{ NODE_ENV: "test", LOG_FORMAT: "pretty" }, false, "pretty"],
    [{ LOG_FORMAT: "json" }, true, "json"],
  ])("reads %j with stdout a terminal: %s as %s", (env, stdoutIsTTY, format) => {
    expect(loadConfig(env, { stdoutIsTTY }).logFormat).toBe(format);
  });

  it("refuses a format it does not know, naming it", () => {
    expect(() => loadConfig({ LOG_FORMAT: "text" })).toThrow(
      /^Invalid environment variable LOG_FORMAT: /,
    );
  });
});

describe("loadConfig: the database's variables", () => {
  it("migrates over DATABASE_URL unless DIRECT_DATABASE_URL names the database itself", () => {
    const pooled = "postgresql://app:secret@ep-x-pooler.example.com/todo?sslmode=require";
    const direct = "postgresql://app:secret@ep-x.example.com/todo?sslmode=require";
    expect(loadConfig({ DATABASE_URL: pooled })).toMatchObject({
      databaseUrl: pooled,
      directDatabaseUrl: undefined,
    });
    expect(loadConfig({ DATABASE_URL: pooled, DIRECT_DATABASE_URL: direct })).toMatchObject({
      databaseUrl: pooled,
      directDatabaseUrl: direct,
    });
  });
});

describe("loadConfig: DATABASE_POOL_SIZE", () => {
  const url = "postgresql://app@db.example.com/todo";

  it("shares 10 connections between the workers when unset, at least 2 each", () => {
    const pool = (env: Record<string, string>) => loadConfig(env).databasePoolSize;
    expect(pool({ DATABASE_URL: url, WEB_CONCURRENCY: "1" })).toBe(10);
    expect(pool({ DATABASE_URL: url, WEB_CONCURRENCY: "2" })).toBe(5);
    expect(pool({ DATABASE_URL: url, WEB_CONCURRENCY: "3" })).toBe(4);
    expect(pool({ DATABASE_URL: url, WEB_CONCURRENCY: "8" })).toBe(2);
    // The embedded database runs one process, whatever WEB_CONCURRENCY says.
    expect(pool({ WEB_CONCURRENCY: "4" })).toBe(10);
  });

  it("is each process's pool when set", () => {
    expect(
      loadConfig({ DATABASE_URL: url, WEB_CONCURRENCY: "4", DATABASE_POOL_SIZE: "10" })
        .databasePoolSize,
    ).toBe(10);
  });
});

describe("loadConfig: a wrong variable says what is wrong and what to do", () => {
  it.each([
    [
      { DATABASE_URL: "mysql://root:hunter2@localhost/todo" },
      "Invalid environment variable DATABASE_URL: must be a PostgreSQL URL such as postgresql://user:password@localhost:5432/todo, not mysql://…. Point it at a PostgreSQL server, or unset it to use the embedded database",
    ],
    [
      {
        DATABASE_URL: "postgresql://app@db-pooler.example.com/todo",
        DIRECT_DATABASE_URL: "mysql://root:hunter2@db.example.com/todo",
      },
      "Invalid environment variable DIRECT_DATABASE_URL: must be a PostgreSQL URL such as postgresql://user:password@localhost:5432/todo, not mysql://…. Point it at a PostgreSQL server, or unset it to migrate over DATABASE_URL",
    ],
    [
      { DIRECT_DATABASE_URL: "postgresql://owner@db.example.com/todo" },
      "Invalid environment variable DIRECT_DATABASE_URL: is set, but DATABASE_URL is not. Set DATABASE_URL to the URL the server queries (the pooled one), or unset DIRECT_DATABASE_URL",
    ],
    [
      { DATABASE_URL: "postgresql://localhost:port/todo" },
      "Invalid environment variable DATABASE_URL: is not a valid URL. Write it as postgresql://user:password@host:5432/database, with special characters in the password percent-encoded (@ as %40)",
    ],
    [
      { BETTER_AUTH_URL: "app.example.com" },
      "Invalid environment variable BETTER_AUTH_URL: is not an http(s) URL. Set it to your Better Auth server's URL, e.g. https://app.example.com",
    ],
    [
      { CORS_ORIGINS: "http://localhost:3000,localhost:5173" },
      'Invalid environment variable CORS_ORIGINS: "localhost:5173" is not an origin. Write each allowed origin as scheme://host[:port], e.g. http://localhost:3000, separated by commas (never *)',
    ],
    [
      { NODE_ENV: "production", BETTER_AUTH_SECRET: "short" },
      "Invalid environment variable BETTER_AUTH_SECRET: is 5 characters long; production requires at least 32. Set it to the secret your Better Auth frontend signs with, or make one with `openssl rand -base64 32`",
    ],
  ])("%j", (env, message) => {
    expect(() => loadConfig(env)).toThrow(new ConfigError(message));
  });
});
