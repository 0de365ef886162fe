import { request } from "node:http";

import { createDatabase } from "@todo/db";
import { createTestDatabase, holdFirstTaskTransaction } from "@todo/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { startTestApp, type TestApp } from "./test-app.js";

// The contract's "Concurrent edits and retries": ETags, conditional requests
// (RFC 9110 §13) and Idempotency-Key, over REST.

let app: TestApp;
let token: string;

beforeAll(async () => {
  app = await startTestApp();
  token = await app.token("editor");
});
afterAll(() => app.close());

const MISSING_ID = "6f1c2d3e-4b5a-4c6d-8e7f-0123456789ab";

function call(
  method: string,
  path: string,
  {
    headers = {},
    body,
    as = token,
    via = app,
    text = body === undefined ? undefined : JSON.stringify(body),
  }: {
    headers?: Record<string, string>;
    body?: unknown;
    /** The body's JSON text as sent (default: `body`'s). */
    text?: string;
    as?: string;
    via?: { url: string };
  } = {},
) {
  return fetch(`${via.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${as}`,
      ...(text === undefined ? {} : { "content-type": "application/json" }),
      ...headers,
    },
    body: text,
  });
}

/**
 * A second app on the same database whose first task transaction waits until
 * `release()`: the request that reaches it has claimed its key and is in
 * flight for as long as the test needs.
 */
async function startHeldApp() {
  const hold = holdFirstTaskTransaction(app.db);
  const held = await startTestApp({ db: hold.db });
  return {
    url: held.url,
    held: hold.held,
    release: hold.release,
    close: () => {
      hold.release();
      return held.close();
    },
  };
}

