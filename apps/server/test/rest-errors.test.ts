import { gzipSync } from "node:zlib";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { inChunks, startTestApp, TEST_SECRET, type TestApp } from "./test-app.js";

let app: TestApp;
let token: string;
let taskId: string;

beforeAll(async () => {
  app = await startTestApp({ bodyLimitBytes: 100_000 });
  token = await app.token("alice");
  const res = await fetch(`${app.url}/api/alice/tasks`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ title: "Existing" }),
  });
  taskId = ((await res.json()) as { id: string }).id;
});
afterAll(() => app.close());

function send(
  method: string,
  path: string,
  init: { headers?: Record<string, string>; body?: RequestInit["body"] } = {},
) {
  const streamed = init.body instanceof ReadableStream;
  return fetch(`${app.url}${path}`, {
    method,
    headers: init.headers,
    body: init.body,
    ...(streamed ? { duplex: "half" } : {}),
  } as RequestInit);
}
const auth = (t = token) => ({ authorization: `Bearer ${t}` });
const json = { "content-type": "application/json" };
const MISSING_ID = "6f1c2d3e-4b5a-4c6d-8e7f-0123456789ab";

async function expectDetail(res: Response, status: number, detail: unknown) {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  expect(await res.json()).toEqual({ detail });
}

describe("401: authentication", () => {
  const routes: Array<[string, string]> = [
    ["GET", "/api/alice/tasks"],
    ["POST", "/api/alice/tasks"],
    ["GET", `/api/alice/tasks/${MISSING_ID}`],
    ["PUT", `/api/alice/tasks/${MISSING_ID}`],
    ["PATCH", `/api/alice/tasks/${MISSING_ID}`],
    ["PATCH", `/api/alice/tasks/${MISSING_ID}/complete`],
    ["DELETE", `/api/alice/tasks/${MISSING_ID}`],
  ];

  it.each(routes)(
    "%s %s without a token is 401 'Not authenticated' with WWW-Authenticate",
    async (method, path) => {
      const res = await send(method, path);
      expect(res.headers.get("www-authenticate")).toBe("Bearer");
      await expectDetail(res, 401, "Not authenticated");
    },
  );

  it("treats another scheme and an empty Bearer token as no token", async () => {
    for (const authorization of ["Basic YWxpY2U6c2VjcmV0", "Bearer ", "Bearer"]) {
      const res = await send("GET", "/api/alice/tasks", { headers: { authorization } });
      await expectDetail(res, 401, "Not authenticated");
    }
  });

  it("says 'Token expired' for an expired token and 'Invalid token' for a forged one", async () => {
    const expired = await app.token("alice", { expiresAt: Math.floor(Date.now() / 1000) - 3600 });
    await expectDetail(
      await send("GET", "/api/alice/tasks", { headers: auth(expired) }),
      401,
      "Token expired",
    );
    const forged = await app.token("alice", { secret: `${TEST_SECRET}-not` });
    await expectDetail(
      await send("GET", "/api/alice/tasks", { headers: auth(forged) }),
      401,
      "Invalid token",
    );
    await expectDetail(
      await send("GET", "/api/alice/tasks", { headers: auth("garbage") }),
      401,
      "Invalid token",
    );
  });

  it("logs why a token was refused, with the request id, never the token", async () => {
    const forged = await app.token("alice", { secret: `${TEST_SECRET}-not` });
    await send("GET", "/api/alice/tasks", {
      headers: { ...auth(forged), "x-request-id": "refused-token" },
    });
    const line = app.logs.find(
      (entry) => entry.msg === "authentication failed" && entry.req_id === "refused-token",
    );
    expect(line?.auth_failure).toBe("invalid");
    expect(typeof line?.reason).toBe("string");
    expect(app.rawLogs()).not.toContain(forged);
    expect(app.rawLogs()).not.toContain(token);
    expect(app.rawLogs()).not.toContain(forged.split(".")[1]!);
  });
});

