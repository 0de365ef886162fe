import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { startTestApp, type TestApp } from "./test-app.js";

let app: TestApp;
let aliceToken: string;
let bobToken: string;

beforeAll(async () => {
  app = await startTestApp();
  aliceToken = await app.token("alice");
  bobToken = await app.token("bob");
});
afterAll(() => app.close());

function call(
  method: string,
  path: string,
  options: { token?: string | null; body?: unknown; rawBody?: string; contentType?: string } = {},
) {
  const headers: Record<string, string> = {};
  const token = options.token === undefined ? aliceToken : options.token;
  if (token) headers.authorization = `Bearer ${token}`;
  let body: string | undefined;
  if (options.rawBody !== undefined) body = options.rawBody;
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) headers["content-type"] = options.contentType ?? "application/json";
  return fetch(`${app.url}${path}`, { method, headers, body });
}

async function createTask(body: Record<string, unknown> = { title: "A task" }, user = "alice") {
  const token = user === "alice" ? aliceToken : bobToken;
  const res = await call("POST", `/api/${user}/tasks`, { body, token });
  expect(res.status).toBe(201);
  return (await res.json()) as Record<string, unknown> & { id: string };
}

const TASK_KEYS = [
  "completed",
  "created_at",
  "description",
  "due_date",
  "id",
  "priority",
  "tags",
  "title",
  "updated_at",
  "user_id",
  "version",
];
const MISSING_ID = "6f1c2d3e-4b5a-4c6d-8e7f-0123456789ab";

describe("POST /api/{user_id}/tasks", () => {
  it("returns 201, the task in snake_case with every key, and a Location header", async () => {
    const res = await call("POST", "/api/alice/tasks", {
      body: { title: "  Buy milk ", due_date: "2026-11-22T12:00:00+02:00", tags: ["home"] },
    });
    expect(res.status).toBe(201);
    const task = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(task).sort()).toEqual(TASK_KEYS);
    expect(task).toMatchObject({
      user_id: "alice",
      title: "Buy milk",
      description: null,
      completed: false,
      priority: "medium",
      due_date: "2026-11-22T10:00:00.000Z",
      tags: ["home"],
    });
    expect(res.headers.get("location")).toBe(`/api/alice/tasks/${String(task.id)}`);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  });

  it("takes user_id from the token and ignores id, user_id, timestamps and unknown fields", async () => {
    const task = await createTask({
      title: "Mine",
      id: MISSING_ID,
      user_id: "bob",
      created_at: "2000-01-01T00:00:00Z",
      dueDate: "2030-01-01T00:00:00Z",
      extra: true,
    });
    expect(task.user_id).toBe("alice");
    expect(task.id).not.toBe(MISSING_ID);
    expect(task.due_date).toBeNull();
    expect(task).not.toHaveProperty("extra");
  });
});

