import { createTokenVerifier } from "@todo/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { startBetterAuth, type RunningBetterAuth } from "../src/testing/better-auth.js";
import { startTestApp, type TestApp } from "./test-app.js";

// The tokens of a genuine Better Auth (its JWT plugin, and its session cookie
// cache), as the frontends send them, against our REST routes and tRPC.

const SECRET = "better-auth-secret-of-at-least-32-characters";

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

interface TrpcAnswer {
  status: number;
  data?: Record<string, unknown>;
  code?: string;
}

/** A tRPC query (GET) or mutation (POST) over HTTP, as a frontend sends it. */
async function callTrpc(
  app: TestApp,
  token: string,
  procedure: string,
  input: unknown,
  kind: "query" | "mutation" = "mutation",
): Promise<TrpcAnswer> {
  const res =
    kind === "query"
      ? await fetch(
          `${app.url}/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify(input))}`,
          { headers: bearer(token) },
        )
      : await fetch(`${app.url}/trpc/${procedure}`, {
          method: "POST",
          headers: { ...bearer(token), "content-type": "application/json" },
          body: JSON.stringify(input),
        });
  const body = (await res.json()) as {
    result?: { data: Record<string, unknown> };
    error?: { data: { code: string } };
  };
  return { status: res.status, data: body.result?.data, code: body.error?.data.code };
}

/** Create, update, toggle, set and delete over tRPC, each answered for `userId`. */
async function runTrpcMutations(app: TestApp, token: string, userId: string) {
  const created = await callTrpc(app, token, "task.create", { title: "over tRPC" });
  expect(created).toMatchObject({ status: 200, data: { userId, title: "over tRPC", version: 1 } });
  const id = created.data!.id;
  expect(await callTrpc(app, token, "task.update", { id, title: "renamed" })).toMatchObject({
    status: 200,
    data: { userId, title: "renamed", version: 2 },
  });
  expect(await callTrpc(app, token, "task.toggleComplete", { id })).toMatchObject({
    status: 200,
    data: { completed: true, version: 3 },
  });
  expect(
    await callTrpc(app, token, "task.setCompleted", { id, completed: false, expectedVersion: 3 }),
  ).toMatchObject({ status: 200, data: { completed: false, version: 4 } });
  expect(await callTrpc(app, token, "task.delete", { id })).toEqual({ status: 200, data: { id } });
  expect(await callTrpc(app, token, "task.byId", { id }, "query")).toMatchObject({
    status: 404,
    code: "NOT_FOUND",
  });
}

const kidOf = (token: string) =>
  (JSON.parse(Buffer.from(token.split(".")[0]!, "base64url").toString()) as { kid: string }).kid;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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

  it("runs tRPC mutations for its own user, and another user's task is NOT_FOUND to them", async () => {
    const grace = await betterAuthServer.signUp("grace@example.com");
    const heidi = await betterAuthServer.signUp("heidi@example.com");
    const graceToken = await betterAuthServer.token(grace);
    const heidiToken = await betterAuthServer.token(heidi);
    await runTrpcMutations(app, graceToken, grace.userId);

    const created = await callTrpc(app, graceToken, "task.create", { title: "Grace's" });
    const id = created.data!.id;
    for (const [procedure, input] of [
      ["task.update", { id, title: "Heidi's now" }],
      ["task.toggleComplete", { id }],
      ["task.setCompleted", { id, completed: true }],
      ["task.delete", { id }],
    ] as const) {
      expect(await callTrpc(app, heidiToken, procedure, input)).toMatchObject({
        status: 404,
        code: "NOT_FOUND",
      });
    }
    expect(await callTrpc(app, graceToken, "task.byId", { id }, "query")).toMatchObject({
      status: 200,
      data: { title: "Grace's", completed: false, version: 1 },
    });
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
  it("accepts the new key's first token right after the API fetched the old set, and the old key's during the grace period", async () => {
    const rotating = await startBetterAuth({
      secret: SECRET,
      rotation: { rotationInterval: 1, gracePeriod: 3600 },
    });
    // The key-set cooldown at its default (5 s), as in production.
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
      // The API fetches the key set for it: the old key is the only one yet,
      // as Better Auth makes a key when it first signs with it.
      expect(await callTrpc(app, oldToken, "task.create", { title: "before" })).toMatchObject({
        status: 200,
        data: { userId: dana.userId },
      });
      expect(rotating.keySetRequests).toBe(1);

      await sleep(1_500); // past rotationInterval: the next token is signed by a new key
      const newToken = await rotating.token(dana);
      expect(kidOf(newToken)).not.toBe(kidOf(oldToken));
      // Its kid is unknown to the API, seconds after its fetch: within the
      // cooldown, it waits for the cooldown's end and fetches the set again.
      await runTrpcMutations(app, newToken, dana.userId);
      expect(rotating.keySetRequests).toBe(2);
      const list = await fetch(`${app.url}/api/${dana.userId}/tasks`, {
        headers: bearer(newToken),
      });
      expect(list.status).toBe(200);

      // The old key is still in the set (its grace period): no fetch needed.
      expect(
        await callTrpc(app, oldToken, "task.list", { search: "before" }, "query"),
      ).toMatchObject({ status: 200, data: { total: 1 } });
      expect((await createTask(app, dana.userId, oldToken)).status).toBe(201);
      expect(rotating.keySetRequests).toBe(2);
    } finally {
      await app.close();
      await rotating.stop();
    }
  });
});

