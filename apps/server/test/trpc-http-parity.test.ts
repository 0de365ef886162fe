import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";

import { createTokenVerifier } from "@todo/api";
import { createDatabase, type Database } from "@todo/db";
import { createTestDatabase, type TestDatabase } from "@todo/db/testing";
import { createExpressMiddleware } from "@trpc/server/adapters/express";
import express, { type RequestHandler } from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { trpcOptions } from "../src/app.js";
import { createLogger, requestLogging } from "../src/logging.js";
import { createTrpcHandler } from "../src/trpc-http.js";
import { inChunks, startTestApp, TEST_SECRET, testLocalAuth, type TestApp } from "./test-app.js";

// /trpc answers plain requests with its own handler (src/trpc-http.ts) and
// leaves the rest to tRPC's adapter. Here both serve the same router over the
// same database, and every request below must get the same status, headers
// and body from each: the handler is tRPC's protocol, not a dialect of it.

const BODY_LIMIT = 2_000;

let database: TestDatabase;
let db: Database;
const servers: Server[] = [];
let lean: string;
let official: string;
let helper: TestApp;
let token: string;
let taskId: string;

async function serve(handler: RequestHandler): Promise<string> {
  const app = express();
  const sink = new Writable({ write: (_chunk, _encoding, callback) => callback() });
  app.use(requestLogging(createLogger({ level: "debug" }, sink)));
  app.use("/trpc", handler);
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, "127.0.0.1", () => resolve(listening));
  });
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/trpc`;
}

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDatabase(database.url, { poolSize: 4, connectionTimeoutMs: 2_000 });
  const options = () =>
    trpcOptions({
      db,
      verifier: createTokenVerifier({ secret: TEST_SECRET }),
      localAuth: testLocalAuth(),
      bodyLimitBytes: BODY_LIMIT,
    });
  lean = await serve(createTrpcHandler(options()));
  official = await serve(createExpressMiddleware(options()));
  helper = await startTestApp({ db });
  token = await helper.token("parity-user");
  for (const title of ["Buy milk", "Review the pull request", "Call the bank"]) {
    const res = await fetch(`${lean}/task.create`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ title, tags: ["home"], priority: "high" }),
    });
    taskId = ((await res.json()) as { result: { data: { id: string } } }).result.data.id;
  }
});

afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  await helper.close();
  await db.$disconnect();
  await database.drop();
});

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Headers that say how the bytes travel, not what the answer is. */
const TRANSPORT = new Set([
  "date",
  "connection",
  "keep-alive",
  "content-length",
  "transfer-encoding",
]);

async function ask(base: string, path: string, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(`${base}${path}`, init);
  const headers: Record<string, string> = {};
  res.headers.forEach((value, name) => {
    if (!TRANSPORT.has(name) && name !== "x-request-id") headers[name] = value;
  });
  return { status: res.status, headers, body: await res.text() };
}

/** Ids and times of rows created by the request itself differ between the two runs. */
const normalize = (answer: Answer): Answer => ({
  ...answer,
  body: answer.body
    .replace(/"id":"[0-9a-f-]{36}"/g, '"id":"<id>"')
    .replace(/"(createdAt|updatedAt)":"[^"]+"/g, '"$1":"<time>"'),
});

const bearer = () => ({ authorization: `Bearer ${token}` });
const json = { "content-type": "application/json" };
const input = (value: unknown) => `input=${encodeURIComponent(JSON.stringify(value))}`;

const cases: Array<[string, () => [string, RequestInit?]]> = [
  ["a query without input", () => ["/task.list", { headers: bearer() }]],
  [
    "a query with input",
    () => [`/task.list?${input({ status: "pending", sort: "title" })}`, { headers: bearer() }],
  ],
  ["a query with JSON content-type", () => ["/task.list", { headers: { ...bearer(), ...json } }]],
  ["input that is not JSON", () => ["/task.list?input=%7Bnope", { headers: bearer() }]],
  ["input zod refuses", () => [`/task.list?${input({ limit: "many" })}`, { headers: bearer() }]],
  ["no token", () => ["/task.list", {}]],
  ["a bad token", () => ["/task.list", { headers: { authorization: "Bearer abc.def.ghi" } }]],
  ["an unknown procedure", () => ["/task.nope", { headers: bearer() }]],
  ["a public query", () => ["/health", {}]],
  [
    "a query by POST",
    () => ["/task.list", { method: "POST", headers: { ...bearer(), ...json }, body: "{}" }],
  ],
  ["a mutation by GET", () => ["/task.create", { headers: bearer() }]],
  [
    "another user's task",
    () => [
      `/task.byId?${input({ id: "00000000-0000-4000-8000-000000000000" })}`,
      { headers: bearer() },
    ],
  ],
  [
    "a batch",
    () => [
      `/task.list,task.byId,health?batch=1&${input({ 1: { id: taskId } })}`,
      { headers: bearer() },
    ],
  ],
  [
    "a batch with failures (207)",
    () => [
      `/task.list,task.byId,task.nope?batch=1&${input({ 0: { limit: 0 }, 1: { id: "x" } })}`,
      { headers: bearer() },
    ],
  ],
  [
    "a batch whose input is not an object",
    () => ["/task.list,health?batch=1&input=%5B1%5D", { headers: bearer() }],
  ],
  ["a batch without a token", () => ["/task.list,health?batch=1", {}]],
  [
    "a batch mixing queries and mutations",
    () => ["/task.list,task.create?batch=1", { headers: bearer() }],
  ],
  [
    "a mutation",
    () => [
      "/task.create",
      {
        method: "POST",
        headers: { ...bearer(), ...json },
        body: JSON.stringify({ title: "Parity", dueDate: "2026-05-01" }),
      },
    ],
  ],
  [
    "a mutation with a charset",
    () => [
      "/task.create",
      {
        method: "POST",
        headers: { ...bearer(), "content-type": "Application/JSON; charset=utf-8" },
        body: '{"title":"Charset"}',
      },
    ],
  ],
  [
    "a mutation with a byte order mark",
    () => [
      "/task.create",
      { method: "POST", headers: { ...bearer(), ...json }, body: '\ufeff{"title":"BOM"}' },
    ],
  ],
  [
    "a mutation batch",
    () => [
      "/task.create,task.setCompleted?batch=1",
      {
        method: "POST",
        headers: { ...bearer(), ...json },
        body: JSON.stringify({ 0: { title: "Batched" }, 1: { id: taskId, completed: true } }),
      },
    ],
  ],
  [
    "a mutation with bad JSON",
    () => [
      "/task.create",
      { method: "POST", headers: { ...bearer(), ...json }, body: '{"title":' },
    ],
  ],
  [
    "a mutation without a body",
    () => ["/task.create", { method: "POST", headers: { ...bearer(), ...json } }],
  ],
  [
    "a mutation zod refuses",
    () => [
      "/task.create",
      {
        method: "POST",
        headers: { ...bearer(), ...json },
        body: JSON.stringify({ title: "", priority: "urgent" }),
      },
    ],
  ],
  [
    "a mutation without a token",
    () => ["/task.create", { method: "POST", headers: json, body: '{"title":"x"}' }],
  ],
  [
    "a body over the limit, with Content-Length",
    () => [
      "/task.create",
      {
        method: "POST",
        headers: { ...bearer(), ...json },
        body: JSON.stringify({ title: "x".repeat(BODY_LIMIT) }),
      },
    ],
  ],
  [
    "a body over the limit, chunked",
    () => [
      "/task.create",
      {
        method: "POST",
        headers: { ...bearer(), ...json },
        body: inChunks(JSON.stringify({ title: "y".repeat(BODY_LIMIT) }), 500),
        duplex: "half",
      } as RequestInit,
    ],
  ],
  [
    "a text/plain body",
    () => [
      "/task.create",
      {
        method: "POST",
        headers: { ...bearer(), "content-type": "text/plain" },
        body: '{"title":"x"}',
      },
    ],
  ],
  [
    "a POST without content-type",
    () => ["/task.create", { method: "POST", headers: bearer(), body: '{"title":"x"}' }],
  ],
  ["HEAD", () => ["/task.list", { method: "HEAD", headers: bearer() }]],
  [
    "a PUT",
    () => ["/task.create", { method: "PUT", headers: { ...bearer(), ...json }, body: "{}" }],
  ],
  [
    "a streaming batch (of one: a longer one answers in finishing order)",
    () => ["/task.list?batch=1", { headers: { ...bearer(), "trpc-accept": "application/jsonl" } }],
  ],
  ["a path that is not URL-encoded right", () => ["/task.%E0%A4%A", { headers: bearer() }]],
  [
    "a login that fails",
    () => [
      "/auth.login",
      {
        method: "POST",
        headers: json,
        body: JSON.stringify({ email: "nobody@example.com", password: "wrong password" }),
      },
    ],
  ],
  ["the signed-in user", () => ["/auth.me", { headers: bearer() }]],
];

describe("/trpc: the lean handler and tRPC's adapter", () => {
  it.each(cases)("answer %s the same", async (_name, request) => {
    const [path, init] = request();
    const fromLean = normalize(await ask(lean, path, init));
    const [, again] = request(); // a streamed body can be sent only once
    const fromOfficial = normalize(await ask(official, path, again));
    expect(fromLean).toEqual(fromOfficial);
  });

  it("answers plain requests itself, in one write with a Content-Length", async () => {
    for (const [path, init] of [
      ["/task.list", { headers: bearer() }],
      ["/task.list,health?batch=1", { headers: bearer() }],
      [
        "/task.create",
        { method: "POST", headers: { ...bearer(), ...json }, body: '{"title":"x"}' },
      ],
    ] as const) {
      const res = await fetch(`${lean}${path}`, init);
      expect(res.headers.get("content-length")).toBe(String((await res.arrayBuffer()).byteLength));
    }
    // tRPC's adapter streams its answer instead (chunked): the cases above compare two paths.
    const res = await fetch(`${official}/task.list`, { headers: bearer() });
    expect(res.headers.get("transfer-encoding")).toBe("chunked");
  });
});
