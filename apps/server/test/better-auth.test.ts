import { createTokenVerifier } from "@todo/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { startBetterAuth, type RunningBetterAuth } from "../src/testing/better-auth.js";
import { startTestApp, type TestApp } from "./test-app.js";

// The tokens of a genuine Better Auth (its JWT plugin, and its session cookie
// cache), as the frontends send them, against our REST routes and tRPC.

const SECRET = "better-auth-secret-of-at-least-32-characters";

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

function createTask(app: TestApp, userId: string, token: string) {
  return fetch(`${app.url}/api/${encodeURIComponent(userId)}/tasks`, {
    method: "POST",
    headers: { ...bearer(token), "content-type": "application/json" },
    body: JSON.stringify({ title: "from Better Auth" }),
  });
}

describe("a Better Auth JWT plugin token (EdDSA, its key set)", () => {
  let betterAuthServer: RunningBetterAuth;
  let app: TestApp;
  beforeAll(async () => {
    betterAuthServer = await startBetterAuth({ secret: SECRET });
    app = await startTestApp({
      verifier: createTokenVerifier({
        jwksUrl: `${betterAuthServer.url}/api/auth/jwks`,
        issuer: betterAuthServer.url,
        audience: betterAuthServer.url,
      }),
    });
  });
  afterAll(async () => {
    await app?.close();
    await betterAuthServer?.stop();
  });

  it("is accepted over REST and tRPC for its own user only", async () => {
    const alice = await betterAuthServer.signUp("alice@example.com");
    const bob = await betterAuthServer.signUp("bob@example.com");
    const aliceToken = await betterAuthServer.token(alice);
    const bobToken = await betterAuthServer.token(bob);

    const created = await createTask(app, alice.userId, aliceToken);
    expect(created.status).toBe(201);
    const task = (await created.json()) as { id: string; user_id: string };
    expect(task.user_id).toBe(alice.userId);

    const list = await fetch(`${app.url}/api/${alice.userId}/tasks`, {
      headers: bearer(aliceToken),
    });
    expect(list.status).toBe(200);
    expect(((await list.json()) as unknown[]).length).toBe(1);

    // Bob's token on Alice's path, and on Alice's task over tRPC.
    expect((await createTask(app, alice.userId, bobToken)).status).toBe(403);
    const input = encodeURIComponent(JSON.stringify({ id: task.id }));
    const byId = await fetch(`${app.url}/trpc/task.byId?input=${input}`, {
      headers: bearer(bobToken),
    });
    expect(byId.status).toBe(404);
    expect(((await byId.json()) as { error: { data: { code: string } } }).error.data.code).toBe(
      "NOT_FOUND",
    );
    const own = await fetch(`${app.url}/trpc/task.byId?input=${input}`, {
      headers: bearer(aliceToken),
    });
    expect(own.status).toBe(200);
  });

  it("is accepted when got on the server, as a Next.js server component does (auth.api.getToken)", async () => {
    const frank = await betterAuthServer.signUp("frank@example.com");
    const token = await betterAuthServer.tokenOnServer(frank);

    const res = await fetch(`${app.url}/trpc/task.list`, { headers: bearer(token) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { result: { data: { total: number } } };
    expect(body.result.data.total).toBe(0);
    const created = await createTask(app, frank.userId, token);
    expect(created.status).toBe(201);
  });

  it("is refused when it comes from a Better Auth at another base URL", async () => {
    const elsewhere = await startBetterAuth({ secret: SECRET });
    try {
      const carol = await elsewhere.signUp("carol@example.com");
      const token = await elsewhere.token(carol);
      // The same keys as the other Better Auth's, so only iss/aud can refuse it.
      const sameKeys = await startTestApp({
        verifier: createTokenVerifier({
          jwksUrl: `${elsewhere.url}/api/auth/jwks`,
          issuer: betterAuthServer.url,
          audience: betterAuthServer.url,
        }),
      });
      try {
        const res = await fetch(`${sameKeys.url}/api/${carol.userId}/tasks`, {
          headers: bearer(token),
        });
        expect(res.status).toBe(401);
        expect(await res.json()).toEqual({ detail: "Invalid token" });
      } finally {
        await sameKeys.close();
      }
      const res = await fetch(`${app.url}/api/${carol.userId}/tasks`, { headers: bearer(token) });
      expect(res.status).toBe(401);
    } finally {
      await elsewhere.stop();
    }
  });
});

describe("Better Auth's key rotation", () => {
  it("accepts tokens signed by the old key and the new one during the grace period", async () => {
    const rotating = await startBetterAuth({
      secret: SECRET,
      rotation: { rotationInterval: 1, gracePeriod: 3600 },
    });
    const app = await startTestApp({
      verifier: createTokenVerifier({
        jwksUrl: `${rotating.url}/api/auth/jwks`,
        issuer: rotating.url,
        audience: rotating.url,
      }),
    });
    try {
      const dana = await rotating.signUp("dana@example.com");
      const oldToken = await rotating.token(dana);
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const newToken = await rotating.token(dana);
      const kid = (token: string) =>
        (JSON.parse(Buffer.from(token.split(".")[0]!, "base64url").toString()) as { kid: string })
          .kid;
      expect(kid(newToken)).not.toBe(kid(oldToken));
      for (const token of [newToken, oldToken]) {
        const res = await fetch(`${app.url}/api/${dana.userId}/tasks`, { headers: bearer(token) });
        expect(res.status).toBe(200);
      }
    } finally {
      await app.close();
      await rotating.stop();
    }
  });
});

describe("Better Auth's session cookie cache (strategy jwt) sent as the Bearer token", () => {
  it("is accepted for its session's user, and refused once expired", async () => {
    const caching = await startBetterAuth({ secret: SECRET, cookieCacheSeconds: 2 });
    const app = await startTestApp({
      verifier: createTokenVerifier({ secret: SECRET, clockToleranceSeconds: 0 }),
    });
    try {
      const erin = await caching.signUp("erin@example.com");
      const sessionData = erin.cookies.get("better-auth.session_data");
      expect(sessionData).toBeTruthy();
      const res = await createTask(app, erin.userId, sessionData!);
      expect(res.status).toBe(201);
      expect(((await res.json()) as { user_id: string }).user_id).toBe(erin.userId);

      await new Promise((resolve) => setTimeout(resolve, 3_100));
      const expired = await fetch(`${app.url}/api/${erin.userId}/tasks`, {
        headers: bearer(sessionData!),
      });
      expect(expired.status).toBe(401);
      expect(await expired.json()).toEqual({ detail: "Token expired" });
    } finally {
      await app.close();
      await caching.stop();
    }
  });
});

describe("the Better Auth test server's trusted origins (for a web app in a browser)", () => {
  it("lets a trusted origin sign up and out with credentials over CORS, and refuses another", async () => {
    const app = "http://127.0.0.1:3999";
    const trusting = await startBetterAuth({ secret: SECRET, trustedOrigins: [app] });
    const signUp = (origin: string, email: string) =>
      fetch(`${trusting.url}/api/auth/sign-up/email`, {
        method: "POST",
        headers: { "content-type": "application/json", origin },
        body: JSON.stringify({ email, password: "a long enough password", name: "Fay" }),
      });
    try {
      const preflight = await fetch(`${trusting.url}/api/auth/sign-up/email`, {
        method: "OPTIONS",
        headers: {
          origin: app,
          "access-control-request-method": "POST",
          "access-control-request-headers": "content-type",
        },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get("access-control-allow-origin")).toBe(app);
      expect(preflight.headers.get("access-control-allow-credentials")).toBe("true");

      const trusted = await signUp(app, "fay@example.com");
      expect(trusted.status).toBe(200);
      expect(trusted.headers.get("access-control-allow-origin")).toBe(app);
      const cookie = trusted.headers
        .getSetCookie()
        .map((line) => line.split(";")[0])
        .join("; ");

      // With the session's cookies, Better Auth checks the Origin itself.
      const signOut = (origin: string) =>
        fetch(`${trusting.url}/api/auth/sign-out`, {
          method: "POST",
          headers: { "content-type": "application/json", origin, cookie },
          body: "{}",
        });
      const elsewhere = await signOut("http://127.0.0.1:4999");
      expect(elsewhere.status).toBe(403);
      expect(elsewhere.headers.get("access-control-allow-origin")).toBeNull();
      expect((await signOut(app)).status).toBe(200);
    } finally {
      await trusting.stop();
    }
  });
});
