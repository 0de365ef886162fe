import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import {
  createTaskClient,
  isTaskClientError,
  TRPCClientError,
  type TaskClientError,
} from "../src/index.js";
import { startLiveServer } from "./live-server.js";

let server: Awaited<ReturnType<typeof startLiveServer>>;

beforeAll(async () => {
  server = await startLiveServer();
});

afterAll(async () => {
  await server?.close();
});

/** A client acting as a new user, and that user's id. */
async function clientForNewUser() {
  const userId = randomUUID();
  const token = await server.tokenFor(userId);
  return { userId, client: createTaskClient({ url: server.url, getToken: () => token }) };
}

/** Awaits `call`, expecting it to fail with a client error; returns the error. */
async function expectClientError(call: Promise<unknown>): Promise<TaskClientError> {
  const error = await call.then(
    () => {
      throw new Error("expected the call to fail, but it succeeded");
    },
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(TRPCClientError);
  if (!isTaskClientError(error)) throw error;
  return error;
}

function requestsSince(start: number) {
  return server.requests.slice(start);
}

describe("createTaskClient against the real router over HTTP", () => {
  it("creates, reads, updates, completes, lists and deletes a task", async () => {
    const { userId, client } = await clientForNewUser();

    const created = await client.task.create.mutate({
      title: "Buy milk",
      priority: "high",
      dueDate: "2026-12-01T10:00:00Z",
      tags: ["home"],
    });
    expect(created).toMatchObject({
      userId,
      title: "Buy milk",
      description: null,
      completed: false,
      priority: "high",
      dueDate: "2026-12-01T10:00:00.000Z",
      tags: ["home"],
    });
    expect(new Date(created.createdAt).toISOString()).toBe(created.createdAt);

    expect(await client.task.byId.query({ id: created.id })).toEqual(created);

    const updated = await client.task.update.mutate({
      id: created.id,
      title: "Buy oat milk",
      description: "2 l",
    });
    expect(updated).toMatchObject({
      id: created.id,
      title: "Buy oat milk",
      description: "2 l",
      priority: "high",
    });

    expect(await client.task.toggleComplete.mutate({ id: created.id })).toMatchObject({
      completed: true,
    });
    expect(
      await client.task.setCompleted.mutate({ id: created.id, completed: false }),
    ).toMatchObject({
      completed: false,
    });

    const done = await client.task.create.mutate({ title: "Pay rent", completed: true });
    const pending = await client.task.list.query({ status: "pending" });
    expect(pending.total).toBe(1);
    expect(pending.items.map((task) => task.id)).toEqual([created.id]);
    const all = await client.task.list.query();
    expect(all.total).toBe(2);
    expect(all.items.map((task) => task.id).sort()).toEqual([created.id, done.id].sort());

    expect(await client.task.delete.mutate({ id: created.id })).toEqual({ id: created.id });
    const gone = await expectClientError(client.task.byId.query({ id: created.id }));
    expect(gone.data?.code).toBe("NOT_FOUND");
  });

  it("sends calls made in the same tick as one HTTP request", async () => {
    const { client } = await clientForNewUser();
    const task = await client.task.create.mutate({ title: "Batched" });

    const start = server.requests.length;
    const [list, byId, health] = await Promise.all([
      client.task.list.query(),
      client.task.byId.query({ id: task.id }),
      client.health.query(),
    ]);

    expect(list.total).toBe(1);
    expect(byId.id).toBe(task.id);
    expect(health).toEqual({ status: "ok", database: "ok" });
    const requests = requestsSince(start);
    expect(requests).toHaveLength(1);
    expect(requests[0]?.url).toMatch(/^\/trpc\/task\.list,task\.byId,health\?batch=1&/);
  });

  it("asks an async getToken before each request, so a new token takes effect at once", async () => {
    const alice = await server.tokenFor(randomUUID());
    const bob = await server.tokenFor(randomUUID());
    let token = alice;
    const client = createTaskClient({
      url: server.url,
      getToken: async () => {
        await sleep(1);
        return token;
      },
    });

    const task = await client.task.create.mutate({ title: "Alice's" });
    token = bob;
    const error = await expectClientError(client.task.byId.query({ id: task.id }));
    expect(error.data?.code).toBe("NOT_FOUND");
    expect(error.message).toBe("Task not found");
    expect((await client.task.list.query()).total).toBe(0);
  });

  it("answers NOT_FOUND for another user's task, as for a missing one", async () => {
    const { client: alice } = await clientForNewUser();
    const { client: bob } = await clientForNewUser();
    const task = await alice.task.create.mutate({ title: "Private" });

    const others = await expectClientError(
      bob.task.update.mutate({ id: task.id, title: "Mine now" }),
    );
    const missing = await expectClientError(
      bob.task.update.mutate({ id: randomUUID(), title: "Mine now" }),
    );

    expect(others.data?.code).toBe("NOT_FOUND");
    expect(others.data?.httpStatus).toBe(404);
    expect(others.message).toBe(missing.message);
    expect((await alice.task.byId.query({ id: task.id })).title).toBe("Private");
  });

  it("sends no Authorization header without a token: UNAUTHORIZED, 'Not authenticated'", async () => {
    const client = createTaskClient({ url: server.url, getToken: () => null });
    const start = server.requests.length;

    const error = await expectClientError(client.task.list.query());

    expect(error.data?.code).toBe("UNAUTHORIZED");
    expect(error.data?.httpStatus).toBe(401);
    expect(error.message).toBe("Not authenticated");
    expect(requestsSince(start).map((request) => request.headers.authorization)).toEqual([
      undefined,
    ]);
    expect(await client.health.query()).toEqual({ status: "ok", database: "ok" });
  });

  it("answers an expired token with UNAUTHORIZED, 'Token expired'", async () => {
    const token = await server.tokenFor(randomUUID(), Math.floor(Date.now() / 1000) - 60);
    const client = createTaskClient({ url: server.url, getToken: () => token });

    const error = await expectClientError(client.task.list.query());

    expect(error.data?.code).toBe("UNAUTHORIZED");
    expect(error.message).toBe("Token expired");
  });

  it("answers a bad input with BAD_REQUEST and the zod issues", async () => {
    const { client } = await clientForNewUser();

    const error = await expectClientError(
      client.task.create.mutate({ title: "   ", tags: ["a", "A"] }),
    );

    expect(error.data?.code).toBe("BAD_REQUEST");
    expect(error.data?.httpStatus).toBe(400);
    expect(error.message).toBe("Invalid input");
    const issues = error.data?.issues;
    expect(Array.isArray(issues)).toBe(true);
    expect(issues?.map((issue) => issue.path)).toEqual([["title"], ["tags"]]);
  });

  it("sends the extra headers, but never an Authorization of theirs", async () => {
    const token = await server.tokenFor(randomUUID());
    let current: string | null = null;
    const client = createTaskClient({
      url: server.url,
      getToken: () => current,
      headers: { "x-trpc-source": "client-test", Authorization: "Bearer stale" },
    });
    const start = server.requests.length;

    await expectClientError(client.task.list.query());
    current = token;
    await client.task.list.query();

    expect(
      requestsSince(start).map(({ headers }) => [headers["x-trpc-source"], headers.authorization]),
    ).toEqual([
      ["client-test", undefined],
      ["client-test", `Bearer ${token}`],
    ]);
  });

  it("with onTokenRefused, sends a refused call once more with the next token", async () => {
    const userId = randomUUID();
    const tokens = ["not.a.token", await server.tokenFor(userId)];
    const refusals: string[] = [];
    const client = createTaskClient({
      url: server.url,
      getToken: () => tokens[0],
      onTokenRefused: () => refusals.push(tokens.shift() ?? ""),
    });
    const start = server.requests.length;

    const created = await client.task.create.mutate({ title: "Sent twice, stored once" });

    expect(created.userId).toBe(userId);
    expect(refusals).toEqual(["not.a.token"]);
    expect(requestsSince(start).map(({ headers }) => headers.authorization)).toEqual([
      "Bearer not.a.token",
      `Bearer ${tokens[0]}`,
    ]);
    expect((await client.task.list.query()).total).toBe(1);
  });

  it("with onTokenRefused, gives up after the second refusal", async () => {
    let refusals = 0;
    const client = createTaskClient({
      url: server.url,
      getToken: () => "not.a.token",
      onTokenRefused: () => (refusals += 1),
    });
    const start = server.requests.length;

    const error = await expectClientError(client.task.list.query());
    expect(error.data?.code).toBe("UNAUTHORIZED");
    expect(refusals).toBe(1);
    expect(requestsSince(start)).toHaveLength(2);
  });

  it("with onTokenRefused, never sends a refused login again: its UNAUTHORIZED is the password's", async () => {
    let refusals = 0;
    const sent: string[] = [];
    const client = createTaskClient({
      url: server.url,
      getToken: () => null,
      onTokenRefused: () => (refusals += 1),
      // The live server here has no accounts: this answer is the real server's to a wrong password.
      fetch: (input) => {
        sent.push(String(input));
        const error = {
          message: "Invalid email or password",
          code: -32001,
          data: { code: "UNAUTHORIZED", httpStatus: 401, path: "auth.login" },
        };
        return Promise.resolve(Response.json([{ error }], { status: 401 }));
      },
    });

    const error = await expectClientError(
      client.auth.login.mutate({ email: "ada@example.com", password: "wrong password" }),
    );

    expect(error.message).toBe("Invalid email or password");
    expect(refusals).toBe(0);
    expect(sent).toHaveLength(1);
  });

  it("without onTokenRefused, a refused call fails at once", async () => {
    const client = createTaskClient({ url: server.url, getToken: () => "not.a.token" });
    const start = server.requests.length;

    expect((await expectClientError(client.task.list.query())).data?.code).toBe("UNAUTHORIZED");
    expect(requestsSince(start)).toHaveLength(1);
  });

  it("sends its requests through the fetch it is given", async () => {
    const token = await server.tokenFor(randomUUID());
    const fetched: string[] = [];
    const client = createTaskClient({
      url: server.url,
      getToken: () => token,
      fetch: (input, init) => {
        fetched.push(String(input));
        return fetch(input, init);
      },
    });

    await client.task.list.query({ priority: "low" });

    expect(fetched).toHaveLength(1);
    expect(fetched[0]).toContain(`${server.url}/task.list?batch=1`);
  });
});
