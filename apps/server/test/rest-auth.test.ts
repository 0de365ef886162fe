import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { startTestApp, type TestApp } from "./test-app.js";

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

let counter = 0;
const uniqueEmail = (label = "user") => `${label}-${++counter}-${Date.now()}@example.com`;

function send(
  method: string,
  path: string,
  init: { body?: unknown; rawBody?: string; contentType?: string; token?: string } = {},
) {
  const headers: Record<string, string> = {};
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  let body: string | undefined = init.rawBody;
  if (init.body !== undefined) body = JSON.stringify(init.body);
  if (body !== undefined) headers["content-type"] = init.contentType ?? "application/json";
  return fetch(`${app.url}${path}`, { method, headers, body });
}

interface RestSession {
  token: string;
  token_type: string;
  expires_in: number;
  user: { id: string; email: string; name: string | null; created_at: string };
}

async function signUp(body: Record<string, unknown> = {}) {
  const credentials = { email: uniqueEmail(), password: "correct horse battery", ...body };
  const res = await send("POST", "/auth/signup", { body: credentials });
  expect(res.status).toBe(201);
  return { ...credentials, session: (await res.json()) as RestSession };
}

async function expectDetail(res: Response, status: number, detail: unknown) {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  expect(await res.json()).toEqual({ detail });
}

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe("the whole flow over REST", () => {
  it("signs up, logs in, creates a task with the login's token as user.id, and lists it", async () => {
    const email = uniqueEmail("flow");
    const signup = await send("POST", "/auth/signup", {
      body: { email, password: "correct horse battery", name: "Flo" },
    });
    expect(signup.status).toBe(201);
    const { user } = (await signup.json()) as RestSession;

    const login = await send("POST", "/auth/login", {
      body: { email, password: "correct horse battery" },
    });
    expect(login.status).toBe(200);
    const { token, user: loggedIn } = (await login.json()) as RestSession;
    expect(loggedIn).toEqual(user);

    const created = await send("POST", `/api/${user.id}/tasks`, {
      token,
      body: { title: "My first task", priority: "high" },
    });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ user_id: user.id, title: "My first task" });

    const listed = await send("GET", `/api/${user.id}/tasks`, { token });
    expect(listed.status).toBe(200);
    expect(listed.headers.get("x-total-count")).toBe("1");
    expect(((await listed.json()) as Array<{ title: string }>).map((t) => t.title)).toEqual([
      "My first task",
    ]);

    const me = await send("GET", "/auth/me", { token });
    expect(await me.json()).toEqual(user);
  });

  it("keeps one user's token out of another user's tasks: 403", async () => {
    const alice = await signUp();
    const bob = await signUp();
    const res = await send("GET", `/api/${bob.session.user.id}/tasks`, {
      token: alice.session.token,
    });
    await expectDetail(res, 403, "Access forbidden");
  });
});

