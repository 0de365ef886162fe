import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { startTestApp, type TestApp } from "./test-app.js";

// LOCAL_AUTH=false: the server is built with no built-in accounts, for
// deployments whose users all come from Better Auth.

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({ localAuth: null });
});
afterAll(() => app.close());

const json = { "content-type": "application/json" };
const credentials = JSON.stringify({ email: "ada@example.com", password: "correct horse battery" });

describe("with LOCAL_AUTH=false", () => {
  it.each([
    ["POST", "/auth/signup"],
    ["POST", "/auth/login"],
    ["GET", "/auth/me"],
    ["GET", "/auth/signup"],
    ["DELETE", "/auth/me"],
  ])("%s %s is 404 'Not Found', as a path that does not exist", async (method, path) => {
    const token = await app.token("someone");
    const res = await fetch(`${app.url}${path}`, {
      method,
      headers: { ...json, authorization: `Bearer ${token}` },
      body: method === "POST" ? credentials : undefined,
    });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ detail: "Not Found" });
  });

  it("answers NOT_FOUND from auth.signup, auth.login and auth.me over /trpc", async () => {
    for (const [path, init] of [
      ["auth.signup", { method: "POST", headers: json, body: credentials }],
      ["auth.login", { method: "POST", headers: json, body: credentials }],
      ["auth.me", { headers: { authorization: `Bearer ${await app.token("someone")}` } }],
    ] as const) {
      const res = await fetch(`${app.url}/trpc/${path}`, init);
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({
        error: { message: "Not Found", data: { code: "NOT_FOUND" } },
      });
    }
  });

  it("leaves the /auth routes out of /openapi.json, and the task routes working", async () => {
    const doc = (await (await fetch(`${app.url}/openapi.json`)).json()) as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(doc.paths).filter((path) => path.startsWith("/auth"))).toEqual([]);
    const token = await app.token("alice");
    const res = await fetch(`${app.url}/api/alice/tasks`, {
      method: "POST",
      headers: { ...json, authorization: `Bearer ${token}` },
      body: JSON.stringify({ title: "Still works" }),
    });
    expect(res.status).toBe(201);
  });
});
