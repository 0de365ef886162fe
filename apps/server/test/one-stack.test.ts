import express from "express";
import { pino } from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

import { startTestApp, type TestApp } from "./test-app.js";

// Every route is on Express: a middleware in front of the app sees every
// request, and a failure anywhere, even while answering a failure, ends that
// request only.

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
  let failLogging = false;
  beforeAll(async () => {
    const logger = pino({
      level: "debug",
      hooks: {
        logMethod(args, method, level) {
          if (failLogging && level >= 50) throw new Error("the log is broken");
          return method.apply(this, args);
        },
      },
    });
    app = await startTestApp({ logger });
  });
  afterEach(() => {
    failLogging = false;
    app.express.set("json replacer", undefined);
  });
  afterAll(() => app.close());

  it("in the response's serializer is the contract's 500, and the server goes on", async () => {
    const auth = { authorization: `Bearer ${await app.token("ser-user")}` };
    app.express.set("json replacer", () => {
      throw new Error("cannot serialise");
    });
    const res = await fetch(`${app.url}/api/ser-user/tasks`, { headers: auth });
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ detail: "Internal server error" });
    expect(res.headers.get("x-request-id")).toBeTruthy();

    app.express.set("json replacer", undefined);
    expect((await fetch(`${app.url}/api/ser-user/tasks`, { headers: auth })).status).toBe(200);
  });

  it("in the error path's own logging is still the contract's 500, and the server goes on", async () => {
    const auth = { authorization: `Bearer ${await app.token("log-user")}` };
    app.express.set("json replacer", (key: string, value: unknown) => {
      if (key === "title") throw new Error("cannot serialise");
      return value;
    });
    failLogging = true;
    const res = await fetch(`${app.url}/api/log-user/tasks`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ title: "t" }),
    });
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ detail: "Internal server error" });

    failLogging = false;
    app.express.set("json replacer", undefined);
    const list = await fetch(`${app.url}/api/log-user/tasks`, { headers: auth });
    expect(list.status).toBe(200);
  });
});