describe("POST /auth/signup", () => {
  it("answers 201 with token, token_type, expires_in and the user in snake_case, never cached", async () => {
    const res = await send("POST", "/auth/signup", {
      body: { email: "New.Person@Example.COM", password: "correct horse battery", name: "New" },
    });
    expect(res.status).toBe(201);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const body = (await res.json()) as RestSession;
    expect(Object.keys(body).sort()).toEqual(["expires_in", "token", "token_type", "user"]);
    expect(body).toEqual({
      token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
      token_type: "bearer",
      expires_in: 7 * 24 * 3600,
      user: {
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        email: "new.person@example.com",
        name: "New",
        created_at: expect.stringMatching(ISO_UTC),
      },
    });
  });

  it("answers 409 'Email already registered' for an email taken in any letter case", async () => {
    const { email } = await signUp();
    for (const again of [email, email.toUpperCase()]) {
      const res = await send("POST", "/auth/signup", {
        body: { email: again, password: "another password" },
      });
      await expectDetail(res, 409, "Email already registered");
    }
  });

  it("answers 422 for a malformed email, as Pydantic's EmailStr does", async () => {
    const res = await send("POST", "/auth/signup", {
      body: { email: "not-an-email", password: "correct horse battery" },
    });
    await expectDetail(res, 422, [
      {
        type: "value_error",
        loc: ["body", "email"],
        msg: "value is not a valid email address: An email address must have an @-sign.",
        input: "not-an-email",
        ctx: { reason: "An email address must have an @-sign." },
      },
    ]);
  });

  it("answers 422 for a password under 8 or over 128 characters, without echoing it", async () => {
    const short = await send("POST", "/auth/signup", {
      body: { email: uniqueEmail(), password: "1234567" },
    });
    await expectDetail(short, 422, [
      {
        type: "string_too_short",
        loc: ["body", "password"],
        msg: "String should have at least 8 characters",
        ctx: { min_length: 8 },
      },
    ]);
    const long = await send("POST", "/auth/signup", {
      body: { email: uniqueEmail(), password: "x".repeat(129) },
    });
    await expectDetail(long, 422, [
      {
        type: "string_too_long",
        loc: ["body", "password"],
        msg: "String should have at most 128 characters",
        ctx: { max_length: 128 },
      },
    ]);
  });

  it("answers 422 'Field required' for each missing field, and for a password that is not a string", async () => {
    const missing = await send("POST", "/auth/signup", { body: {} });
    await expectDetail(missing, 422, [
      { type: "missing", loc: ["body", "email"], msg: "Field required" },
      { type: "missing", loc: ["body", "password"], msg: "Field required" },
    ]);
    const numeric = await send("POST", "/auth/signup", {
      body: { email: uniqueEmail(), password: 12345678 },
    });
    await expectDetail(numeric, 422, [
      { type: "string_type", loc: ["body", "password"], msg: "Input should be a valid string" },
    ]);
  });

  it("answers 422 for a name over 100 characters, and for a body that is not an object", async () => {
    const named = await send("POST", "/auth/signup", {
      body: { email: uniqueEmail(), password: "correct horse battery", name: "n".repeat(101) },
    });
    expect(named.status).toBe(422);
    expect(((await named.json()) as { detail: Array<{ loc: unknown }> }).detail[0]?.loc).toEqual([
      "body",
      "name",
    ]);
    const array = await send("POST", "/auth/signup", { body: ["email", "password"] });
    expect(array.status).toBe(422);
  });

  it("answers 400, 413 and 415 for a malformed, oversized or non-JSON body, as the task routes do", async () => {
    await expectDetail(
      await send("POST", "/auth/signup", { rawBody: '{"email": ' }),
      400,
      "Malformed JSON body",
    );
    await expectDetail(
      await send("POST", "/auth/signup", {
        body: { email: uniqueEmail(), password: "p".repeat(200_000) },
      }),
      413,
      "Request body too large",
    );
    await expectDetail(
      await send("POST", "/auth/signup", {
        rawBody: "email=a@example.com",
        contentType: "application/x-www-form-urlencoded",
      }),
      415,
      "Unsupported media type",
    );
  });
});

