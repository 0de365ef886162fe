import { randomUUID } from "node:crypto";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";

import { createDatabase, type Database } from "@todo/db";
import { createTestDatabase, type TestDatabase } from "@todo/db/testing";
import { initTRPC, TRPCError } from "@trpc/server";
import { createExpressMiddleware } from "@trpc/server/adapters/express";
import express, { type Request, type RequestHandler } from "express";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { z } from "zod";

import type * as LeanModule from "../src/trpc-lean.js";
import {
  inChunks,
  startTestApp,
  TEST_DATABASE_WAIT_MS,
  testLocalAuth,
  type TestApp,
} from "./test-app.js";

// The gate for any @trpc/* upgrade. /trpc answers plain JSON calls with
// src/trpc-lean.ts, which is built on tRPC's internals, and every other
// request with tRPC's Express adapter. @trpc/* are pinned to one exact
// version (pnpm-workspace.yaml's catalog); before the pin moves, this file
// must pass on the new version.
//
// The app is served twice over one database: as it is, and with tRPC's
// adapter for every /trpc request (the module is swapped below, nothing else
// differs). Every request must get the same status, headers and body from
// both: the lean handler is tRPC's protocol, not a dialect of it. Then a
// router of its own takes both through what the app's router never does
// (stream-like results, a result JSON cannot hold, responseMeta's status,
// cookies and failures), comparing what onError and responseMeta are given.

const adapter = vi.hoisted(() => ({ official: false }));
vi.mock(import("../src/trpc-lean.js"), async (importOriginal) => {
  const lean = await importOriginal();
  const swapped: typeof lean.createLeanTrpcMiddleware = (options) =>
    adapter.official ? createExpressMiddleware(options) : lean.createLeanTrpcMiddleware(options);
  return { createLeanTrpcMiddleware: swapped };
});

const BODY_LIMIT = 2_000;
/** Failed logins per email before the next is TOO_MANY_REQUESTS. */
const LOGINS_PER_EMAIL = 3;

interface Pair {
  lean: TestApp;
  official: TestApp;
}

