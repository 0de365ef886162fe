import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

import express from "express";
import { pino } from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";

import { errorHandler } from "../src/http-errors.js";
import { defineRequestLogger, requestLogging } from "../src/logging.js";
import { startTestApp, type TestApp } from "./test-app.js";

// Every route is on Express: a middleware in front of the app sees every
// request, and a failure anywhere, even while answering a failure or writing
// its log line, ends that request only, with the contract's 500 (or a
// connection closed, once the answer has started), logged once with the
// request id.

describe("a middleware in front of the app (Sentry, rate limiting, an audit log)", () => {
  const seen: string[] = [];
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({
      serve: (api) => {
        const outer = express();
        outer.use((req, _res, next) => {
          seen.push(`${req.method} ${req.path}`);
          next();
        });
        outer.use(api);
        return outer;
      },
    });
  });
  afterAll(() => app.close());

  it("sees a task request, a tRPC request and /health", async () => {
    const auth = { authorization: `Bearer ${await app.token("mw-user")}` };
    expect((await fetch(`${app.url}/api/mw-user/tasks`, { headers: auth })).status).toBe(200);
    expect((await fetch(`${app.url}/trpc/task.list`, { headers: auth })).status).toBe(200);
    expect((await fetch(`${app.url}/health`)).status).toBe(200);
    expect(seen).toEqual(["GET /api/mw-user/tasks", "GET /trpc/task.list", "GET /health"]);
  });
});

