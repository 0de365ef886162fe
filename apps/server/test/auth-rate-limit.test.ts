import { createServer } from "node:net";

import {
  createMemoryRateLimitStore,
  createRedisRateLimitStore,
  type RateLimitStore,
} from "@todo/api";
import { createTestDatabase, type TestDatabase } from "@todo/db/testing";
import { createDatabase, type Database } from "@todo/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createLogger } from "../src/logging.js";
import { openRateLimitStore } from "../src/server.js";
import { deleteKeysUnder, keysUnder, TEST_REDIS_URL, uniquePrefix } from "@todo/api/testing";
import { startTestApp, testLocalAuth, type TestApp } from "./test-app.js";

// One database for every app of this file: the apps differ only in how they count.
let database: TestDatabase;
let db: Database;
const openApps: TestApp[] = [];
const stores: RateLimitStore[] = [];
const prefixes: string[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDatabase(database.url, { poolSize: 8 });
});
afterAll(async () => {
  await Promise.all(openApps.map((app) => app.close()));
  await Promise.all(stores.map((store) => store.close()));
  for (const prefix of prefixes) await deleteKeysUnder(prefix);
  await db.$disconnect();
  await database.drop();
});

const LIMITS = { perIp: 4, perEmail: 3, windowSeconds: 60 };

async function appWith(store: RateLimitStore, options: { trustProxy?: number } = {}) {
  const app = await startTestApp({
    db,
    localAuth: testLocalAuth({ store, rateLimits: LIMITS }),
    trustProxy: options.trustProxy,
  });
  openApps.push(app);
  return app;
}

/** A Redis store with a client of its own, connected, counting under `prefix`. */
async function redisStore(prefix: string) {
  if (!prefixes.includes(prefix)) prefixes.push(prefix);
  const store = createRedisRateLimitStore({ url: TEST_REDIS_URL, keyPrefix: prefix });
  stores.push(store);
  expect(await store.whenReady(5_000)).toBe(true);
  return store;
}

let counter = 0;
const uniqueEmail = (label: string) => `${label}-${++counter}-${Date.now()}@example.com`;

function login(app: TestApp, email: string, headers: Record<string, string> = {}) {
  return fetch(`${app.url}/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ email, password: "wrong password" }),
  });
}

function trpcLogin(app: TestApp, email: string) {
  return fetch(`${app.url}/trpc/auth.login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password: "wrong password" }),
  });
}

async function expectTooManyRequests(res: Response) {
  expect(res.status).toBe(429);
  const retryAfter = Number(res.headers.get("retry-after"));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(LIMITS.windowSeconds);
  return res.json();
}

describe("rate limits counted in memory (one process)", () => {
  it("answers 429 'Too many requests' with Retry-After once an email is over its limit", async () => {
    const app = await appWith(createMemoryRateLimitStore());
    const email = uniqueEmail("memory");
    for (let i = 0; i < LIMITS.perEmail; i++) expect((await login(app, email)).status).toBe(401);
    expect(await expectTooManyRequests(await login(app, email))).toEqual({
      detail: "Too many requests",
    });
    expect(
      app.logs.some((line) => line.msg === "rate limited" && line.limited_by === "email"),
    ).toBe(true);
  });

  it("counts REST and /trpc calls together, and answers TOO_MANY_REQUESTS with Retry-After over /trpc", async () => {
    const app = await appWith(createMemoryRateLimitStore());
    const email = uniqueEmail("both-doors");
    expect((await login(app, email)).status).toBe(401);
    expect((await trpcLogin(app, email)).status).toBe(401);
    expect((await login(app, email)).status).toBe(401);
    const limited = await trpcLogin(app, email);
    expect(await expectTooManyRequests(limited)).toMatchObject({
      error: { message: "Too many requests", data: { code: "TOO_MANY_REQUESTS", httpStatus: 429 } },
    });
  });

  it("limits signups per address", async () => {
    const app = await appWith(createMemoryRateLimitStore());
    const signup = () =>
      fetch(`${app.url}/auth/signup`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: uniqueEmail("burst"), password: "correct horse battery" }),
      });
    for (let i = 0; i < LIMITS.perIp; i++) expect((await signup()).status).toBe(201);
    await expectTooManyRequests(await signup());
  });

  it("ignores X-Forwarded-For unless TRUST_PROXY says whose to believe", async () => {
    const direct = await appWith(createMemoryRateLimitStore());
    for (let i = 0; i < LIMITS.perIp; i++) {
      await login(direct, uniqueEmail("xff"), { "x-forwarded-for": `198.51.100.${i}` });
    }
    await expectTooManyRequests(
      await login(direct, uniqueEmail("xff"), { "x-forwarded-for": "198.51.100.200" }),
    );

    const proxied = await appWith(createMemoryRateLimitStore(), { trustProxy: 1 });
    for (let i = 0; i < LIMITS.perIp; i++) {
      await login(proxied, uniqueEmail("xff"), { "x-forwarded-for": "198.51.100.1" });
    }
    await expectTooManyRequests(
      await login(proxied, uniqueEmail("xff"), { "x-forwarded-for": "198.51.100.1" }),
    );
    const other = await login(proxied, uniqueEmail("xff"), { "x-forwarded-for": "198.51.100.2" });
    expect(other.status).toBe(401);
  });
});

describe("rate limits counted in Redis (shared by processes)", () => {
  it("are shared by two apps with their own Redis clients: the limit holds across both", async () => {
    const prefix = uniquePrefix("two-apps");
    const a = await appWith(await redisStore(prefix));
    const b = await appWith(await redisStore(prefix));
    const email = uniqueEmail("redis");
    const statuses: number[] = [];
    for (let i = 0; i < LIMITS.perEmail; i++)
      statuses.push((await login(i % 2 ? b : a, email)).status);
    expect(statuses).toEqual([401, 401, 401]);
    await expectTooManyRequests(await login(a, email));
    await expectTooManyRequests(await login(b, email));
    const keys = await keysUnder(prefix);
    expect(keys.some((key) => key.startsWith(`${prefix}login:email:`))).toBe(true);
    expect(keys.some((key) => key.startsWith(`${prefix}login:ip:`))).toBe(true);
    expect(keys.join()).not.toContain(email);
  });

  it("counts in the process's memory while Redis cannot be reached: the limit holds, no 500, and the log says so", async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    await new Promise((resolve) => server.close(resolve));

    const lines: string[] = [];
    const logger = createLogger(
      { level: "info" },
      {
        write: (line: string) => void lines.push(line),
      },
    );
    const store = await openRateLimitStore(
      { redis: { url: `redis://127.0.0.1:${port}`, keyPrefix: "unreachable:" } },
      logger,
    );
    stores.push(store);
    const app = await appWith(store);
    const email = uniqueEmail("redis-down");
    const statuses: number[] = [];
    for (let i = 0; i <= LIMITS.perEmail; i++) statuses.push((await login(app, email)).status);
    expect(statuses).toEqual([...Array<number>(LIMITS.perEmail).fill(401), 429]);
    const messages = lines.map((line) => (JSON.parse(line) as { msg: string }).msg);
    expect(messages).toContain("Redis unreachable: rate limits are counted per process");
    expect(messages).toContain("Redis rate-limit hit failed: counted in this process");
  });
});