/** The app twice, with fresh built-in accounts each (rate limits counted apart). */
async function startPair(db: Database): Promise<Pair> {
  const options = () => ({
    db,
    bodyLimitBytes: BODY_LIMIT,
    localAuth: testLocalAuth({
      rateLimits: { perIp: 1000, perEmail: LOGINS_PER_EMAIL, windowSeconds: 60 },
    }),
  });
  adapter.official = false;
  const lean = await startTestApp(options());
  adapter.official = true;
  const official = await startTestApp(options());
  adapter.official = false;
  return { lean, official };
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Headers that say how the bytes travel or which request it was, not what the answer is. */
const TRANSPORT = new Set([
  "date",
  "connection",
  "keep-alive",
  "content-length",
  "transfer-encoding",
  "x-request-id",
]);

async function ask(url: string, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(url, init);
  const headers: Record<string, string> = {};
  res.headers.forEach((value, name) => {
    if (!TRANSPORT.has(name)) headers[name] = value;
  });
  const cookies = res.headers.getSetCookie();
  if (cookies.length > 0) headers["set-cookie"] = cookies.join("\n");
  return { status: res.status, headers, body: await res.text() };
}

/** Ids and times of rows each request creates for itself differ between the two. */
const normalize = (answer: Answer): Answer => ({
  ...answer,
  body: answer.body
    .replace(/"id":"[0-9a-f-]{36}"/g, '"id":"<id>"')
    .replace(/"(createdAt|updatedAt)":"[^"]+"/g, '"$1":"<time>"'),
});

/**
 * A request to send to one of the two (`trpc` is that app's /trpc URL),
 * after whatever it needs there first; called once for each.
 */
type Case = [name: string, request: (trpc: string) => Promise<[string, RequestInit?]>];

const json = { "content-type": "application/json" };
const input = (value: unknown) => `input=${encodeURIComponent(JSON.stringify(value))}`;
const nested = (depth: number) => "[".repeat(depth) + "]".repeat(depth);

describe("/trpc: the lean handler and tRPC's adapter, in the app", () => {
  let database: TestDatabase;
  let db: Database;
  let apps: Pair;
  let token: string;
  let expired: string;
  let taskId: string;
  const bearer = () => ({ authorization: `Bearer ${token}` });
  const post = (
    body: RequestInit["body"],
    headers: Record<string, string> = json,
  ): RequestInit => ({
    method: "POST",
    headers: { ...bearer(), ...headers },
    body,
  });
  /** A task of the user's, created through `trpc`: its id and version. */
  const newTask = async (trpc: string) => {
    const res = await fetch(`${trpc}/task.create`, post('{"title":"Fresh"}'));
    return ((await res.json()) as { result: { data: { id: string; version: number } } }).result
      .data;
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    db = createDatabase(database.url, {
      poolSize: 4,
      connectionTimeoutMs: TEST_DATABASE_WAIT_MS,
      queryTimeoutMs: TEST_DATABASE_WAIT_MS,
    });
    apps = await startPair(db);
    token = await apps.lean.token("parity-user");
    expired = await apps.lean.token("parity-user", {
      expiresAt: Math.floor(Date.now() / 1000) - 60,
    });
    for (const title of ["Buy milk", "Review the pull request", "Call the bank"]) {
      const res = await fetch(`${apps.lean.url}/trpc/task.create`, {
        method: "POST",
        headers: { ...bearer(), ...json },
        body: JSON.stringify({ title, tags: ["home"], priority: "high" }),
      });
      taskId = ((await res.json()) as { result: { data: { id: string } } }).result.data.id;
    }
  });

  afterAll(async () => {
    await apps.lean.close();
    await apps.official.close();
    await db.$disconnect();
    await database.drop();
  });

  const cases: Case[] = [
    // Queries
    ["a query without input", async () => ["/task.list", { headers: bearer() }]],
    [
      "a query with input",
      async () => [
        `/task.list?${input({ status: "pending", sort: "title" })}`,
        { headers: bearer() },
      ],
    ],
    ["a query with an empty input", async () => ["/task.list?input=", { headers: bearer() }]],
    [
      "a query with a JSON content-type",
      async () => ["/task.list", { headers: { ...bearer(), ...json } }],
    ],
    ["input that is not JSON", async () => ["/task.list?input=%7Bnope", { headers: bearer() }]],
    [
      "input zod refuses",
      async () => [`/task.list?${input({ limit: "many" })}`, { headers: bearer() }],
    ],
    [
      "input nested too deep",
      async () => [`/task.list?input=${encodeURIComponent(nested(100))}`, { headers: bearer() }],
    ],
    [
      "another user's task",
      async () => [
        `/task.byId?${input({ id: "00000000-0000-4000-8000-000000000000" })}`,
        { headers: bearer() },
      ],
    ],
    ["an unknown procedure", async () => ["/task.nope", { headers: bearer() }]],
    ["a public query", async () => ["/health", {}]],
    ["the signed-in user (no-store)", async () => ["/auth.me", { headers: bearer() }]],
    [
      "a request from an allowed origin (CORS)",
      async () => ["/task.list", { headers: { ...bearer(), origin: "http://localhost:3000" } }],
    ],
    // Authentication
    ["no token", async () => ["/task.list", {}]],
    [
      "a bad token",
      async () => ["/task.list", { headers: { authorization: "Bearer abc.def.ghi" } }],
    ],
    [
      "an expired token",
      async () => ["/task.list", { headers: { authorization: `Bearer ${expired}` } }],
    ],
    [
      "a mutation without a token",
      async () => ["/task.create", { method: "POST", headers: json, body: '{"title":"x"}' }],
    ],
    // Methods
    ["a query by POST", async () => ["/task.list", post("{}")]],
    ["a mutation by GET", async () => ["/task.create", { headers: bearer() }]],
    // Batches
    [
      "a batch",
      async () => [
        `/task.list,task.byId,health?batch=1&${input({ 1: { id: taskId } })}`,
        { headers: bearer() },
      ],
    ],
    [
      "a batch with failures (207)",
      async () => [
        `/task.list,task.byId,task.nope?batch=1&${input({ 0: { limit: 0 }, 1: { id: "x" } })}`,
        { headers: bearer() },
      ],
    ],
    [
      "a batch whose input is not an object",
      async () => ["/task.list,health?batch=1&input=%5B1%5D", { headers: bearer() }],
    ],
    ["a batch without a token", async () => ["/task.list,health?batch=1", {}]],
    [
      "a batch of auth and task calls",
      async () => ["/auth.me,task.list?batch=1", { headers: bearer() }],
    ],
    [
      "a batch mixing queries and mutations",
      async () => ["/task.list,task.create?batch=1", { headers: bearer() }],
    ],
    [
      "a mutation batch",
      async () => [
        "/task.create,task.setCompleted?batch=1",
        post(JSON.stringify({ 0: { title: "Batched" }, 1: { id: taskId, completed: true } })),
      ],
    ],
    // Mutations and their bodies
    [
      "a mutation",
      async () => [
        "/task.create",
        post(JSON.stringify({ title: "Parity", dueDate: "2026-05-01" })),
      ],
    ],
    [
      "a mutation with a charset",
      async () => [
        "/task.create",
        post('{"title":"Charset"}', { "content-type": "Application/JSON; charset=utf-8" }),
      ],
    ],
    [
      "a mutation in UTF-16",
      async () => [
        "/task.create",
        post(new Uint8Array(Buffer.from('{"title":"Sixteen"}', "utf16le")), {
          "content-type": "application/json; charset=utf-16le",
        }),
      ],
    ],
    [
      "a mutation with a byte order mark",
      async () => ["/task.create", post('\ufeff{"title":"BOM"}')],
    ],
    [
      // body-parser drops one, WHATWG's `Request.json()` the other.
      "a mutation with two byte order marks",
      async () => ["/task.create", post('\ufeff\ufeff{"title":"Two BOMs"}')],
    ],
    [
      "a gzip-compressed mutation",
      async () => [
        "/task.create",
        post(new Uint8Array(gzipSync('{"title":"Gzipped"}')), {
          ...json,
          "content-encoding": "gzip",
        }),
      ],
    ],
    ["a mutation with bad JSON", async () => ["/task.create", post('{"title":')]],
    [
      "a mutation without a body",
      async () => ["/task.create", { method: "POST", headers: { ...bearer(), ...json } }],
    ],
    [
      "a mutation zod refuses",
      async () => ["/task.create", post(JSON.stringify({ title: "", priority: "urgent" }))],
    ],
    [
      "an update to a version that is no longer current (PRECONDITION_FAILED)",
      async (trpc) => {
        const { id } = await newTask(trpc);
        await fetch(`${trpc}/task.update`, post(JSON.stringify({ id, title: "Changed" })));
        return ["/task.update", post(JSON.stringify({ id, title: "Stale", expectedVersion: 1 }))];
      },
    ],
    [
      "an update to the current version",
      async (trpc) => {
        const { id, version } = await newTask(trpc);
        return [
          "/task.setCompleted",
          post(JSON.stringify({ id, completed: true, expectedVersion: [version] })),
        ];
      },
    ],
    [
      "a create with a new idempotency key",
      async () => [
        "/task.create",
        post(JSON.stringify({ title: "Keyed", idempotencyKey: randomUUID() })),
      ],
    ],
    [
      "a create retried with its idempotency key (Idempotent-Replayed)",
      async (trpc) => {
        const body = JSON.stringify({ title: "Once", idempotencyKey: randomUUID() });
        await fetch(`${trpc}/task.create`, post(body));
        return ["/task.create", post(body)];
      },
    ],
    [
      "an idempotency key reused for another request (UNPROCESSABLE_CONTENT)",
      async (trpc) => {
        const idempotencyKey = randomUUID();
        await fetch(`${trpc}/task.create`, post(JSON.stringify({ title: "A", idempotencyKey })));
        return ["/task.create", post(JSON.stringify({ title: "B", idempotencyKey }))];
      },
    ],
    [
      "a retried toggle in a batch (Idempotent-Replayed)",
      async (trpc) => {
        const { id } = await newTask(trpc);
        const body = JSON.stringify({ 0: { id, idempotencyKey: randomUUID() } });
        await fetch(`${trpc}/task.toggleComplete?batch=1`, post(body));
        return ["/task.toggleComplete?batch=1", post(body)];
      },
    ],
    // What the body reader refuses
    [
      "a body over the limit, with Content-Length (PAYLOAD_TOO_LARGE)",
      async () => ["/task.create", post(JSON.stringify({ title: "x".repeat(BODY_LIMIT) }))],
    ],
    [
      "a body over the limit, chunked (PAYLOAD_TOO_LARGE)",
      async () => [
        "/task.create",
        {
          ...post(inChunks(JSON.stringify({ title: "y".repeat(BODY_LIMIT) }), 500)),
          duplex: "half",
        } as RequestInit,
      ],
    ],
    [
      "a body nested too deep (UNPROCESSABLE_CONTENT)",
      async () => ["/task.create", post(`{"title":"t","tags":${nested(100)}}`)],
    ],
    [
      "a body that is not valid UTF-8 (BAD_REQUEST)",
      async () => [
        "/task.create",
        post(new Uint8Array([...Buffer.from('{"title":"'), 0xc3, 0x28, ...Buffer.from('"}')])),
      ],
    ],
    [
      "a body that is not gzip although it says so (BAD_REQUEST)",
      async () => [
        "/task.create",
        post('{"title":"plain"}', { ...json, "content-encoding": "gzip" }),
      ],
    ],
    [
      "a charset nobody knows (UNSUPPORTED_MEDIA_TYPE)",
      async () => [
        "/task.create",
        post('{"title":"x"}', { "content-type": "application/json; charset=klingon" }),
      ],
    ],
    // The built-in accounts
    [
      "a login that fails (no-store)",
      async () => [
        "/auth.login",
        {
          method: "POST",
          headers: json,
          body: JSON.stringify({ email: "nobody@example.com", password: "wrong password" }),
        },
      ],
    ],
    [
      "a login over the rate limit (TOO_MANY_REQUESTS, Retry-After)",
      async (trpc) => {
        const init = () => ({
          method: "POST",
          headers: json,
          body: JSON.stringify({ email: "limited@example.com", password: "wrong password" }),
        });
        for (let attempt = 0; attempt < LOGINS_PER_EMAIL; attempt++) {
          await fetch(`${trpc}/auth.login`, init());
        }
        return ["/auth.login", init()];
      },
    ],
    // What tRPC's adapter answers for both
    [
      "a text/plain body",
      async () => ["/task.create", post('{"title":"x"}', { "content-type": "text/plain" })],
    ],
    [
      "a POST without content-type",
      async () => [
        "/task.create",
        { method: "POST", headers: bearer(), body: new Uint8Array(Buffer.from('{"title":"x"}')) },
      ],
    ],
    [
      "form data",
      async () => {
        const form = new FormData();
        form.set("title", "x");
        return ["/task.create", { method: "POST", headers: bearer(), body: form }];
      },
    ],
    [
      "an octet stream",
      async () => [
        "/task.create",
        post(new Uint8Array([1, 2, 3]), { "content-type": "application/octet-stream" }),
      ],
    ],
    ["HEAD", async () => ["/task.list", { method: "HEAD", headers: bearer() }]],
    ["a PUT", async () => ["/task.create", { method: "PUT", headers: { ...bearer(), ...json } }]],
    [
      "a streaming batch (of one: a longer one answers in finishing order)",
      async () => [
        "/task.list?batch=1",
        { headers: { ...bearer(), "trpc-accept": "application/jsonl" } },
      ],
    ],
    [
      "a streaming request that is not a batch",
      async () => ["/task.list", { headers: { ...bearer(), "trpc-accept": "application/jsonl" } }],
    ],
    [
      "connection params",
      async () => [
        `/task.list?connectionParams=1&input=${encodeURIComponent('{"token":"x"}')}`,
        { headers: bearer() },
      ],
    ],
    ["a path that is not URL-encoded right", async () => ["/task.%E0%A4%A", { headers: bearer() }]],
  ];

  it.each(cases)("answer %s the same", async (_name, request) => {
    const answers: Answer[] = [];
    for (const app of [apps.lean, apps.official]) {
      const trpc = `${app.url}/trpc`;
      const [path, init] = await request(trpc);
      answers.push(normalize(await ask(`${trpc}${path}`, init)));
    }
    expect(answers[0]).toEqual(answers[1]);
  });

  it("answers plain calls itself, in one write with a Content-Length", async () => {
    for (const [path, init] of [
      ["/task.list", { headers: bearer() }],
      ["/task.list,health?batch=1", { headers: bearer() }],
      ["/task.create", post('{"title":"x"}')],
    ] as const) {
      const res = await fetch(`${apps.lean.url}/trpc${path}`, init);
      expect(res.headers.get("content-length")).toBe(String((await res.arrayBuffer()).byteLength));
    }
    // tRPC's adapter streams its answer instead (chunked): the cases above compare two paths.
    const res = await fetch(`${apps.official.url}/trpc/task.list`, { headers: bearer() });
    expect(res.headers.get("transfer-encoding")).toBe("chunked");
  });
});