describe("Better Auth's session cookie cache (strategy jwt) sent as the Bearer token", () => {
  const verifierOf = (betterAuth: RunningBetterAuth, clockToleranceSeconds?: number) =>
    createTokenVerifier({
      secret: SECRET,
      jwksUrl: `${betterAuth.url}/api/auth/jwks`,
      issuer: betterAuth.url,
      audience: betterAuth.url,
      ...(clockToleranceSeconds === undefined ? {} : { clockToleranceSeconds }),
    });

  it("is accepted for its session's user, over REST and tRPC mutations", async () => {
    const caching = await startBetterAuth({ secret: SECRET, cookieCacheSeconds: 300 });
    const app = await startTestApp({ verifier: verifierOf(caching) });
    try {
      const erin = await caching.signUp("erin@example.com");
      const sessionData = erin.cookies.get("better-auth.session_data");
      expect(sessionData).toBeTruthy();
      // HS256 with the secret, as the contract describes it, and no sub.
      expect(JSON.parse(Buffer.from(sessionData!.split(".")[0]!, "base64url").toString())).toEqual({
        alg: "HS256",
      });
      const res = await createTask(app, erin.userId, sessionData!);
      expect(res.status).toBe(201);
      expect(((await res.json()) as { user_id: string }).user_id).toBe(erin.userId);
      await runTrpcMutations(app, sessionData!, erin.userId);
    } finally {
      await app.close();
      await caching.stop();
    }
  });

  it("is refused once expired", async () => {
    const caching = await startBetterAuth({ secret: SECRET, cookieCacheSeconds: 2 });
    const app = await startTestApp({ verifier: verifierOf(caching, 0) });
    try {
      const ivan = await caching.signUp("ivan@example.com");
      const sessionData = ivan.cookies.get("better-auth.session_data")!;
      expect((await createTask(app, ivan.userId, sessionData)).status).toBe(201);

      await sleep(3_100);
      const expired = await fetch(`${app.url}/api/${ivan.userId}/tasks`, {
        headers: bearer(sessionData),
      });
      expect(expired.status).toBe(401);
      expect(await expired.json()).toEqual({ detail: "Token expired" });
    } finally {
      await app.close();
      await caching.stop();
    }
  });

  it("is refused when signed with the key set (jwt({ sessionCookieCache: true })): its audience is Better Auth's own", async () => {
    const caching = await startBetterAuth({
      secret: SECRET,
      cookieCacheSeconds: 300,
      cookieCacheSignedWithKeySet: true,
    });
    const verifier = verifierOf(caching);
    const app = await startTestApp({ verifier });
    try {
      const judy = await caching.signUp("judy@example.com");
      const sessionData = judy.cookies.get("better-auth.session_data")!;
      const [header, payload] = sessionData
        .split(".")
        .slice(0, 2)
        .map((part) => JSON.parse(Buffer.from(part, "base64url").toString()) as object);
      expect(header).toMatchObject({ alg: "EdDSA", typ: "better-auth.session-cache+jwt" });
      expect(payload).toMatchObject({
        sub: judy.userId,
        iss: caching.url,
        aud: "better-auth:session-cache",
      });

      const res = await createTask(app, judy.userId, sessionData);
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ detail: "Invalid token" });
      expect(await callTrpc(app, sessionData, "task.create", { title: "no" })).toMatchObject({
        status: 401,
        code: "UNAUTHORIZED",
      });
      // Its key is in the set and its signature holds: the audience refuses it.
      expect(await verifier.verifyBearerToken(`Bearer ${sessionData}`)).toEqual({
        ok: false,
        failure: "invalid",
        reason: "aud is not the expected audience",
      });
      // The JWT plugin's own token for the same session is the one to send.
      expect((await createTask(app, judy.userId, await caching.token(judy))).status).toBe(201);
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