/** A request whose headers may repeat a name (each value its own header line), as fetch cannot send. */
function sendWithHeaderLines(
  method: string,
  path: string,
  headers: Record<string, string | string[]>,
  body: string,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${app.url}${path}`, { method, headers }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

interface RestTask {
  id: string;
  title: string;
  description: string | null;
  completed: boolean;
  version: number;
  updated_at: string;
}

async function created(body: Record<string, unknown> = { title: "Shared" }): Promise<RestTask> {
  const res = await call("POST", "/api/editor/tasks", { body });
  expect(res.status).toBe(201);
  return (await res.json()) as RestTask;
}

const taskPath = (id: string) => `/api/editor/tasks/${id}`;

/** Every write If-Match guards, on one task: method, path and body. */
const conditionalWrites = (id: string): Array<[string, string, unknown]> => [
  ["PUT", taskPath(id), { title: "Lost" }],
  ["PATCH", taskPath(id), { title: "Lost" }],
  ["PATCH", `${taskPath(id)}/complete`, undefined],
  ["DELETE", taskPath(id), undefined],
];

describe("version and ETag", () => {
  it("is 1 on create and +1 on every change, and every single-task answer carries it as a strong ETag", async () => {
    const post = await call("POST", "/api/editor/tasks", { body: { title: "Versioned" } });
    const task = (await post.json()) as RestTask;
    expect(task.version).toBe(1);
    expect(post.headers.get("etag")).toBe('"1"');

    const get = await call("GET", taskPath(task.id));
    expect(get.headers.get("etag")).toBe('"1"');
    const put = await call("PUT", taskPath(task.id), { body: { title: "Renamed" } });
    expect(put.headers.get("etag")).toBe('"2"');
    const patch = await call("PATCH", taskPath(task.id), { body: { priority: "high" } });
    expect(patch.headers.get("etag")).toBe('"3"');
    const complete = await call("PATCH", `${taskPath(task.id)}/complete`);
    expect(complete.headers.get("etag")).toBe('"4"');
    expect(((await complete.json()) as RestTask).version).toBe(4);
  });

  it("does not move for a write that changes nothing", async () => {
    const task = await created({ title: "Still", priority: "low" });
    for (const body of [{}, { title: "Still" }, { priority: "low" }]) {
      const res = await call("PUT", taskPath(task.id), { body });
      const after = (await res.json()) as RestTask;
      expect(after.version).toBe(1);
      expect(after.updated_at).toBe(task.updated_at);
    }
  });
});

describe("If-None-Match on GET /api/{user_id}/tasks/{id}", () => {
  it("is a 304 with the ETag and no body when it matches (weak comparison, * for any)", async () => {
    const task = await created();
    for (const header of ['"1"', 'W/"1"', '"7", "1"', "*"]) {
      const res = await call("GET", taskPath(task.id), { headers: { "if-none-match": header } });
      expect(res.status, header).toBe(304);
      expect(res.headers.get("etag")).toBe('"1"');
      expect(await res.text()).toBe("");
    }
    const stale = await call("GET", taskPath(task.id), { headers: { "if-none-match": '"2"' } });
    expect(stale.status).toBe(200);
  });
});

describe("If-Match on PUT, PATCH, PATCH …/complete and DELETE", () => {
  it("applies the write when the version is listed (strong comparison, * for any)", async () => {
    const task = await created();
    const put = await call("PUT", taskPath(task.id), {
      headers: { "if-match": '"9", "1"' },
      body: { title: "Matched" },
    });
    expect(put.status).toBe(200);
    const star = await call("PATCH", `${taskPath(task.id)}/complete`, {
      headers: { "if-match": "*" },
    });
    expect(star.status).toBe(200);
    const del = await call("DELETE", taskPath(task.id), { headers: { "if-match": '"3"' } });
    expect(del.status).toBe(204);
  });

  it("is a 412 with the current ETag, and nothing changes, for a stale or weak tag", async () => {
    const task = await created({ title: "Guarded" });
    for (const [method, path, body] of conditionalWrites(task.id)) {
      for (const header of ['"stale"', '"2"', 'W/"1"']) {
        const res = await call(method, path, { headers: { "if-match": header }, body });
        expect(res.status, `${method} ${path} ${header}`).toBe(412);
        expect(res.headers.get("etag")).toBe('"1"');
        expect(await res.json()).toEqual({ detail: "Precondition failed" });
      }
    }
    const after = (await (await call("GET", taskPath(task.id))).json()) as RestTask;
    expect(after).toMatchObject({ title: "Guarded", completed: false, version: 1 });
  });

  it("is a 412, never a 5xx, for a tag beyond any version a task can reach", async () => {
    const task = await created({ title: "Bounded" });
    for (const [method, path, body] of conditionalWrites(task.id)) {
      for (const header of ['"2147483648"', '"9999999999"', '"99999999999999999999"']) {
        const res = await call(method, path, { headers: { "if-match": header }, body });
        expect(res.status, `${method} ${path} ${header}`).toBe(412);
        expect(res.headers.get("etag")).toBe('"1"');
        expect(await res.json()).toEqual({ detail: "Precondition failed" });
      }
      const missing = path.replace(task.id, MISSING_ID);
      const res = await call(method, missing, { headers: { "if-match": '"2147483648"' }, body });
      expect(res.status, `${method} ${missing}`).toBe(404);
    }
    expect(((await (await call("GET", taskPath(task.id))).json()) as RestTask).version).toBe(1);
  });

  it("reads a long list as RFC 9110 does: a 412 when no tag matches, the write when one does", async () => {
    const task = await created({ title: "Listed" });
    const tags = (versions: number[]) => versions.map((version) => `"${version}"`).join(", ");
    const others = Array.from({ length: 1500 }, (_, i) => i + 2);
    const none = await call("PUT", taskPath(task.id), {
      headers: { "if-match": tags(others) },
      body: { title: "Lost" },
    });
    expect(none.status).toBe(412);
    expect(none.headers.get("etag")).toBe('"1"');
    expect(await none.json()).toEqual({ detail: "Precondition failed" });

    const repeated = await call("PUT", taskPath(task.id), {
      headers: { "if-match": tags(Array.from({ length: 200 }, () => 1)) },
      body: { title: "Won once" },
    });
    expect(repeated.status).toBe(200);
    const last = await call("PUT", taskPath(task.id), {
      headers: { "if-match": tags([...others.filter((v) => v !== 2), 2]) },
      body: { title: "Won twice" },
    });
    expect(last.status).toBe(200);
    expect(last.headers.get("etag")).toBe('"3"');
  });

  it("is a 404 for a missing task whatever the If-Match (the order of checks)", async () => {
    const res = await call("PUT", taskPath(MISSING_ID), {
      headers: { "if-match": '"1"' },
      body: { title: "x" },
    });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ detail: "Task not found" });
  });

  it("lets exactly one of two writes carrying the same If-Match win, on every conditional route", async () => {
    const routes: Array<[string, (id: string) => string, (n: number) => unknown, number[]]> = [
      ["PUT", taskPath, (n) => ({ title: `PUT ${n}` }), [200, 412]],
      ["PATCH", taskPath, (n) => ({ title: `PATCH ${n}` }), [200, 412]],
      ["PATCH", (id) => `${taskPath(id)}/complete`, () => undefined, [200, 412]],
      // The loser finds no task at all: a 404 comes before a 412.
      ["DELETE", taskPath, () => undefined, [204, 404]],
    ];
    for (const [method, pathOf, bodyOf, statuses] of routes) {
      const task = await created();
      const results = await Promise.all(
        [1, 2].map((n) =>
          call(method, pathOf(task.id), { headers: { "if-match": '"1"' }, body: bodyOf(n) }),
        ),
      );
      expect(results.map((res) => res.status).sort(), `${method} ${pathOf("{id}")}`).toEqual(
        statuses,
      );
      const now = await call("GET", taskPath(task.id));
      if (method === "DELETE") expect(now.status).toBe(404);
      else expect(((await now.json()) as RestTask).version).toBe(2);
    }
  });

  it("loses no update when 20 clients read, modify and write one task, retrying on 412", async () => {
    const task = await created({ title: "Counter", description: "" });
    await Promise.all(
      Array.from({ length: 20 }, async (_, client) => {
        for (;;) {
          const read = await call("GET", taskPath(task.id));
          const current = (await read.json()) as RestTask;
          const res = await call("PUT", taskPath(task.id), {
            headers: { "if-match": read.headers.get("etag")! },
            body: { description: `${current.description ?? ""}[${client}]` },
          });
          if (res.status === 200) return;
          expect(res.status).toBe(412);
        }
      }),
    );
    const final = (await (await call("GET", taskPath(task.id))).json()) as RestTask;
    for (let client = 0; client < 20; client++) expect(final.description).toContain(`[${client}]`);
    expect(final.version).toBe(21);
  });
});

describe("Idempotency-Key on POST /api/{user_id}/tasks and PATCH …/complete", () => {
  it("replays the first answer to a retry, with Idempotent-Replayed, and writes once", async () => {
    const headers = { "idempotency-key": "create-once" };
    const first = await call("POST", "/api/editor/tasks", { headers, body: { title: "Once" } });
    expect(first.status).toBe(201);
    const retry = await call("POST", "/api/editor/tasks", { headers, body: { title: "Once" } });
    expect(retry.status).toBe(201);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    expect(retry.headers.get("location")).toBe(first.headers.get("location"));
    expect(retry.headers.get("etag")).toBe(first.headers.get("etag"));
    expect(await retry.json()).toEqual(await first.json());
    expect(await app.db.task.count({ where: { userId: "editor", title: "Once" } })).toBe(1);
  });

  it('reads "k" and k as the same key', async () => {
    await call("POST", "/api/editor/tasks", {
      headers: { "idempotency-key": "quoted" },
      body: { title: "Q" },
    });
    const retry = await call("POST", "/api/editor/tasks", {
      headers: { "idempotency-key": '"quoted"' },
      body: { title: "Q" },
    });
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
  });

  it("toggles once for a retried toggle", async () => {
    const task = await created();
    const headers = { "idempotency-key": `toggle-${task.id}` };
    const first = await call("PATCH", `${taskPath(task.id)}/complete`, { headers });
    const retry = await call("PATCH", `${taskPath(task.id)}/complete`, { headers });
    expect(((await first.json()) as RestTask).completed).toBe(true);
    expect(((await retry.json()) as RestTask).completed).toBe(true);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    const now = (await (await call("GET", taskPath(task.id))).json()) as RestTask;
    expect(now).toMatchObject({ completed: true, version: 2 });
  });

  it("is a 422 for the key reused with another request", async () => {
    const headers = { "idempotency-key": "reused" };
    await call("POST", "/api/editor/tasks", { headers, body: { title: "First" } });
    const res = await call("POST", "/api/editor/tasks", { headers, body: { title: "Second" } });
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({ detail: "Idempotency-Key reused with a different request" });
  });

  it("tells requests apart by method, path and body as sent, whatever the JSON's spelling and the If-Match", async () => {
    const headers = { "idempotency-key": "fingerprint-body" };
    const first = await call("POST", "/api/editor/tasks", {
      headers,
      text: '{"title":"Milk","priority":"high"}',
    });
    expect(first.status).toBe(201);
    const respelled = await call("POST", "/api/editor/tasks", {
      headers,
      text: '{ "priority" : "high",\n  "title" : "\u004dilk" }',
    });
    expect(respelled.status).toBe(201);
    expect(respelled.headers.get("idempotent-replayed")).toBe("true");
    for (const text of [
      '{"title":"  Milk  ","priority":"high"}',
      '{"title":"Milk","priority":"high","note":"an unknown field"}',
      '{"title":"Milk"}',
    ]) {
      const other = await call("POST", "/api/editor/tasks", { headers, text });
      expect(other.status, text).toBe(422);
      expect(await other.json()).toEqual({
        detail: "Idempotency-Key reused with a different request",
      });
    }

    const [a, b] = [await created(), await created()];
    const toggle = { "idempotency-key": "fingerprint-path" };
    const done = await call("PATCH", `${taskPath(a.id)}/complete`, {
      headers: { ...toggle, "if-match": '"1"' },
    });
    expect(done.status).toBe(200);
    // The client read the task again before retrying: another If-Match, the same request.
    const retried = await call("PATCH", `${taskPath(a.id)}/complete`, {
      headers: { ...toggle, "if-match": '"2"' },
    });
    expect(retried.headers.get("idempotent-replayed")).toBe("true");
    expect(await retried.json()).toEqual(await done.json());
    const otherTask = await call("PATCH", `${taskPath(b.id)}/complete`, { headers: toggle });
    expect(otherTask.status).toBe(422);
    const withBody = await call("PATCH", `${taskPath(a.id)}/complete`, {
      headers: toggle,
      body: { completed: true },
    });
    expect(withBody.status).toBe(422);
  });

  it("is a 400 for two Idempotency-Key headers (which Node would join into one key)", async () => {
    for (const keys of [
      ["first", "second"],
      ["same", "same"],
    ]) {
      const res = await sendWithHeaderLines(
        "POST",
        "/api/editor/tasks",
        {
          "idempotency-key": keys,
          "content-type": "application/json",
          authorization: `Bearer ${token}`,
        },
        JSON.stringify({ title: "Two keys" }),
      );
      expect(res.status, keys.join()).toBe(400);
      expect(JSON.parse(res.text)).toEqual({ detail: "Invalid Idempotency-Key" });
    }
    expect(await app.db.task.count({ where: { userId: "editor", title: "Two keys" } })).toBe(0);
  });

  it("is a 400 for a key that is empty, too long or not printable ASCII", async () => {
    for (const key of ["", "x".repeat(256), "clé", '"a"b"']) {
      const res = await call("POST", "/api/editor/tasks", {
        headers: { "idempotency-key": key },
        body: { title: "Bad key" },
      });
      expect(res.status, key).toBe(400);
      expect(await res.json()).toEqual({ detail: "Invalid Idempotency-Key" });
    }
  });

  it("creates exactly one task for 50 concurrent identical requests; the others replay it or are told it is in flight", async () => {
    const headers = { "idempotency-key": "fifty" };
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        call("POST", "/api/editor/tasks", { headers, body: { title: "Fifty" } }),
      ),
    );
    const statuses = results.map((res) => res.status);
    expect(statuses.every((status) => status === 201 || status === 409)).toBe(true);
    expect(statuses).toContain(201);
    const conflict = results.find((res) => res.status === 409);
    if (conflict) {
      expect(await conflict.json()).toEqual({
        detail: "A request with this Idempotency-Key is still being processed",
      });
    }
    expect(await app.db.task.count({ where: { userId: "editor", title: "Fifty" } })).toBe(1);
  });

  it("is a 404, not a 409, for a key in flight on a task that does not exist (the order of checks)", async () => {
    const held = await startHeldApp();
    try {
      const path = `${taskPath(MISSING_ID)}/complete`;
      const headers = { "idempotency-key": "in-flight-on-a-missing-task" };
      const first = call("PATCH", path, { headers, via: held });
      await held.held;
      const retry = await call("PATCH", path, { headers });
      expect(retry.status).toBe(404);
      expect(await retry.json()).toEqual({ detail: "Task not found" });
      held.release();
      expect((await first).status).toBe(404);
    } finally {
      await held.close();
    }
  });

  it("is a 409 with the contract's body while the first request with the key is in flight; then replays its answer", async () => {
    const held = await startHeldApp();
    try {
      const headers = { "idempotency-key": "held-in-flight" };
      const request = { headers, body: { title: "Held" } };
      const first = call("POST", "/api/editor/tasks", { ...request, via: held });
      await held.held;
      const during = await call("POST", "/api/editor/tasks", request);
      expect(during.status).toBe(409);
      expect(await during.json()).toEqual({
        detail: "A request with this Idempotency-Key is still being processed",
      });
      held.release();
      const answered = await first;
      expect(answered.status).toBe(201);
      const after = await call("POST", "/api/editor/tasks", request);
      expect(after.status).toBe(201);
      expect(after.headers.get("idempotent-replayed")).toBe("true");
      expect(after.headers.get("location")).toBe(answered.headers.get("location"));
      expect(await after.json()).toEqual(await answered.json());
      expect(await app.db.task.count({ where: { userId: "editor", title: "Held" } })).toBe(1);
    } finally {
      await held.close();
    }
  });

  it("takes over a claim left in flight past 60 s, and the late first request writes nothing", async () => {
    const held = await startHeldApp();
    try {
      const headers = { "idempotency-key": "taken-over" };
      const request = { headers, body: { title: "Taken over" } };
      const late = call("POST", "/api/editor/tasks", { ...request, via: held });
      await held.held;
      // As if the first request's process had died a minute ago, its claim unanswered.
      await app.db.idempotencyKey.updateMany({
        where: { userId: "editor", key: "taken-over" },
        data: { claimedAt: new Date(Date.now() - 61_000) },
      });
      const retry = await call("POST", "/api/editor/tasks", request);
      expect(retry.status).toBe(201);
      expect(retry.headers.get("idempotent-replayed")).toBeNull();
      const task = (await retry.json()) as RestTask;

      held.release();
      const lateAnswer = await late;
      expect(lateAnswer.status).toBe(201);
      expect(lateAnswer.headers.get("idempotent-replayed")).toBe("true");
      expect(await lateAnswer.json()).toEqual(task);
      expect(await app.db.task.count({ where: { userId: "editor", title: "Taken over" } })).toBe(1);
    } finally {
      await held.close();
    }
  });

  it("processes a request anew, with the same key, when its first try failed", async () => {
    const task = await created({ title: "Retried after a 412" });
    const complete = `${taskPath(task.id)}/complete`;
    const key = { "idempotency-key": "after-a-412" };
    for (let attempt = 0; attempt < 2; attempt++) {
      const refused = await call("PATCH", complete, { headers: { ...key, "if-match": '"9"' } });
      expect(refused.status).toBe(412);
      expect(refused.headers.get("idempotent-replayed")).toBeNull();
    }
    const done = await call("PATCH", complete, { headers: { ...key, "if-match": '"1"' } });
    expect(done.status).toBe(200);
    expect(done.headers.get("idempotent-replayed")).toBeNull();
    expect(await done.json()).toMatchObject({ completed: true, version: 2 });
    const replayed = await call("PATCH", complete, { headers: key });
    expect(replayed.headers.get("idempotent-replayed")).toBe("true");

    const missing = { "idempotency-key": "after-a-404" };
    for (let attempt = 0; attempt < 2; attempt++) {
      const res = await call("PATCH", `${taskPath(MISSING_ID)}/complete`, { headers: missing });
      expect(res.status).toBe(404);
    }
    // Nothing was kept for the key: another request may use it now.
    const other = await call("PATCH", complete, { headers: missing });
    expect(other.status).toBe(200);
    expect(await other.json()).toMatchObject({ completed: false, version: 3 });
  });

  it("is scoped per user: another user's same key is theirs", async () => {
    const headers = { "idempotency-key": "shared-key" };
    const mine = await call("POST", "/api/editor/tasks", { headers, body: { title: "Mine" } });
    const bob = await app.token("bob");
    const theirs = await call("POST", "/api/bob/tasks", {
      headers,
      body: { title: "Mine" },
      as: bob,
    });
    expect(theirs.status).toBe(201);
    expect(theirs.headers.get("idempotent-replayed")).toBeNull();
    expect(((await theirs.json()) as RestTask).id).not.toBe(((await mine.json()) as RestTask).id);
  });

  it("replays across a server restart (the key lives in the database), and not once it has expired", async () => {
    const database = await createTestDatabase();
    const request = {
      headers: { "idempotency-key": "survives" },
      body: { title: "Durable" },
    };
    let db = createDatabase(database.url, { poolSize: 2 });
    let server = await startTestApp({ db });
    try {
      const first = await call("POST", "/api/editor/tasks", { ...request, via: server });
      expect(first.status).toBe(201);
      const task = (await first.json()) as RestTask;
      // The restart: the app and its pool closed, then a new pool and a new app.
      await server.close();
      await db.$disconnect();
      db = createDatabase(database.url, { poolSize: 2 });
      server = await startTestApp({ db });

      const retry = await call("POST", "/api/editor/tasks", { ...request, via: server });
      expect(retry.status).toBe(201);
      expect(retry.headers.get("idempotent-replayed")).toBe("true");
      expect(retry.headers.get("location")).toBe(first.headers.get("location"));
      expect(await retry.json()).toEqual(task);

      await db.idempotencyKey.updateMany({
        where: { userId: "editor", key: "survives" },
        data: { expiresAt: new Date(Date.now() - 1_000) },
      });
      const afterExpiry = await call("POST", "/api/editor/tasks", { ...request, via: server });
      expect(afterExpiry.status).toBe(201);
      expect(afterExpiry.headers.get("idempotent-replayed")).toBeNull();
      expect(await db.task.count({ where: { userId: "editor", title: "Durable" } })).toBe(2);
    } finally {
      await server.close();
      await db.$disconnect();
      await database.drop();
    }
  });
});

describe("the order of checks", () => {
  it("401, then 403, then 400/413/415/422, then 404, then 409/412", async () => {
    const task = await created({ title: "Ordered" });
    const complete = (id: string) => `${taskPath(id)}/complete`;
    const bad = { "idempotency-key": "", "if-match": '"99"' };
    const inFlight = { "idempotency-key": "order-in-flight" };
    const held = await startHeldApp();
    try {
      const first = call("PATCH", complete(task.id), { headers: inFlight, via: held });
      await held.held;
      const steps: Array<[number, string, string, Parameters<typeof call>[2]]> = [
        [401, "POST", "/api/editor/tasks", { headers: bad, body: {}, as: "x" }],
        [403, "POST", "/api/someone/tasks", { headers: bad, body: {} }],
        // A key that is not one, on a task that does not exist.
        [400, "PATCH", complete(MISSING_ID), { headers: bad }],
        [413, "PUT", taskPath(MISSING_ID), { body: { title: "x".repeat(200_000) } }],
        [
          415,
          "PUT",
          taskPath(MISSING_ID),
          { headers: { "content-type": "text/plain" }, text: "t" },
        ],
        [422, "PUT", taskPath(MISSING_ID), { headers: bad, body: { title: "" } }],
        [404, "PUT", taskPath(MISSING_ID), { headers: bad, body: { title: "t" } }],
        // The key still in flight, with a stale If-Match on top.
        [409, "PATCH", complete(task.id), { headers: { ...inFlight, "if-match": '"99"' } }],
        [412, "PUT", taskPath(task.id), { headers: { "if-match": '"99"' }, body: { title: "t" } }],
      ];
      for (const [status, method, path, options] of steps) {
        const res = await call(method, path, options);
        expect(res.status, `${method} ${path} ${JSON.stringify(options?.headers)}`).toBe(status);
      }
      held.release();
      expect((await first).status).toBe(200);
    } finally {
      await held.close();
    }
  });
});