describe("/trpc: the lean handler and tRPC's adapter, with the database unreachable", () => {
  let db: Database;
  let apps: Pair;
  let bearer: Record<string, string>;

  beforeAll(async () => {
    // Nothing listens on port 1: every query fails as a lost database does.
    db = createDatabase("postgresql://postgres@127.0.0.1:1/postgres", {
      poolSize: 2,
      connectionTimeoutMs: 500,
    });
    apps = await startPair(db);
    bearer = { authorization: `Bearer ${await apps.lean.token("parity-user")}` };
  });

  afterAll(async () => {
    await apps.lean.close();
    await apps.official.close();
    await db.$disconnect();
  });

  it.each([
    ["a query (SERVICE_UNAVAILABLE, Retry-After)", 503, "/task.list", {}],
    ["a batch with the health check (207)", 207, "/task.list,health?batch=1", {}],
    [
      "a mutation",
      503,
      "/task.create",
      { method: "POST", headers: json, body: '{"title":"Lost"}' } as RequestInit,
    ],
  ])("answer %s the same", async (_name, status, path, init) => {
    const answers: Answer[] = [];
    for (const app of [apps.lean, apps.official]) {
      const headers = { ...bearer, ...(init.headers as Record<string, string> | undefined) };
      answers.push(await ask(`${app.url}/trpc${path}`, { ...init, headers }));
    }
    expect(answers[0]?.status).toBe(status);
    expect(answers[0]).toEqual(answers[1]);
  });
});