describe("403: the path's user is not the token's", () => {
  it.each([
    ["GET", "/api/bob/tasks"],
    ["POST", "/api/bob/tasks"],
    ["GET", `/api/bob/tasks/${MISSING_ID}`],
    ["PUT", `/api/bob/tasks/${MISSING_ID}`],
    ["PATCH", `/api/bob/tasks/${MISSING_ID}`],
    ["PATCH", `/api/bob/tasks/${MISSING_ID}/complete`],
    ["DELETE", `/api/bob/tasks/${MISSING_ID}`],
  ])("%s %s is 403 'Access forbidden'", async (method, path) => {
    await expectDetail(await send(method, path, { headers: auth() }), 403, "Access forbidden");
  });

  it("comes before the body is looked at: bad JSON, a wrong type or a huge body still get 403", async () => {
    await expectDetail(
      await send("POST", "/api/bob/tasks", { headers: { ...auth(), ...json }, body: "{oops" }),
      403,
      "Access forbidden",
    );
    await expectDetail(
      await send("POST", "/api/bob/tasks", {
        headers: { ...auth(), "content-type": "text/plain" },
        body: "hi",
      }),
      403,
      "Access forbidden",
    );
    await expectDetail(
      await send("POST", "/api/bob/tasks", {
        headers: { ...auth(), ...json },
        body: JSON.stringify({ title: "x".repeat(200_000) }),
      }),
      403,
      "Access forbidden",
    );
  });
});

describe("the order of checks: 401, 403, 400/413/415/422, 404", () => {
  it("401 before 403", async () => {
    await expectDetail(await send("GET", "/api/bob/tasks"), 401, "Not authenticated");
  });

  it("422 before 404: an invalid body for a missing task is a 422", async () => {
    const res = await send("PUT", `/api/alice/tasks/${MISSING_ID}`, {
      headers: { ...auth(), ...json },
      body: JSON.stringify({ title: "" }),
    });
    expect(res.status).toBe(422);
  });

  it("400 before 404: malformed JSON for a missing task is a 400", async () => {
    await expectDetail(
      await send("PUT", `/api/alice/tasks/${MISSING_ID}`, {
        headers: { ...auth(), ...json },
        body: "{",
      }),
      400,
      "Malformed JSON body",
    );
  });
});

describe("400, 413, 415: the body itself", () => {
  it("answers malformed JSON with 400 'Malformed JSON body'", async () => {
    for (const body of ["{", '{"title": }', "nul"]) {
      await expectDetail(
        await send("POST", "/api/alice/tasks", { headers: { ...auth(), ...json }, body }),
        400,
        "Malformed JSON body",
      );
    }
  });

  it("answers a body over 100 kB with 413 'Request body too large', storing nothing", async () => {
    const before = await app.db.task.count();
    await expectDetail(
      await send("POST", "/api/alice/tasks", {
        headers: { ...auth(), ...json },
        body: JSON.stringify({ title: "big", description: "x".repeat(100_001) }),
      }),
      413,
      "Request body too large",
    );
    expect(await app.db.task.count()).toBe(before);
  });

  it("answers a body that is not application/json with 415 'Unsupported media type'", async () => {
    for (const type of [
      "text/plain",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
    ]) {
      await expectDetail(
        await send("POST", "/api/alice/tasks", {
          headers: { ...auth(), "content-type": type },
          body: "title=x",
        }),
        415,
        "Unsupported media type",
      );
    }
  });

  it("accepts application/json with a charset", async () => {
    const res = await send("POST", "/api/alice/tasks", {
      headers: { ...auth(), "content-type": "application/json; charset=utf-8" },
      body: JSON.stringify({ title: "charset" }),
    });
    expect(res.status).toBe(201);
  });

  it("answers a chunked body that grows past 100 kB with 413, and the connection goes on", async () => {
    const before = await app.db.task.count();
    const text = JSON.stringify({ title: "big", description: "x".repeat(100_001) });
    const res = await send("POST", "/api/alice/tasks", {
      headers: { ...auth(), ...json },
      body: inChunks(text, 8_192),
    });
    await expectDetail(res, 413, "Request body too large");
    expect(await app.db.task.count()).toBe(before);
    const after = await send("GET", "/api/alice/tasks", { headers: auth() });
    expect(after.status).toBe(200);
  });

  it("reads a body with a byte order mark, a gzip-compressed body and UTF-16 as JSON", async () => {
    const bom = await send("POST", "/api/alice/tasks", {
      headers: { ...auth(), ...json },
      body: '\ufeff{"title":"with a BOM"}',
    });
    expect(bom.status).toBe(201);
    const gzipped = await send("POST", "/api/alice/tasks", {
      headers: { ...auth(), ...json, "content-encoding": "gzip" },
      body: new Uint8Array(gzipSync(JSON.stringify({ title: "compressed ✓" }))),
    });
    expect(gzipped.status).toBe(201);
    expect(((await gzipped.json()) as { title: string }).title).toBe("compressed ✓");
    const utf16 = await send("POST", "/api/alice/tasks", {
      headers: { ...auth(), "content-type": "application/json; charset=utf-16le" },
      body: new Uint8Array(Buffer.from(JSON.stringify({ title: "sixteen" }), "utf16le")),
    });
    expect(utf16.status).toBe(201);
  });

  it("answers a charset JSON cannot be in (RFC 8259: UTF only) with 415", async () => {
    await expectDetail(
      await send("POST", "/api/alice/tasks", {
        headers: { ...auth(), "content-type": "application/json; charset=latin1" },
        body: JSON.stringify({ title: "latin" }),
      }),
      415,
      "Unsupported media type",
    );
  });
});