describe("a failure while answering", () => {
  let app: TestApp;
  /** Every line the log took. */
  const lines: Array<Record<string, unknown>> = [];
  /** Which lines the log refuses to take, throwing instead; none by default. */
  let refuses: (line: Record<string, unknown>) => boolean = () => false;
  /** What escaped to the process: each would end it in production (index.ts). */
  const escaped: unknown[] = [];
  const escape = (error: unknown) => escaped.push(error);
  beforeAll(async () => {
    const logger = pino(
      { level: "debug" },
      {
        write(text: string) {
          const line = JSON.parse(text) as Record<string, unknown>;
          if (refuses(line)) throw new Error("the log is broken");
          lines.push(line);
        },
      },
    );
    app = await startTestApp({ logger });
    process.on("uncaughtException", escape);
    process.on("unhandledRejection", escape);
  });
  afterEach(() => {
    refuses = () => false;
    app.express.set("json replacer", undefined);
    expect(escaped).toEqual([]);
  });
  afterAll(async () => {
    process.off("uncaughtException", escape);
    process.off("unhandledRejection", escape);
    await app.close();
  });

  /** The log's error lines of one request. */
  const errorLinesOf = (res: Response) =>
    lines.filter(
      (line) => line.req_id === res.headers.get("x-request-id") && Number(line.level) >= 50,
    );
  const expectServing = async (auth: Record<string, string>, user: string) => {
    expect((await fetch(`${app.url}/api/${user}/tasks`, { headers: auth })).status).toBe(200);
  };
  const INTERNAL_ERROR = { detail: "Internal server error" };

  it("in the response's serializer is the contract's 500, logged once with the request id, and the server goes on", async () => {
    const auth = { authorization: `Bearer ${await app.token("ser-user")}` };
    app.express.set("json replacer", () => {
      throw new Error("cannot serialise");
    });
    const res = await fetch(`${app.url}/api/ser-user/tasks`, { headers: auth });
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual(INTERNAL_ERROR);
    expect(errorLinesOf(res)).toEqual([
      expect.objectContaining({
        msg: "failed to answer a failed request",
        err: expect.objectContaining({ message: "cannot serialise" }),
      }),
    ]);

    app.express.set("json replacer", undefined);
    await expectServing(auth, "ser-user");
  });

  it("in the error handler's own answer is the contract's 500, logged once with the request id", async () => {
    const auth = { authorization: `Bearer ${await app.token("eh-user")}` };
    // Only an error body has a `detail`: the route's 404 is what cannot be written.
    app.express.set("json replacer", (key: string, value: unknown) => {
      if (key === "detail") throw new Error("cannot serialise an error");
      return value;
    });
    const res = await fetch(`${app.url}/api/eh-user/tasks/${"0".repeat(8)}`, { headers: auth });
    expect(res.status).toBe(500);
    expect(await res.text()).toBe(JSON.stringify(INTERNAL_ERROR));
    expect(errorLinesOf(res)).toEqual([
      expect.objectContaining({
        msg: "failed to answer a failed request",
        err: expect.objectContaining({ message: "cannot serialise an error" }),
      }),
    ]);
    app.express.set("json replacer", undefined);
    await expectServing(auth, "eh-user");
  });

  it("in the error path's own logging is still the contract's 500, and the server goes on", async () => {
    const auth = { authorization: `Bearer ${await app.token("log-user")}` };
    app.express.set("json replacer", (key: string, value: unknown) => {
      if (key === "title") throw new Error("cannot serialise");
      return value;
    });
    refuses = (line) => Number(line.level) >= 50;
    const res = await fetch(`${app.url}/api/log-user/tasks`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ title: "t" }),
    });
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual(INTERNAL_ERROR);

    refuses = () => false;
    app.express.set("json replacer", undefined);
    await expectServing(auth, "log-user");
  });

  it("in the request line's logging loses that line only: the answer stands, the failure is logged once", async () => {
    refuses = (line) => line.msg === "request";
    const res = await fetch(`${app.url}/health`);
    expect(res.status).toBe(200);
    const id = res.headers.get("x-request-id");
    // The request line is written once the answer is out.
    await vi.waitFor(() => expect(errorLinesOf(res)).toHaveLength(1));
    expect(errorLinesOf(res)[0]).toMatchObject({
      req_id: id,
      msg: "could not log the request line",
      err: { message: "the log is broken" },
    });
    refuses = () => false;
    expect((await fetch(`${app.url}/health`)).status).toBe(200);
  });

  it("on /auth (a login's log line that cannot be written) is the contract's 500, logged once", async () => {
    refuses = (line) => line.msg === "login failed";
    const res = await fetch(`${app.url}/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "nobody@example.com", password: "not the password" }),
    });
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual(INTERNAL_ERROR);
    expect(errorLinesOf(res)).toEqual([
      expect.objectContaining({
        msg: "unhandled error",
        err: expect.objectContaining({ message: "the log is broken" }),
      }),
    ]);
    refuses = () => false;
    expect((await fetch(`${app.url}/health`)).status).toBe(200);
  });

  describe.each([
    ["tRPC's lean handler", {}],
    // A GET that says it carries text is left to tRPC's own adapter.
    ["tRPC's own adapter", { "content-type": "text/plain" }],
  ])("on /trpc, through %s", (_name, headers) => {
    const call = () =>
      fetch(`${app.url}/trpc/task.list`, {
        headers: { ...headers, authorization: "Bearer forged" },
      });
    const INTERNAL_ENVELOPE = {
      error: {
        code: -32603,
        message: "Internal server error",
        data: { code: "INTERNAL_SERVER_ERROR", httpStatus: 500 },
      },
    };

    it("a log line that cannot be written (onError's) fails the call as INTERNAL_SERVER_ERROR, logged once", async () => {
      refuses = (line) => line.msg === "authentication failed";
      const res = await call();
      expect(res.status).toBe(500);
      expect(await res.json()).toEqual(INTERNAL_ENVELOPE);
      expect(errorLinesOf(res)).toEqual([
        expect.objectContaining({
          msg: "procedure failed",
          err: expect.objectContaining({ message: "the log is broken" }),
        }),
      ]);
      refuses = () => false;
      expect((await call()).status).toBe(401);
    });

    it("a log that takes no line at all still ends the call with INTERNAL_SERVER_ERROR, and the server goes on", async () => {
      refuses = (line) => Number(line.level) >= 40;
      const res = await call();
      expect(res.status).toBe(500);
      expect(await res.json()).toEqual(INTERNAL_ENVELOPE);
      refuses = () => false;
      expect((await call()).status).toBe(401);
    });
  });
});

describe("a failure after the answer has started", () => {
  it("closes the connection (the client sees the answer cut short), logged once with the request id", async () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = pino(
      { level: "debug" },
      { write: (text: string) => void lines.push(JSON.parse(text)) },
    );
    const app = express();
    defineRequestLogger(app.request, logger);
    app.use(requestLogging(logger));
    app.get("/half", (_req, res, next) => {
      res.writeHead(200, { "content-type": "application/json" });
      // Fails once the start is on its way to the client.
      res.write('{"items":[', () => next(new Error("failed half-way")));
    });
    app.use(errorHandler(logger));
    const server = createServer(app).listen(0, "127.0.0.1");
    await once(server, "listening");
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/half`);
      expect(res.status).toBe(200);
      await expect(res.text()).rejects.toThrow();
      const id = res.headers.get("x-request-id");
      expect(lines.filter((line) => line.req_id === id && Number(line.level) >= 50)).toEqual([
        expect.objectContaining({
          msg: "failed after the response started",
          err: expect.objectContaining({ message: "failed half-way" }),
        }),
      ]);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