describe("POST /auth/login", () => {
  it("answers 200 with the same shape as signup, for the email in any letter case", async () => {
    const { email, password, session } = await signUp({ name: "Lee" });
    const res = await send("POST", "/auth/login", {
      body: { email: email.toUpperCase(), password },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(await res.json()).toEqual({ ...session, token: expect.any(String) });
  });

  it("answers the same 401 'Invalid email or password' for an unknown email and a wrong password", async () => {
    const { email } = await signUp();
    const wrongPassword = await send("POST", "/auth/login", {
      body: { email, password: "not the password" },
    });
    const unknownEmail = await send("POST", "/auth/login", {
      body: { email: uniqueEmail("nobody"), password: "correct horse battery" },
    });
    for (const res of [wrongPassword, unknownEmail]) {
      expect(res.headers.get("www-authenticate")).toBe("Bearer");
      await expectDetail(res, 401, "Invalid email or password");
    }
  });

  it("answers 422 for a malformed email and a missing password", async () => {
    const res = await send("POST", "/auth/login", { body: { email: "a@" } });
    await expectDetail(res, 422, [
      {
        type: "value_error",
        loc: ["body", "email"],
        msg: "value is not a valid email address: There must be something after the @-sign.",
        input: "a@",
        ctx: { reason: "There must be something after the @-sign." },
      },
      { type: "missing", loc: ["body", "password"], msg: "Field required" },
    ]);
  });
});

describe("GET /auth/me", () => {
  it("answers the token's user, never cached", async () => {
    const { session } = await signUp({ name: "Mia" });
    const res = await send("GET", "/auth/me", { token: session.token });
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(await res.json()).toEqual(session.user);
  });

  it("answers the usual 401s: no token, an expired one, a bad one", async () => {
    const missing = await send("GET", "/auth/me");
    expect(missing.headers.get("www-authenticate")).toBe("Bearer");
    await expectDetail(missing, 401, "Not authenticated");
    const { session } = await signUp();
    const expired = await app.token(session.user.id, {
      expiresAt: Math.floor(Date.now() / 1000) - 60,
    });
    await expectDetail(await send("GET", "/auth/me", { token: expired }), 401, "Token expired");
    const forged = await app.token(session.user.id, {
      secret: "another-secret-of-32-characters!!",
    });
    await expectDetail(await send("GET", "/auth/me", { token: forged }), 401, "Invalid token");
  });

  it("answers 404 'User not found' for a valid token of a user with no account here", async () => {
    const token = await app.token("better-auth-user-42");
    await expectDetail(await send("GET", "/auth/me", { token }), 404, "User not found");
  });
});

describe("wrong methods", () => {
  it.each([
    ["GET", "/auth/signup", "POST"],
    ["PUT", "/auth/login", "POST"],
    ["DELETE", "/auth/login", "POST"],
    ["POST", "/auth/me", "GET"],
  ])("%s %s is 405 with Allow: %s", async (method, path, allow) => {
    const res = await send(method, path);
    expect(res.headers.get("allow")).toBe(allow);
    await expectDetail(res, 405, "Method Not Allowed");
  });
});

describe("over /trpc", () => {
  const trpc = (path: string, input: unknown, token?: string) =>
    fetch(`${app.url}/trpc/${path}`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify(input),
    });

  it("signs up and logs in with camelCase fields, and auth.me answers the user", async () => {
    const email = uniqueEmail("trpc");
    const signup = await trpc("auth.signup", { email, password: "correct horse battery" });
    expect(signup.status).toBe(200);
    expect(signup.headers.get("cache-control")).toBe("no-store");
    const session = ((await signup.json()) as { result: { data: Record<string, unknown> } }).result
      .data;
    expect(session).toMatchObject({ tokenType: "bearer", expiresIn: 604800 });
    const login = await trpc("auth.login", { email, password: "correct horse battery" });
    const { token, user } = (
      (await login.json()) as { result: { data: { token: string; user: { id: string } } } }
    ).result.data;
    const me = await fetch(`${app.url}/trpc/auth.me`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(((await me.json()) as { result: { data: { id: string } } }).result.data.id).toBe(
      user.id,
    );
  });

  it("answers CONFLICT (409) for a taken email and UNAUTHORIZED (401) for bad credentials", async () => {
    const { email } = await signUp();
    const conflict = await trpc("auth.signup", {
      email: email.toUpperCase(),
      password: "whatever-1",
    });
    expect(conflict.status).toBe(409);
    expect(await conflict.json()).toMatchObject({
      error: { message: "Email already registered", data: { code: "CONFLICT" } },
    });
    const bad = await trpc("auth.login", { email, password: "wrong password" });
    expect(bad.status).toBe(401);
    expect(await bad.json()).toMatchObject({
      error: { message: "Invalid email or password", data: { code: "UNAUTHORIZED" } },
    });
  });
});

describe("secrets", () => {
  it("never puts a password or its hash in a response or a log line", async () => {
    const password = "Sup3r-Secret-Pa55word";
    const email = uniqueEmail("secret");
    const bodies: string[] = [];
    const record = async (res: Response) => bodies.push(await res.text());
    await record(await send("POST", "/auth/signup", { body: { email, password } }));
    await record(await send("POST", "/auth/signup", { body: { email, password } }));
    await record(await send("POST", "/auth/login", { body: { email, password } }));
    await record(await send("POST", "/auth/login", { body: { email, password: `${password}!` } }));
    await record(
      await send("POST", "/auth/signup", { body: { email: "bad", password: "Secret7" } }),
    );
    await record(await send("POST", "/auth/login", { body: { email: "bad", password } }));
    await record(
      await fetch(`${app.url}/trpc/auth.signup`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: "bad", password: "Secret7" }),
      }),
    );
    const stored = await app.db.user.findUniqueOrThrow({ where: { email } });
    const hashPart = stored.passwordHash.split("$").at(-1)!;
    for (const text of [...bodies, app.rawLogs()]) {
      for (const secret of [password, "Secret7", stored.passwordHash, hashPart, "argon2"]) {
        expect(text).not.toContain(secret);
      }
    }
    expect(app.logs.some((line) => line.msg === "login failed")).toBe(true);
  });
});
