import { createDatabase, type Database } from "@todo/db";
import { createTestDatabase, type TestDatabase } from "@todo/db/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

import { loadConfig } from "../src/env.js";
import { createLogger } from "../src/logging.js";
import { databaseOptions } from "../src/server.js";
import { startTcpProxy, type TcpProxy } from "./tcp-proxy.js";
import { startTestApp, type TestApp } from "./test-app.js";

// The server reaches PostgreSQL through a proxy the tests break. The pool is
// built with the server's own settings (`databaseOptions` over the default
// config), so these timings are the ones production gets.

const FAIL_FAST_MS = 2_500;
const RECOVERY_MS = 5_000;
const HANG_GUARD_MS = 10_000;

let database: TestDatabase;
let proxy: TcpProxy;
let db: Database;
let app: TestApp;
let token: string;
let taskBeforeOutage: Record<string, unknown> & { id: string };
const statuses: number[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  const target = new URL(database.url);
  proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port) });
  const config = loadConfig({ NODE_ENV: "test" });
  db = createDatabase(
    proxy.rewrite(database.url),
    databaseOptions(config, createLogger({ level: "silent" })),
  );
  app = await startTestApp({ db });
  token = await app.token("alice");
});

afterEach(() => proxy.restore());

afterAll(async () => {
  await app.close();
  await db.$disconnect();
  await proxy.close();
  await database.drop();
});

interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
  elapsedMs: number;
}

async function request(path: string, init: RequestInit = {}): Promise<Answer> {
  const started = performance.now();
  const res = await fetch(`${app.url}${path}`, {
    ...init,
    headers: {
      authorization: `Bearer ${token}`,
      "content-type": "application/json",
      ...init.headers,
    },
    signal: AbortSignal.timeout(HANG_GUARD_MS),
  });
  const body: unknown = await res.json();
  statuses.push(res.status);
  return { status: res.status, headers: res.headers, body, elapsedMs: performance.now() - started };
}

const routes = {
  "GET /api/{user_id}/tasks": () => request("/api/alice/tasks"),
  "POST /api/{user_id}/tasks": () =>
    request("/api/alice/tasks", {
      method: "POST",
      body: JSON.stringify({ title: "During the outage" }),
    }),
  "tRPC task.list": () => request("/trpc/task.list"),
  "GET /health": () => request("/health"),
};

async function callEveryRoute(): Promise<Record<keyof typeof routes, Answer>> {
  const names = Object.keys(routes) as Array<keyof typeof routes>;
  const answers = await Promise.all(names.map((name) => routes[name]()));
  return Object.fromEntries(names.map((name, i) => [name, answers[i]!])) as Record<
    keyof typeof routes,
    Answer
  >;
}

function expectServiceUnavailable(answers: Record<keyof typeof routes, Answer>): void {
  for (const [name, answer] of Object.entries(answers)) {
    expect(answer.status, name).toBe(503);
    expect(answer.elapsedMs, name).toBeLessThan(FAIL_FAST_MS);
  }
  for (const rest of [answers["GET /api/{user_id}/tasks"], answers["POST /api/{user_id}/tasks"]]) {
    expect(rest.body).toEqual({ detail: "Service unavailable" });
    expect(rest.headers.get("retry-after")).toMatch(/^\d+$/);
  }
  const trpc = answers["tRPC task.list"];
  expect(trpc.body).toMatchObject({
    error: { data: { code: "SERVICE_UNAVAILABLE", httpStatus: 503 } },
  });
  expect(trpc.headers.get("retry-after")).toMatch(/^\d+$/);
  expect(answers["GET /health"].body).toEqual({ status: "unavailable", database: "unavailable" });
}

/** Polls until the task list answers 200; returns how long that took. */
async function timeToRecovery(): Promise<number> {
  const restored = performance.now();
  for (;;) {
    const answer = await request("/api/alice/tasks");
    const elapsed = performance.now() - restored;
    if (answer.status === 200) return elapsed;
    if (elapsed > RECOVERY_MS * 2) return elapsed;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function expectTaskBeforeOutageIntact(): Promise<void> {
  const answer = await request(`/api/alice/tasks/${taskBeforeOutage.id}`);
  expect(answer.status).toBe(200);
  expect(answer.body).toEqual(taskBeforeOutage);
}

describe("while the database is reachable", () => {
  it("answers 200 on every route", async () => {
    const created = await request("/api/alice/tasks", {
      method: "POST",
      body: JSON.stringify({ title: "Written before the outage", tags: ["keep"] }),
    });
    expect(created.status).toBe(201);
    taskBeforeOutage = created.body as typeof taskBeforeOutage;

    const answers = await callEveryRoute();
    expect(answers["GET /api/{user_id}/tasks"].status).toBe(200);
    expect(answers["POST /api/{user_id}/tasks"].status).toBe(201);
    expect(answers["tRPC task.list"].status).toBe(200);
    expect(answers["GET /health"]).toMatchObject({
      status: 200,
      body: { status: "ok", database: "ok" },
    });
  });
});

const outages = [
  { name: "the connection is cut", breakIt: () => proxy.cut() },
  { name: "the network black-holes every byte", breakIt: () => proxy.blackHole() },
];

describe.each(outages)("when $name", ({ breakIt }) => {
  it("answers 503 with the contract's bodies within 2 s, on every route", async () => {
    await breakIt();
    expectServiceUnavailable(await callEveryRoute());
    // A second round: the pool has given up on its old connections by now.
    expectServiceUnavailable(await callEveryRoute());
  });

  it("recovers by itself within 5 s of the database coming back, without a restart", async () => {
    await breakIt();
    expect((await request("/api/alice/tasks")).status).toBe(503);
    await proxy.restore();
    expect(await timeToRecovery()).toBeLessThan(RECOVERY_MS);

    const answers = await callEveryRoute();
    expect(answers["GET /api/{user_id}/tasks"].status).toBe(200);
    expect(answers["POST /api/{user_id}/tasks"].status).toBe(201);
    expect(answers["tRPC task.list"].status).toBe(200);
    expect(answers["GET /health"].status).toBe(200);
  });

  it("keeps the data stored before the outage", async () => {
    await expectTaskBeforeOutageIntact();
  });
});

describe("through every outage", () => {
  it("never answers 500 and logs no unhandled error", () => {
    expect(statuses.length).toBeGreaterThan(0);
    expect(statuses.filter((status) => status >= 500 && status !== 503)).toEqual([]);
    expect(app.logs.filter((line) => typeof line.level === "number" && line.level >= 50)).toEqual(
      [],
    );
  });
});
