import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { startTestApp, type TestApp } from "./test-app.js";

let app: TestApp;
let token: string;

beforeAll(async () => {
  app = await startTestApp();
  token = await app.token("trpc-user");
});
afterAll(() => app.close());

const auth = () => ({ authorization: `Bearer ${token}` });

describe("/trpc", () => {
  it("runs a mutation and a query with the token's user", async () => {
    const created = await fetch(`${app.url}/trpc/task.create`, {
      method: "POST",
      headers: { ...auth(), "content-type": "application/json" },
      body: JSON.stringify({ title: "Over tRPC", dueDate: "2026-05-01T00:00:00Z" }),
    });
    expect(created.status).toBe(200);
    const task = ((await created.json()) as { result: { data: Record<string, unknown> } }).result
      .data;
    expect(task).toMatchObject({
      userId: "trpc-user",
      title: "Over tRPC",
      dueDate: "2026-05-01T00:00:00.000Z",
    });

    const input = encodeURIComponent(JSON.stringify({ id: task.id }));
    const read = await fetch(`${app.url}/trpc/task.byId?input=${input}`, { headers: auth() });
    expect(((await read.json()) as { result: { data: unknown } }).result.data).toEqual(task);
  });

  it("answers a batch of calls in one HTTP request", async () => {
    const input = encodeURIComponent(
      JSON.stringify({ 0: {}, 1: { status: "pending" }, 2: undefined }),
    );
    const res = await fetch(`${app.url}/trpc/task.list,task.list,health?batch=1&input=${input}`, {
      headers: auth(),
    });
    expect(res.status).toBe(200);
    const results = (await res.json()) as Array<{ result: { data: unknown } }>;
    expect(results).toHaveLength(3);
    expect(results[2]?.result.data).toEqual({ status: "ok", database: "ok" });
  });

  it("is 401 UNAUTHORIZED with WWW-Authenticate for a missing token, and health stays public", async () => {
    const res = await fetch(`${app.url}/trpc/task.list`);
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe("Bearer");
    const body = (await res.json()) as { error: { message: string; data: { code: string } } };
    expect(body.error.data.code).toBe("UNAUTHORIZED");
    expect(body.error.message).toBe("Not authenticated");
    expect((await fetch(`${app.url}/trpc/health`)).status).toBe(200);
  });

  it("answers a bad input with BAD_REQUEST and the zod issues, without a stack trace", async () => {
    const res = await fetch(`${app.url}/trpc/task.create`, {
      method: "POST",
      headers: { ...auth(), "content-type": "application/json" },
      body: JSON.stringify({ title: "" }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { data: Record<string, unknown> } };
    expect(body.error.data.code).toBe("BAD_REQUEST");
    expect(body.error.data.issues).toEqual([
      expect.objectContaining({ path: ["title"], code: "too_small" }),
    ]);
    expect(JSON.stringify(body)).not.toMatch(/stack|at .*\.ts/);
  });

  it("answers another user's task with NOT_FOUND", async () => {
    const other = await app.token("someone-else");
    const created = await fetch(`${app.url}/trpc/task.create`, {
      method: "POST",
      headers: { authorization: `Bearer ${other}`, "content-type": "application/json" },
      body: JSON.stringify({ title: "Not yours" }),
    });
    const { id } = ((await created.json()) as { result: { data: { id: string } } }).result.data;
    const res = await fetch(
      `${app.url}/trpc/task.byId?input=${encodeURIComponent(JSON.stringify({ id }))}`,
      {
        headers: auth(),
      },
    );
    expect(res.status).toBe(404);
  });
});

describe("GET /health", () => {
  it("is public and says the database is ok", async () => {
    const res = await fetch(`${app.url}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok", database: "ok" });
  });
});