describe("GET /api/{user_id}/tasks", () => {
  it("returns a bare array and X-Total-Count counted before limit/offset", async () => {
    const fresh = await app.token("lister");
    for (const title of ["one", "two", "three"]) {
      await call("POST", "/api/lister/tasks", { token: fresh, body: { title } });
    }
    const res = await call("GET", "/api/lister/tasks?limit=2&offset=0&sort=title", {
      token: fresh,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-total-count")).toBe("3");
    const body = (await res.json()) as Array<Record<string, unknown>>;
    expect(Array.isArray(body)).toBe(true);
    expect(body.map((task) => task.title)).toEqual(["one", "three"]);
    expect(Object.keys(body[0]!).sort()).toEqual(TASK_KEYS);
  });

  it("reads snake_case filters from the query string", async () => {
    const fresh = await app.token("filterer");
    await call("POST", "/api/filterer/tasks", {
      token: fresh,
      body: { title: "due soon", due_date: "2026-01-10T00:00:00Z", tags: ["Work"] },
    });
    await call("POST", "/api/filterer/tasks", { token: fresh, body: { title: "no date" } });
    const res = await call(
      "GET",
      "/api/filterer/tasks?due_before=2026-02-01T00:00:00Z&due_after=2026-01-01T00:00:00%2B00:00&tag=work&status=pending",
      { token: fresh },
    );
    expect(((await res.json()) as Array<{ title: string }>).map((t) => t.title)).toEqual([
      "due soon",
    ]);
  });

  it("filters with completed=true|false, as status=completed|pending does", async () => {
    const fresh = await app.token("completer");
    const done = await call("POST", "/api/completer/tasks", {
      token: fresh,
      body: { title: "done", completed: true },
    });
    expect(done.status).toBe(201);
    await call("POST", "/api/completer/tasks", { token: fresh, body: { title: "open" } });
    const titles = async (query: string) => {
      const res = await call("GET", `/api/completer/tasks?${query}`, { token: fresh });
      expect(res.status).toBe(200);
      return ((await res.json()) as Array<{ title: string }>).map((t) => t.title);
    };
    expect(await titles("completed=true")).toEqual(["done"]);
    expect(await titles("completed=false")).toEqual(["open"]);
    expect(await titles("completed=false&status=pending")).toEqual(["open"]);
    expect(await titles("completed=true&status=all")).toEqual(["done"]);
  });

  it("answers completed contradicting status, or not a boolean, with a 422 at completed", async () => {
    const contradiction = await call("GET", "/api/alice/tasks?status=completed&completed=false");
    expect(contradiction.status).toBe(422);
    const [entry] = ((await contradiction.json()) as { detail: Array<{ loc: unknown[] }> }).detail;
    expect(entry?.loc).toEqual(["query", "completed"]);
    // As FastAPI answers a `completed: bool | None` query parameter.
    for (const value of ["maybe", "2", ""]) {
      const notBoolean = await call("GET", `/api/alice/tasks?completed=${value}`);
      expect(notBoolean.status).toBe(422);
      expect(await notBoolean.json()).toEqual({
        detail: [
          {
            type: "bool_parsing",
            loc: ["query", "completed"],
            msg: "Input should be a valid boolean, unable to interpret input",
            input: value,
          },
        ],
      });
    }
  });

  it("answers a bad query value with a 422 located in the query", async () => {
    const res = await call("GET", "/api/alice/tasks?limit=0&status=done&offset=abc");
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({
      detail: [
        {
          type: "enum",
          loc: ["query", "status"],
          msg: "Input should be 'all', 'pending' or 'completed'",
          input: "done",
          ctx: { expected: "'all', 'pending' or 'completed'" },
        },
        {
          type: "greater_than_equal",
          loc: ["query", "limit"],
          msg: "Input should be greater than or equal to 1",
          input: "0",
          ctx: { ge: 1 },
        },
        {
          type: "int_parsing",
          loc: ["query", "offset"],
          msg: "Input should be a valid integer, unable to parse string as an integer",
          input: "abc",
        },
      ],
    });
  });
});

describe("GET /api/{user_id}/tasks/{id}", () => {
  it("returns the task", async () => {
    const task = await createTask();
    const res = await call("GET", `/api/alice/tasks/${task.id}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(task);
  });

  it("returns the same 404 for a missing id, a malformed id and another user's task", async () => {
    const bobs = await createTask({ title: "Bob's" }, "bob");
    for (const id of [MISSING_ID, "not-a-uuid", bobs.id]) {
      const res = await call("GET", `/api/alice/tasks/${id}`);
      expect(res.status, id).toBe(404);
      expect(await res.json()).toEqual({ detail: "Task not found" });
    }
  });
});

describe.each(["PUT", "PATCH"])("%s /api/{user_id}/tasks/{id}", (method) => {
  it("updates only the fields given and moves updated_at", async () => {
    const task = await createTask({ title: "Before", description: "kept", priority: "low" });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const res = await call(method, `/api/alice/tasks/${task.id}`, {
      body: { title: "After", due_date: "2026-12-24T18:00:00Z", tags: ["xmas"] },
    });
    expect(res.status).toBe(200);
    const updated = (await res.json()) as Record<string, unknown>;
    expect(updated).toMatchObject({
      id: task.id,
      title: "After",
      description: "kept",
      priority: "low",
      due_date: "2026-12-24T18:00:00.000Z",
      tags: ["xmas"],
      created_at: task.created_at,
    });
    expect(Date.parse(String(updated.updated_at))).toBeGreaterThan(
      Date.parse(String(task.updated_at)),
    );
  });

  it("clears description and due_date with null, and ignores an id in the body", async () => {
    const task = await createTask({
      title: "t",
      description: "x",
      due_date: "2026-01-01T00:00:00Z",
    });
    const other = await createTask({ title: "other" });
    const res = await call(method, `/api/alice/tasks/${task.id}`, {
      body: { description: null, due_date: null, id: other.id },
    });
    expect(await res.json()).toMatchObject({ id: task.id, description: null, due_date: null });
    expect(await (await call("GET", `/api/alice/tasks/${other.id}`)).json()).toEqual(other);
  });

  it("returns 404 for another user's task and leaves it as it was", async () => {
    const bobs = await createTask({ title: "Bob's" }, "bob");
    const res = await call(method, `/api/alice/tasks/${bobs.id}`, { body: { title: "mine now" } });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ detail: "Task not found" });
    const still = await call("GET", `/api/bob/tasks/${bobs.id}`, { token: bobToken });
    expect(await still.json()).toEqual(bobs);
  });
});

describe("PATCH /api/{user_id}/tasks/{id}/complete", () => {
  it("toggles completed when there is no body", async () => {
    const task = await createTask();
    const first = await call("PATCH", `/api/alice/tasks/${task.id}/complete`);
    expect(first.status).toBe(200);
    expect(((await first.json()) as { completed: boolean }).completed).toBe(true);
    const second = await call("PATCH", `/api/alice/tasks/${task.id}/complete`);
    expect(((await second.json()) as { completed: boolean }).completed).toBe(false);
  });

  it("sets completed to the value given in the body", async () => {
    const task = await createTask();
    for (const completed of [true, true, false]) {
      const res = await call("PATCH", `/api/alice/tasks/${task.id}/complete`, {
        body: { completed },
      });
      expect(((await res.json()) as { completed: boolean }).completed).toBe(completed);
    }
  });

  it("refuses a completed that is not a boolean", async () => {
    const task = await createTask();
    const res = await call("PATCH", `/api/alice/tasks/${task.id}/complete`, {
      body: { completed: "yes" },
    });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { detail: Array<{ loc: unknown[] }> }).detail[0]?.loc).toEqual([
      "body",
      "completed",
    ]);
  });
});

describe("DELETE /api/{user_id}/tasks/{id}", () => {
  it("returns 204 with an empty body, then 404", async () => {
    const task = await createTask();
    const res = await call("DELETE", `/api/alice/tasks/${task.id}`);
    expect(res.status).toBe(204);
    expect(await res.text()).toBe("");
    expect((await call("DELETE", `/api/alice/tasks/${task.id}`)).status).toBe(404);
    expect((await call("GET", `/api/alice/tasks/${task.id}`)).status).toBe(404);
  });

  it("does not delete another user's task", async () => {
    const bobs = await createTask({ title: "Bob's" }, "bob");
    expect((await call("DELETE", `/api/alice/tasks/${bobs.id}`)).status).toBe(404);
    expect((await call("GET", `/api/bob/tasks/${bobs.id}`, { token: bobToken })).status).toBe(200);
  });
});

describe("HEAD /api/{user_id}/tasks", () => {
  it("answers with the list's headers and no body", async () => {
    const res = await call("HEAD", "/api/alice/tasks");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(res.headers.get("x-total-count")).toMatch(/^\d+$/);
    expect(await res.text()).toBe("");
  });
});
