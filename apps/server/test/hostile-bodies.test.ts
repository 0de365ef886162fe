import type { RequestListener, Server } from "node:http";
import { connect, type AddressInfo } from "node:net";
import { gunzipSync, gzipSync } from "node:zlib";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createHttpServer } from "../src/http-server.js";
import { createLogger } from "../src/logging.js";
import { sendRaw } from "./raw-http.js";
import { startTestApp, type TestApp } from "./test-app.js";

// The contract's "Hostile input" over HTTP: what arrives before any schema
// sees it (nesting, encodings, bytes, requests Node's parser refuses), and
// text PostgreSQL cannot store, in bodies, queries, paths and tokens.
// Whatever is sent, the answer is in the contract's shape, nothing is
// stored, and the server keeps serving. The generated requests of
// fuzz.test.ts send all of these and more; these are the exact answers.

let app: TestApp;
let auth: Record<string, string>;

beforeAll(async () => {
  app = await startTestApp();
  auth = { authorization: `Bearer ${await app.token("hostile")}` };
});
afterAll(() => app.close());

const json = { "content-type": "application/json" };
const nested = (depth: number) => "[".repeat(depth) + "]".repeat(depth);
const TOO_DEEP = [
  {
    type: "json_invalid",
    loc: ["body"],
    msg: "JSON decode error",
    input: {},
    ctx: { error: "Nested deeper than 64 levels" },
  },
];

async function expectAlive() {
  const res = await fetch(`${app.url}/api/hostile/tasks`, { headers: auth });
  expect(res.status).toBe(200);
}

describe("a JSON body nested deeper than 64 levels", () => {
  it.each([
    ["a deep field", `{"title":"t","description":${nested(40_000)}}`],
    ["a deep root", nested(49_000)],
    ["65 levels", `{"title":"t","tags":${nested(64)}}`],
  ])("is a 422 on POST /api/{user_id}/tasks (%s), and nothing is stored", async (_name, body) => {
    const before = await app.db.task.count();
    const res = await fetch(`${app.url}/api/hostile/tasks`, {
      method: "POST",
      headers: { ...auth, ...json },
      body,
    });
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({ detail: TOO_DEEP });
    expect(await app.db.task.count()).toBe(before);
    await expectAlive();
  });

  it("is a 422 when it arrives gzip-compressed (145 bytes that inflate to 80 kB)", async () => {
    const body = gzipSync(`{"title":"t","description":${nested(40_000)}}`);
    expect([body.length, gunzipSync(body).length]).toEqual([145, 80_028]);
    const res = await fetch(`${app.url}/api/hostile/tasks`, {
      method: "POST",
      headers: { ...auth, ...json, "content-encoding": "gzip" },
      body: new Uint8Array(body),
    });
    expect(res.status).toBe(422);
    await expectAlive();
  });

  it("but 64 levels, brackets inside strings and escaped quotes are fine", async () => {
    const deepTag = `{"title":"[[[[\\"{{{{","tags":["${"[".repeat(200)}"],"x":${nested(63)}}`;
    const res = await fetch(`${app.url}/api/hostile/tasks`, {
      method: "POST",
      headers: { ...auth, ...json },
      body: deepTag,
    });
    // the tag is too long for the schema, but the nesting passed
    expect(res.status).toBe(422);
    const detail = ((await res.json()) as { detail: Array<{ loc: unknown[] }> }).detail;
    expect(detail.map((entry) => entry.loc)).toEqual([["body", "tags", 0]]);
  });

  it("is a 422 on /auth/signup, in JSON", async () => {
    const res = await fetch(`${app.url}/auth/signup`, {
      method: "POST",
      headers: json,
      body: `{"email":"a@example.com","password":"long enough password","name":${nested(10_000)}}`,
    });
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({ detail: TOO_DEEP });
  });

  it("is a 422 on /auth/login, in JSON", async () => {
    const res = await fetch(`${app.url}/auth/login`, {
      method: "POST",
      headers: json,
      body: `{"email":"a@example.com","password":${nested(10_000)}}`,
    });
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({ detail: TOO_DEEP });
  });

  it("is UNPROCESSABLE_CONTENT over /trpc, as a body or as a GET's input", async () => {
    const posted = await fetch(`${app.url}/trpc/task.create`, {
      method: "POST",
      headers: { ...auth, ...json },
      body: `{"title":"t","tags":${nested(10_000)}}`,
    });
    expect(posted.status).toBe(422);
    const body = (await posted.json()) as { error: { data: { code: string } } };
    expect(body.error.data.code).toBe("UNPROCESSABLE_CONTENT");

    const input = encodeURIComponent(`{"search":${nested(1_000)}}`);
    const queried = await fetch(`${app.url}/trpc/task.list?input=${input}`, { headers: auth });
    expect(queried.status).toBe(422);
    // Repeated, the deep one first (the one tRPC reads) or second.
    for (const query of [`input=${input}&input=%7B%7D`, `input=%7B%7D&input=${input}`]) {
      const repeated = await fetch(`${app.url}/trpc/task.list?${query}`, { headers: auth });
      expect(repeated.status).toBe(422);
    }
    await expectAlive();
  });
});

