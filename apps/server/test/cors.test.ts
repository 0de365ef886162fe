import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { startTestApp, type TestApp } from "./test-app.js";

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({ corsOrigins: ["http://localhost:3000", "https://app.example.com"] });
});
afterAll(() => app.close());

function preflight(origin: string, method = "PUT") {
  return fetch(`${app.url}/api/alice/tasks/x`, {
    method: "OPTIONS",
    headers: {
      origin,
      "access-control-request-method": method,
      "access-control-request-headers": "authorization, content-type",
    },
  });
}

describe("CORS", () => {
  it("allows a listed origin's preflight: that exact origin, credentials, the API's methods and headers", async () => {
    const res = await preflight("https://app.example.com");
    expect(res.status).toBeLessThan(300);
    expect(res.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
    expect(res.headers.get("access-control-allow-credentials")).toBe("true");
    const methods = res.headers.get("access-control-allow-methods")?.split(",") ?? [];
    for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE"])
      expect(methods).toContain(method);
    const headers = res.headers.get("access-control-allow-headers")?.toLowerCase() ?? "";
    for (const header of [
      "authorization",
      "content-type",
      "if-match",
      "if-none-match",
      "idempotency-key",
    ])
      expect(headers).toContain(header);
  });

  it("logs a refused origin once, naming the variable that would allow it", async () => {
    for (let i = 0; i < 3; i++) await preflight("https://refused.example.com");
    const lines = app.logs.filter((line) => line.origin === "https://refused.example.com");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 40 });
    expect(String(lines[0]!.msg)).toContain("CORS_ORIGINS");
  });

  it("gives an unlisted origin no CORS headers at all, never *", async () => {
    const res = await preflight("https://evil.example.com");
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
    expect(res.headers.get("access-control-allow-credentials")).toBeNull();
    const simple = await fetch(`${app.url}/health`, {
      headers: { origin: "https://evil.example.com" },
    });
    expect(simple.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("answers a listed origin's request with its origin and exposes X-Total-Count and Location", async () => {
    const token = await app.token("alice");
    const res = await fetch(`${app.url}/api/alice/tasks`, {
      headers: { origin: "http://localhost:3000", authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe("http://localhost:3000");
    expect(res.headers.get("vary")).toMatch(/Origin/i);
    const exposed = res.headers.get("access-control-expose-headers")?.toLowerCase() ?? "";
    for (const header of ["x-total-count", "location", "etag", "idempotent-replayed"])
      expect(exposed).toContain(header);
  });

  it("says Vary: Origin on /trpc too, beside tRPC's own Vary, so no cache serves one origin's answer to another", async () => {
    const token = await app.token("alice");
    for (const path of ["/trpc/task.list", "/trpc/health", "/trpc/task.list,health?batch=1"]) {
      const res = await fetch(`${app.url}${path}`, {
        headers: { origin: "http://localhost:3000", authorization: `Bearer ${token}` },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get("access-control-allow-origin")).toBe("http://localhost:3000");
      const vary = (res.headers.get("vary") ?? "").split(/\s*,\s*/).map((v) => v.toLowerCase());
      expect(vary).toEqual(expect.arrayContaining(["origin", "trpc-accept", "accept"]));
    }
  });

  it("keeps CORS headers on error responses, so the browser can read the detail", async () => {
    const res = await fetch(`${app.url}/api/alice/tasks`, {
      headers: { origin: "http://localhost:3000" },
    });
    expect(res.status).toBe(401);
    expect(res.headers.get("access-control-allow-origin")).toBe("http://localhost:3000");
  });
});