describe("422: validation, in FastAPI's shape", () => {
  const post = (body: string) =>
    send("POST", "/api/alice/tasks", { headers: { ...auth(), ...json }, body });

  it("reports a missing title as Pydantic does", async () => {
    await expectDetail(await post("{}"), 422, [
      { type: "missing", loc: ["body", "title"], msg: "Field required" },
    ]);
  });

  it("reports a missing body", async () => {
    await expectDetail(await send("POST", "/api/alice/tasks", { headers: auth() }), 422, [
      { type: "missing", loc: ["body"], msg: "Field required", input: null },
    ]);
  });

  it("reports a body that is not an object", async () => {
    await expectDetail(await post("[1, 2]"), 422, [
      {
        type: "model_attributes_type",
        loc: ["body"],
        msg: "Input should be a valid dictionary or object to extract fields from",
        input: [1, 2],
      },
    ]);
  });

  it("reports one entry per problem, with loc, msg and input", async () => {
    const title = "x".repeat(201);
    const res = await post(
      JSON.stringify({
        title,
        priority: "urgent",
        completed: "no",
        tags: ["a", "A"],
        due_date: "yesterday",
        description: 5,
      }),
    );
    await expectDetail(res, 422, [
      {
        type: "string_too_long",
        loc: ["body", "title"],
        msg: "String should have at most 200 characters",
        input: title,
        ctx: { max_length: 200 },
      },
      {
        type: "string_type",
        loc: ["body", "description"],
        msg: "Input should be a valid string",
        input: 5,
      },
      {
        type: "bool_type",
        loc: ["body", "completed"],
        msg: "Input should be a valid boolean",
        input: "no",
      },
      {
        type: "enum",
        loc: ["body", "priority"],
        msg: "Input should be 'low', 'medium' or 'high'",
        input: "urgent",
        ctx: { expected: "'low', 'medium' or 'high'" },
      },
      {
        type: "datetime_from_date_parsing",
        loc: ["body", "due_date"],
        msg: "Input should be a valid datetime or date",
        input: "yesterday",
      },
      {
        type: "value_error",
        loc: ["body", "tags"],
        msg: "Value error, Duplicate tag 'A' (tags are compared without regard to case)",
        input: ["a", "A"],
      },
    ]);
  });

  it("names the position of a bad tag, and counts eleven tags as too many", async () => {
    const bad = await post(JSON.stringify({ title: "t", tags: ["ok", ""] }));
    expect(
      ((await bad.json()) as { detail: Array<{ loc: unknown[]; type: string }> }).detail,
    ).toEqual([expect.objectContaining({ type: "string_too_short", loc: ["body", "tags", 1] })]);
    const many = await post(
      JSON.stringify({ title: "t", tags: Array.from({ length: 11 }, (_, i) => `t${i}`) }),
    );
    expect(((await many.json()) as { detail: Array<{ msg: string }> }).detail[0]?.msg).toBe(
      "List should have at most 10 items after validation, not 11",
    );
  });
});

describe("404 and 405 for paths", () => {
  it("answers an unknown path with 404 'Not Found' in JSON", async () => {
    for (const path of ["/", "/nope", "/api/alice", "/api/alice/tasks/x/y/z", "/trpcx"]) {
      await expectDetail(await send("GET", path, { headers: auth() }), 404, "Not Found");
    }
  });

  it("answers a known path with a wrong method with 405 and every allowed method in Allow", async () => {
    const cases: Array<[string, string, string]> = [
      ["DELETE", "/api/alice/tasks", "GET, POST"],
      ["POST", `/api/alice/tasks/${taskId}`, "GET, PUT, PATCH, DELETE"],
      ["GET", `/api/alice/tasks/${taskId}/complete`, "PATCH"],
      ["POST", "/health", "GET"],
    ];
    for (const [method, path, allow] of cases) {
      const res = await send(method, path, { headers: auth() });
      expect(res.headers.get("allow"), `${method} ${path}`).toBe(allow);
      await expectDetail(res, 405, "Method Not Allowed");
    }
  });
});