describe("bytes and encodings", () => {
  it.each(["gzip", "deflate", "br"])(
    "a body that is not %s-encoded although it says so is a 400",
    async (encoding) => {
      const res = await fetch(`${app.url}/api/hostile/tasks`, {
        method: "POST",
        headers: { ...auth, ...json, "content-encoding": encoding },
        body: JSON.stringify({ title: "plain" }),
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ detail: "Malformed JSON body" });
    },
  );

  it("an encoding the server does not support is a 415", async () => {
    const res = await fetch(`${app.url}/api/hostile/tasks`, {
      method: "POST",
      headers: { ...auth, ...json, "content-encoding": "compress" },
      body: JSON.stringify({ title: "plain" }),
    });
    expect(res.status).toBe(415);
    expect(await res.json()).toEqual({ detail: "Unsupported media type" });
  });

  it("a gzip bomb (10 kB that inflate to 10 MB) is a 413, judged by its decoded size", async () => {
    const before = await app.db.task.count();
    const bomb = gzipSync(`{"title":"${"a".repeat(10_000_000)}"}`);
    expect(bomb.length).toBeLessThan(10_000);
    const res = await fetch(`${app.url}/api/hostile/tasks`, {
      method: "POST",
      headers: { ...auth, ...json, "content-encoding": "gzip" },
      body: new Uint8Array(bomb),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ detail: "Request body too large" });
    expect(await app.db.task.count()).toBe(before);
    await expectAlive();
  });

  it("/auth answers a lying Content-Encoding with 400 and an unsupported one with 415, as the task routes do", async () => {
    for (const [encoding, status, detail] of [
      ["gzip", 400, "Malformed JSON body"],
      ["compress", 415, "Unsupported media type"],
    ] as const) {
      const res = await fetch(`${app.url}/auth/login`, {
        method: "POST",
        headers: { ...json, "content-encoding": encoding },
        body: JSON.stringify({ email: "a@example.com", password: "long enough password" }),
      });
      expect(res.status).toBe(status);
      expect(await res.json()).toEqual({ detail });
    }
  });

  it("a body that is not valid UTF-8 is a 400, never stored with U+FFFD", async () => {
    const before = await app.db.task.count();
    const bytes = Buffer.concat([
      Buffer.from('{"title":"bad '),
      Buffer.from([0xc3, 0x28, 0xff]),
      Buffer.from('"}'),
    ]);
    const res = await fetch(`${app.url}/api/hostile/tasks`, {
      method: "POST",
      headers: { ...auth, ...json },
      body: new Uint8Array(bytes),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ detail: "Malformed JSON body" });
    expect(await app.db.task.count()).toBe(before);
  });

  it("a lying Content-Encoding over /trpc is BAD_REQUEST, in tRPC's shape", async () => {
    const res = await fetch(`${app.url}/trpc/task.create`, {
      method: "POST",
      headers: { ...auth, ...json, "content-encoding": "gzip" },
      body: JSON.stringify({ title: "plain" }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { data: { code: string } } };
    expect(body.error.data.code).toBe("BAD_REQUEST");
  });

  it("an encoding the server does not support over /trpc is UNSUPPORTED_MEDIA_TYPE (415), in tRPC's shape", async () => {
    const res = await fetch(`${app.url}/trpc/task.create`, {
      method: "POST",
      headers: { ...auth, ...json, "content-encoding": "compress" },
      body: JSON.stringify({ title: "plain" }),
    });
    expect(res.status).toBe(415);
    const body = (await res.json()) as { error: { data: { code: string } } };
    expect(body.error.data.code).toBe("UNSUPPORTED_MEDIA_TYPE");
  });

  it("a path parameter that is not valid %-encoding matches nothing", async () => {
    const id = await fetch(`${app.url}/api/hostile/tasks/%E0%A4%A`, { headers: auth });
    expect(id.status).toBe(404);
    const user = await fetch(`${app.url}/api/%ZZ/tasks`, { headers: auth });
    expect(user.status).toBe(403);
  });
});

describe("a request Node's HTTP parser refuses, before any route sees it", () => {
  const BAD_REQUEST = [400, "Bad request"] as const;
  it.each([
    [
      "a NUL in a header value",
      "GET /health HTTP/1.1\r\nHost: a\r\nX-Note: a\0b\r\n\r\n",
      BAD_REQUEST,
    ],
    ["a NUL in the path", "GET /api/u\0/tasks HTTP/1.1\r\nHost: a\r\n\r\n", BAD_REQUEST],
    ["a broken request line", "GET /he alth HTTP/1.1 x\r\nHost: a\r\n\r\n", BAD_REQUEST],
    [
      "a header line without a colon",
      "GET /health HTTP/1.1\r\nHost: a\r\nBroken\r\n\r\n",
      BAD_REQUEST,
    ],
    [
      "a chunk size that is not hexadecimal",
      `POST /auth/login HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`,
      BAD_REQUEST,
    ],
    [
      "both Content-Length and Transfer-Encoding (request smuggling)",
      `POST /auth/login HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
      BAD_REQUEST,
    ],
    [
      "TLS handshake bytes on plain HTTP",
      "\x16\x03\x01\x00\x2f\x01\x00\x00\x2b\x03\x03",
      BAD_REQUEST,
    ],
    [
      "headers over 16 kB",
      `GET /health HTTP/1.1\r\nHost: a\r\nX-Filler: ${"a".repeat(17_000)}\r\n\r\n`,
      [431, "Request header fields too large"],
    ],
    [
      "chunk extensions over 16 kB",
      `POST /auth/login HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n2;x=${"b".repeat(17_000)}\r\n{}\r\n0\r\n\r\n`,
      [413, "Request body too large"],
    ],
    ["HTTP/1.1 without Host", "GET /health HTTP/1.1\r\n\r\n", BAD_REQUEST],
    [
      "HTTP/1.1 without Host, to /trpc",
      "POST /trpc/task.create HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}",
      BAD_REQUEST,
    ],
    [
      "CONNECT (this server is no proxy)",
      "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com\r\n\r\n",
      BAD_REQUEST,
    ],
  ] as const)(
    "%s is answered in JSON, and the server goes on",
    async (_name, bytes, [status, detail]) => {
      const answer = await sendRaw(app.url, bytes);
      expect(answer.status).toBe(status);
      expect(answer.headers["content-type"]).toMatch(/^application\/json/);
      expect(JSON.parse(answer.body)).toEqual({ detail });
      expect(answer.headers["x-request-id"]).toBeTruthy();
      expect(answer.headers["x-content-type-options"]).toBe("nosniff");
      await expectAlive();
    },
  );

  it("a request cut short (the client stops sending) is a 400 in JSON", async () => {
    const answer = await sendRaw(
      app.url,
      "POST /auth/login HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: 10\r\n\r\n{",
      { halfClose: true },
    );
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toEqual({ detail: "Bad request" });
  });

  it("a URL of 17 kB is a 431 in JSON, on REST and on /trpc", async () => {
    for (const path of [
      `/api/hostile/tasks?search=${"x".repeat(17_000)}`,
      `/trpc/task.list?input=${"x".repeat(17_000)}`,
    ]) {
      const res = await fetch(`${app.url}${path}`, { headers: auth });
      expect(res.status).toBe(431);
      expect(res.headers.get("connection")).toBe("close");
      expect(await res.json()).toEqual({ detail: "Request header fields too large" });
    }
    await expectAlive();
  });

  it("is logged with the answer's request id and why, never the request's bytes", async () => {
    const answer = await sendRaw(
      app.url,
      `GET /health HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer leaked.token.here\r\nX-Note: \0\r\n\r\n`,
    );
    const id = answer.headers["x-request-id"];
    const lines = app.logs.filter((line) => line.req_id === id);
    expect(lines).toEqual([
      expect.objectContaining({
        level: 30,
        status: 400,
        reason: "HPE_INVALID_HEADER_TOKEN",
        msg: "request refused before it reached the app",
      }),
    ]);
    expect(app.rawLogs()).not.toContain("leaked.token.here");
  });

  it("an Expect the server does not know is served as if absent", async () => {
    const answer = await sendRaw(
      app.url,
      "GET /health HTTP/1.1\r\nHost: a\r\nExpect: something-else\r\nConnection: close\r\n\r\n",
    );
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ status: "ok", database: "ok" });
  });

  it("a connection the client resets mid-request is closed without an answer or a log line", async () => {
    const before = app.logs.length;
    const { hostname, port } = new URL(app.url);
    await new Promise<void>((resolve) => {
      const socket = connect(Number(port), hostname, () => {
        socket.write("POST /auth/login HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n{");
        setTimeout(() => socket.resetAndDestroy(), 50);
      });
      socket.on("close", () => resolve());
      socket.on("error", () => undefined);
    });
    await expectAlive();
    const refusals = app.logs.slice(before).filter((line) => line.msg !== "request");
    expect(refusals).toEqual([]);
  });
});

describe("a server's own refusals, apart from the app", () => {
  const servers: Server[] = [];
  afterAll(() => {
    for (const server of servers) server.closeAllConnections();
    return Promise.all(servers.map((server) => new Promise((done) => server.close(done))));
  });
  async function serve(handler: RequestListener, requestTimeoutMs = 30_000): Promise<string> {
    const server = createHttpServer(handler, createLogger({ level: "silent" }), {
      requestTimeoutMs,
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it("a request not complete within REQUEST_TIMEOUT_MS is a 408 in JSON", async () => {
    const url = await serve((req, res) => void req.resume().on("end", () => res.end()), 500);
    const answer = await sendRaw(url, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n{");
    expect(answer.status).toBe(408);
    expect(JSON.parse(answer.body)).toEqual({ detail: "Request timeout" });
  });

  it("an answer given before the parser refuses the body goes out whole, then the connection closes", async () => {
    // More than the kernel takes at once: the rest is still queued when the parser fails.
    const large = JSON.stringify({ answered: "x".repeat(8_000_000) });
    const url = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(large);
    });
    // Head and broken body in one write: the handler answers before the body is parsed.
    const answer = await sendRaw(
      url,
      "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
    );
    expect(answer.status).toBe(200);
    expect(answer.body.length).toBe(large.length);
    expect(answer.received).not.toContain("Bad request");
  });

  it("an answer cut half-way is closed at once: nothing is written into it", async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.write("the start of an answer");
    });
    const { hostname, port } = new URL(url);
    // Garbage on the connection once the answer to its first request has begun.
    const received = await new Promise<string>((resolve) => {
      let text = "";
      const socket = connect(Number(port), hostname, () => {
        socket.write("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
      });
      socket.once("data", () => socket.write("GARBAGE\0\r\n\r\n"));
      socket.on("data", (chunk: Buffer) => (text += chunk.toString("latin1")));
      socket.on("error", () => undefined);
      socket.on("close", () => resolve(text));
    });
    expect(received).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(received).toContain("the start of an answer");
    expect(received).not.toContain("Bad request");
  });
});

describe("text PostgreSQL cannot store (U+0000) or would alter (a lone surrogate)", () => {
  const NUL = "Value error, String must not contain NUL characters";
  const UNICODE = "Input should be a valid string, unable to parse raw data as a unicode string";
  const post = (path: string, body: string, headers = auth) =>
    fetch(`${app.url}${path}`, { method: "POST", headers: { ...headers, ...json }, body });

  it("in a body's fields is a 422 entry each, as a Pydantic validator words it, and nothing is stored", async () => {
    const before = await app.db.task.count();
    const res = await post(
      "/api/hostile/tasks",
      '{"title":"a\\u0000b","description":"x\\u0000","tags":["ok","\\u0000"]}',
    );
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({
      detail: [
        { type: "value_error", loc: ["body", "title"], msg: NUL, input: "a\u0000b" },
        { type: "value_error", loc: ["body", "description"], msg: NUL, input: "x\u0000" },
        { type: "value_error", loc: ["body", "tags", 1], msg: NUL, input: "\u0000" },
      ],
    });

    const lone = await post("/api/hostile/tasks", '{"title":"\\ud800","tags":["x\\udfffy"]}');
    expect(lone.status).toBe(422);
    expect(await lone.json()).toEqual({
      detail: [
        { type: "string_unicode", loc: ["body", "title"], msg: UNICODE, input: "\ud800" },
        { type: "string_unicode", loc: ["body", "tags", 0], msg: UNICODE, input: "x\udfffy" },
      ],
    });
    expect(await app.db.task.count()).toBe(before);
  });

  it("in a query parameter is a 422 entry at its place in the query", async () => {
    const res = await fetch(`${app.url}/api/hostile/tasks?search=a%00b&tag=%00`, { headers: auth });
    expect(res.status).toBe(422);
    const { detail } = (await res.json()) as { detail: unknown[] };
    expect(detail).toEqual(
      expect.arrayContaining([
        { type: "value_error", loc: ["query", "search"], msg: NUL, input: "a\u0000b" },
        { type: "value_error", loc: ["query", "tag"], msg: NUL, input: "\u0000" },
      ]),
    );
    expect(detail).toHaveLength(2);
  });

  it("over /trpc is BAD_REQUEST with the zod issue, and nothing is stored", async () => {
    const before = await app.db.task.count();
    for (const [title, issue] of [
      ["a\\u0000b", { code: "custom", message: "String must not contain NUL characters" }],
      ["\\ud800", { code: "invalid_format", format: "well_formed_unicode", message: UNICODE }],
    ] as const) {
      const res = await post("/trpc/task.create", `{"title":"${title}"}`);
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: { data: { code: string; issues: unknown[] } } };
      expect(body.error.data.code).toBe("BAD_REQUEST");
      expect(body.error.data.issues).toEqual([{ ...issue, path: ["title"] }]);
    }
    expect(await app.db.task.count()).toBe(before);
  });

  it("in a path matches nothing: a task id is a 404, a user id a 403", async () => {
    const id = await fetch(`${app.url}/api/hostile/tasks/%00`, { headers: auth });
    expect([id.status, await id.json()]).toEqual([404, { detail: "Task not found" }]);
    const user = await fetch(`${app.url}/api/hostile%00/tasks`, { headers: auth });
    expect([user.status, await user.json()]).toEqual([403, { detail: "Access forbidden" }]);
  });

  it("in a token's user id makes it an invalid token: 401 on REST, /auth and UNAUTHORIZED on /trpc", async () => {
    const bearer = { authorization: `Bearer ${await app.token("a\u0000b")}` };
    for (const path of ["/api/a%00b/tasks", "/auth/me"]) {
      const res = await fetch(`${app.url}${path}`, { headers: bearer });
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toBe("Bearer");
      expect(await res.json()).toEqual({ detail: "Invalid token" });
    }
    const trpc = await fetch(`${app.url}/trpc/task.list`, { headers: bearer });
    expect(trpc.status).toBe(401);
    const body = (await trpc.json()) as { error: { message: string; data: { code: string } } };
    expect([body.error.data.code, body.error.message]).toEqual(["UNAUTHORIZED", "Invalid token"]);
  });
});