describe("/trpc: the lean handler and tRPC's adapter, where the app's router does not go", () => {
  interface Ctx {
    user: string;
  }
  // Error shapes without stack traces: the two stacks differ by nature.
  const t = initTRPC.context<Ctx>().create({ isDev: false });
  const router = t.router({
    echo: t.procedure.input(z.object({ n: z.number() }).optional()).query(({ input, ctx }) => ({
      n: input?.n ?? 0,
      user: ctx.user,
    })),
    write: t.procedure.input(z.object({ title: z.string() })).mutation(({ input }) => input),
    /** Data only a streaming link can carry. */
    later: t.procedure.query(() => ({ value: Promise.resolve(1) })),
    /** Data JSON cannot hold. */
    big: t.procedure.query(() => ({ n: 1n })),
    crash: t.procedure.query((): never => {
      throw new Error("a bug");
    }),
    teapot: t.procedure.query(() => "short and stout"),
    metaFails: t.procedure.query(() => "fine"),
  });

  /** What onError and responseMeta were given, as far as JSON shows it. */
  type Seen = unknown[];
  const describeError = (error: TRPCError) => ({ code: error.code, message: error.message });

  function options(seen: Seen) {
    return {
      router,
      createContext: ({ req, info }: { req: Request; info: unknown }): Ctx => {
        const { calls, isBatchCall, type, accept, connectionParams, url } = info as {
          calls: Array<{ path: string }>;
          isBatchCall: boolean;
          type: string;
          accept: unknown;
          connectionParams: unknown;
          url: URL | null;
        };
        seen.push({
          createContext: {
            paths: calls.map((call) => call.path),
            isBatchCall,
            type,
            accept,
            connectionParams,
            query: url?.search,
          },
        });
        if (req.headers["x-refuse"]) throw new TRPCError({ code: "FORBIDDEN", message: "No" });
        return { user: String(req.headers["x-user"] ?? "anonymous") };
      },
      onError: ({
        error,
        path,
        input,
        ctx,
        type,
      }: {
        error: TRPCError;
        path: string | undefined;
        input: unknown;
        ctx: Ctx | undefined;
        type: string;
      }) => {
        seen.push({ onError: { error: describeError(error), path, input, ctx, type } });
      },
      responseMeta: ({
        ctx,
        paths,
        type,
        data,
        errors,
        eagerGeneration,
      }: {
        ctx?: Ctx;
        paths: readonly string[] | undefined;
        type: string;
        data: object[];
        errors: TRPCError[];
        eagerGeneration: boolean;
      }) => {
        seen.push({
          responseMeta: {
            ctx,
            paths,
            type,
            data: data.map((item) => ("error" in item ? "error" : "result")),
            errors: errors.map(describeError),
            eagerGeneration,
          },
        });
        if (paths?.includes("metaFails")) throw new Error("responseMeta failed");
        return {
          status: paths?.includes("teapot") ? 418 : undefined,
          headers: {
            "Set-Cookie": ["a=1", "b=2"],
            "X-Calls": [String(paths?.length), type],
            "X-User": ctx?.user ?? "none",
          },
        };
      },
    };
  }

  const servers: Server[] = [];
  async function serve(handler: RequestHandler): Promise<string> {
    const app = express();
    app.use(express.text({ type: "application/json" }));
    app.use("/trpc", handler);
    const server: Server = await new Promise((resolve) => {
      const listening = app.listen(0, "127.0.0.1", () => resolve(listening));
    });
    servers.push(server);
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/trpc`;
  }

  let createLean: typeof LeanModule.createLeanTrpcMiddleware;
  beforeAll(async () => {
    ({ createLeanTrpcMiddleware: createLean } =
      await vi.importActual<typeof LeanModule>("../src/trpc-lean.js"));
  });

  afterAll(async () => {
    for (const server of servers) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  const cornerCases: Array<[string, string, RequestInit?]> = [
    [
      "a query with input and a context",
      `/echo?${input({ n: 2 })}`,
      { headers: { "x-user": "ann" } },
    ],
    ["a batch", `/echo,echo?batch=1&${input({ 1: { n: 5 } })}`],
    ["a mutation", "/write", { method: "POST", headers: json, body: '{"title":"t"}' }],
    ["a mutation zod refuses", "/write", { method: "POST", headers: json, body: "{}" }],
    ["createContext throwing", "/echo,write?batch=1", { headers: { "x-refuse": "1" } }],
    ["an unknown procedure in a batch", "/echo,nope?batch=1"],
    ["a stream-like result", "/later"],
    ["a stream-like result in a batch", "/later,echo?batch=1"],
    ["a result JSON cannot hold", "/big"],
    ["a result JSON cannot hold, in a batch", "/echo,big?batch=1"],
    ["a procedure throwing an Error", "/crash"],
    ["a status from responseMeta", "/teapot"],
    ["responseMeta throwing", "/metaFails"],
  ];

  it.each(cornerCases)(
    "answer %s the same, with the same calls to onError and responseMeta",
    async (_name, path, init) => {
      const seenLean: Seen = [];
      const seenOfficial: Seen = [];
      const lean = await serve(createLean(options(seenLean)));
      const official = await serve(createExpressMiddleware(options(seenOfficial)));
      const fromLean = await ask(`${lean}${path}`, init);
      const fromOfficial = await ask(`${official}${path}`, init);
      expect(fromLean).toEqual(fromOfficial);
      expect(seenLean).toEqual(seenOfficial);
      expect(seenLean.length).toBeGreaterThan(0);
    },
  );

  it.each([
    ["maxBatchSize", { maxBatchSize: 1 }],
    ["batching off", { allowBatching: false }],
  ])("leaves everything to tRPC's adapter with %s", async (_name, extra) => {
    const lean = await serve(createLean({ ...options([]), ...extra }));
    const official = await serve(createExpressMiddleware({ ...options([]), ...extra }));
    const path = "/echo,echo?batch=1";
    const fromLean = await ask(`${lean}${path}`);
    expect(fromLean.status).toBe(400);
    expect(fromLean).toEqual(await ask(`${official}${path}`));
  });
});