describe("task paths, matched as Express matches routes", () => {
  it("in any letter case, with or without a trailing slash", async () => {
    for (const path of ["/API/alice/TASKS", "/api/alice/tasks/", `/api/alice/Tasks/${taskId}/`]) {
      const res = await send("GET", path, { headers: auth() });
      expect(res.status, path).toBe(200);
    }
    const res = await send("PATCH", `/api/alice/tasks/${taskId}/COMPLETE/`, { headers: auth() });
    expect(res.status).toBe(200);
    await send("PATCH", `/api/alice/tasks/${taskId}/complete`, { headers: auth() });
  });

  it("with URL-decoded parameters; one that is not valid %-encoding is a 403 or 404, never a 500", async () => {
    expect((await send("GET", "/api/%61lice/tasks", { headers: auth() })).status).toBe(200);
    const encodedId = [...taskId].map((c) => `%${c.charCodeAt(0).toString(16)}`).join("");
    expect((await send("GET", `/api/alice/tasks/${encodedId}`, { headers: auth() })).status).toBe(
      200,
    );
    await expectDetail(
      await send("GET", "/api/%E0%A4%A/tasks", { headers: auth() }),
      403,
      "Access forbidden",
    );
    await expectDetail(
      await send("GET", "/api/alice/tasks/%E0%A4%A", { headers: auth() }),
      404,
      "Task not found",
    );
    await expectDetail(await send("GET", "/api/%E0%A4%A/tasks"), 401, "Not authenticated");
  });

  it("answers HEAD on a task as GET, without the body", async () => {
    const res = await send("HEAD", `/api/alice/tasks/${taskId}`, { headers: auth() });
    const got = await send("GET", `/api/alice/tasks/${taskId}`, { headers: auth() });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-length")).toBe(got.headers.get("content-length"));
    expect(await res.text()).toBe("");
  });
});

describe("every response", () => {
  it("carries a request id, an API's security headers and no X-Powered-By", async () => {
    for (const path of ["/api/alice/tasks", "/api/alice/tasks/nope", "/trpc/task.list", "/nope"]) {
      const res = await send("GET", path, { headers: { ...auth(), "x-request-id": "abc-123" } });
      expect(res.headers.get("x-request-id"), path).toBe("abc-123");
      expect(res.headers.get("x-powered-by"), path).toBeNull();
      expect(res.headers.get("x-content-type-options"), path).toBe("nosniff");
      expect(res.headers.get("content-security-policy"), path).toBe(
        "default-src 'none'; frame-ancestors 'none'",
      );
      expect(res.headers.get("x-frame-options"), path).toBe("DENY");
      expect(res.headers.get("strict-transport-security"), path).toMatch(/^max-age=\d+/);
    }
    const other = await send("GET", "/health");
    expect(other.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("of the /docs page has a page's headers instead: its own scripts may run", async () => {
    const res = await send("GET", "/docs");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("cross-origin-opener-policy")).toBe("same-origin");
  });

  it("is logged as one line with method, route, status, duration, request id and user id", async () => {
    await send("GET", `/api/alice/tasks/${taskId}`, {
      headers: { ...auth(), "x-request-id": "log-me" },
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const lines = app.logs.filter((entry) => entry.msg === "request" && entry.req_id === "log-me");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      method: "GET",
      route: "/api/:user_id/tasks/:id",
      status: 200,
      user_id: "alice",
      duration_ms: expect.any(Number),
    });
  });

  it("is logged with the path as sent when no route pattern matched: /trpc kept, the query string left out", async () => {
    const input = encodeURIComponent(JSON.stringify({ search: "secret words" }));
    await send("GET", `/trpc/task.list?input=${input}`, {
      headers: { ...auth(), "x-request-id": "log-trpc" },
    });
    await send("OPTIONS", "/trpc/auth.signup?token=abc", {
      headers: { "x-request-id": "log-opt" },
    });
    await send("GET", "/no/such/path?key=value", { headers: { "x-request-id": "log-404" } });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const routes = Object.fromEntries(
      app.logs
        .filter((entry) => entry.msg === "request" && String(entry.req_id).startsWith("log-"))
        .map((entry) => [entry.req_id, entry.route]),
    );
    expect(routes).toMatchObject({
      "log-trpc": "/trpc/task.list",
      "log-opt": "/trpc/auth.signup",
      "log-404": "/no/such/path",
    });
    expect(app.rawLogs()).not.toContain("secret");
  });
});
