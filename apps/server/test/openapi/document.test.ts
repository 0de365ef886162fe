import { describe, expect, it } from "vitest";

import { buildOpenApiDocument } from "../../src/openapi/document.js";
import type { HttpMethod, Operation } from "../../src/openapi/types.js";
import { operationsOf, refsIn, structuralProblems } from "./openapi-structure.js";

const doc = buildOpenApiDocument();

const TASKS = "/api/{user_id}/tasks";
const TASK = `${TASKS}/{id}`;
const TASK_COMPLETE = `${TASK}/complete`;

// The contract's route table, and the built-in accounts': method, path, success status.
const CONTRACT_ROUTES: [HttpMethod, string, string][] = [
  ["get", "/health", "200"],
  ["post", "/auth/signup", "201"],
  ["post", "/auth/login", "200"],
  ["get", "/auth/me", "200"],
  ["get", TASKS, "200"],
  ["post", TASKS, "201"],
  ["get", TASK, "200"],
  ["put", TASK, "200"],
  ["patch", TASK, "200"],
  ["delete", TASK, "204"],
  ["patch", TASK_COMPLETE, "200"],
];

const apiOperations = operationsOf(doc).filter(({ path }) => path.startsWith("/api/"));
const KEYED_ROUTES = [`post ${TASKS}`, `patch ${TASK_COMPLETE}`];
const BODY_ROUTES = [
  "post /api/{user_id}/tasks",
  `put ${TASK}`,
  `patch ${TASK}`,
  `patch ${TASK_COMPLETE}`,
];

function operation(method: HttpMethod, path: string): Operation {
  const found = doc.paths[path]?.[method];
  if (!found) throw new Error(`${method.toUpperCase()} ${path} is not documented`);
  return found;
}

function successStatuses(op: Operation): string[] {
  return Object.keys(op.responses).filter((status) => status.startsWith("2"));
}

describe("GET /openapi.json", () => {
  it("is an OpenAPI 3.1.0 document titled Todo API, valid in structure", () => {
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.info.title).toBe("Todo API");
    expect(doc.info.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(structuralProblems(doc)).toEqual([]);
  });

  it("resolves every $ref to an existing component", () => {
    const refs = refsIn(doc);
    expect(refs.length).toBeGreaterThan(20);
    for (const ref of refs) {
      const name = /^#\/components\/schemas\/(.+)$/.exec(ref)?.[1];
      expect(name, ref).toBeDefined();
      expect(doc.components.schemas[name ?? ""], ref).toBeTypeOf("object");
    }
  });

  it("documents every REST route and method of the contract, and no other", () => {
    const documented = operationsOf(doc).map(({ method, path }) => `${method} ${path}`);
    expect(documented.sort()).toEqual(CONTRACT_ROUTES.map(([m, p]) => `${m} ${p}`).sort());
  });

  it.each(CONTRACT_ROUTES)("answers %s %s with %s on success", (method, path, status) => {
    expect(successStatuses(operation(method, path))).toEqual([status]);
  });

  it("gives every operation an operationId, a summary and the tasks, auth or health tag", () => {
    const tagOf = (path: string) =>
      path === "/health" ? "health" : path.startsWith("/auth/") ? "auth" : "tasks";
    for (const { path, operation: op } of operationsOf(doc)) {
      expect(op.operationId).toMatch(/^[a-z][A-Za-z]+$/);
      expect(op.summary.length).toBeGreaterThan(0);
      expect(op.tags).toEqual([tagOf(path)]);
    }
  });
});

describe("authentication", () => {
  it("declares bearerAuth as an HTTP bearer JWT scheme", () => {
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({
      type: "http",
      scheme: "bearer",
      bearerFormat: "JWT",
    });
  });

  it("requires a Bearer token on every /api operation", () => {
    expect(apiOperations).toHaveLength(7);
    for (const { operation: op } of apiOperations) {
      expect(op.security).toEqual([{ bearerAuth: [] }]);
    }
  });

  it("leaves GET /health public", () => {
    expect(operation("get", "/health").security).toEqual([]);
  });
});

describe("GET /health", () => {
  it("answers 200 and 503 with the same {status, database} shape", () => {
    const responses = operation("get", "/health").responses;
    const schemaOf = (status: string) => responses[status]?.content?.["application/json"]?.schema;
    expect(schemaOf("200")).toEqual({ $ref: "#/components/schemas/Health" });
    expect(schemaOf("503")).toEqual(schemaOf("200"));
    expect(doc.components.schemas.Health).toMatchObject({
      properties: {
        status: { enum: ["ok", "unavailable"] },
        database: { enum: ["ok", "unavailable"] },
      },
      required: ["status", "database"],
    });
  });
});

describe("path parameters", () => {
  it("documents user_id on every /api path and id as a uuid on every task path", () => {
    for (const path of [TASKS, TASK, TASK_COMPLETE]) {
      const parameters = doc.paths[path]?.parameters ?? [];
      expect(parameters.find((p) => p.name === "user_id")).toMatchObject({
        in: "path",
        required: true,
        schema: { type: "string" },
      });
      const id = parameters.find((p) => p.name === "id");
      if (path === TASKS) expect(id).toBeUndefined();
      else expect(id).toMatchObject({ in: "path", required: true, schema: { format: "uuid" } });
    }
  });
});

describe("error responses", () => {
  it("documents 401, 403, 422 and 503 on every /api operation, and 404 where a task id is involved", () => {
    for (const { path, operation: op } of apiOperations) {
      const statuses = Object.keys(op.responses);
      expect(statuses).toEqual(expect.arrayContaining(["401", "403", "422", "503"]));
      if (path.includes("{id}")) expect(statuses).toContain("404");
      else expect(statuses).not.toContain("404");
    }
  });

  it("documents 400 malformed JSON, 413 and 415 on the operations that take a body, and only there", () => {
    for (const { path, method, operation: op } of apiOperations) {
      const statuses = Object.keys(op.responses);
      if (BODY_ROUTES.includes(`${method} ${path}`)) {
        expect(statuses).toEqual(expect.arrayContaining(["400", "413", "415"]));
        expect(op.responses["400"]?.description).toMatch(/not valid JSON/);
      } else {
        expect(statuses).not.toContain("400");
        expect(statuses).not.toContain("415");
      }
    }
  });

  it("describes 422 with HTTPValidationError (or a reused key's ErrorDetail) and every other error with ErrorDetail", () => {
    for (const { method, path, operation: op } of apiOperations) {
      for (const [status, response] of Object.entries(op.responses)) {
        if (!/^[45]/.test(status)) continue;
        const schema = response.content?.["application/json"]?.schema;
        const expected = status === "422" ? "HTTPValidationError" : "ErrorDetail";
        if (status === "422" && KEYED_ROUTES.includes(`${method} ${path}`)) continue;
        expect(schema, status).toEqual({ $ref: `#/components/schemas/${expected}` });
        expect(response.description.length, status).toBeGreaterThan(0);
      }
    }
  });

  it("gives the contract's detail for 403 and 404, with WWW-Authenticate on 401 and Retry-After on 503", () => {
    const op = operation("get", TASK);
    const example = (status: string) =>
      op.responses[status]?.content?.["application/json"]?.example;
    expect(example("403")).toEqual({ detail: "Access forbidden" });
    expect(example("404")).toEqual({ detail: "Task not found" });
    expect(op.responses["401"]?.headers).toHaveProperty("WWW-Authenticate");
    expect(op.responses["503"]?.headers).toHaveProperty("Retry-After");
  });
});

describe("task routes", () => {
  const taskRef = { $ref: "#/components/schemas/Task" };

  it("lists tasks as a bare array of Task with an integer X-Total-Count header", () => {
    const ok = operation("get", TASKS).responses["200"];
    expect(ok?.content?.["application/json"]?.schema).toEqual({ type: "array", items: taskRef });
    expect(ok?.headers?.["X-Total-Count"]?.schema).toMatchObject({ type: "integer" });
  });

  it("answers POST with 201, the Task and a Location header", () => {
    const created = operation("post", TASKS).responses["201"];
    expect(created?.content?.["application/json"]?.schema).toEqual(taskRef);
    expect(created?.headers?.Location?.schema).toMatchObject({ type: "string" });
  });

  it("takes TaskCreate on POST, TaskUpdate on PUT and PATCH, all required bodies", () => {
    const body = (method: HttpMethod, path: string) => operation(method, path).requestBody;
    expect(body("post", TASKS)).toMatchObject({
      required: true,
      content: { "application/json": { schema: { $ref: "#/components/schemas/TaskCreate" } } },
    });
    for (const method of ["put", "patch"] as const) {
      expect(body(method, TASK)).toMatchObject({
        required: true,
        content: { "application/json": { schema: { $ref: "#/components/schemas/TaskUpdate" } } },
      });
    }
  });

  it("takes an optional TaskComplete body on PATCH .../complete and answers the Task", () => {
    const op = operation("patch", TASK_COMPLETE);
    expect(op.requestBody).toMatchObject({
      required: false,
      content: { "application/json": { schema: { $ref: "#/components/schemas/TaskComplete" } } },
    });
    expect(op.responses["200"]?.content?.["application/json"]?.schema).toEqual(taskRef);
  });

  it("answers GET, PUT and PATCH of one task with the Task", () => {
    for (const method of ["get", "put", "patch"] as const) {
      expect(
        operation(method, TASK).responses["200"]?.content?.["application/json"]?.schema,
      ).toEqual(taskRef);
    }
  });

  it("answers DELETE with 204 and no content", () => {
    const deleted = operation("delete", TASK).responses["204"];
    expect(deleted).toBeDefined();
    expect(deleted?.content).toBeUndefined();
    expect(operation("delete", TASK).requestBody).toBeUndefined();
  });

  it("takes no body on GET and DELETE", () => {
    for (const [method, path] of [
      ["get", TASKS],
      ["get", TASK],
      ["delete", TASK],
    ] as const) {
      expect(operation(method, path).requestBody).toBeUndefined();
    }
  });
});

describe("the /auth routes", () => {
  const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
  const schemaOf = (op: Operation, status: string) =>
    op.responses[status]?.content?.["application/json"]?.schema;

  it("take Signup and Login bodies, answer a Session, and need no token", () => {
    const signup = operation("post", "/auth/signup");
    const login = operation("post", "/auth/login");
    expect(signup.requestBody).toMatchObject({
      required: true,
      content: { "application/json": { schema: ref("Signup") } },
    });
    expect(login.requestBody).toMatchObject({
      required: true,
      content: { "application/json": { schema: ref("Login") } },
    });
    expect(schemaOf(signup, "201")).toEqual(ref("Session"));
    expect(schemaOf(login, "200")).toEqual(ref("Session"));
    expect(signup.security).toEqual([]);
    expect(login.security).toEqual([]);
  });

  it("document 409 on signup, 401 'Invalid email or password' on login, and 422 and 429 with Retry-After on both", () => {
    const signup = operation("post", "/auth/signup");
    const login = operation("post", "/auth/login");
    expect(signup.responses["409"]?.content?.["application/json"]?.example).toEqual({
      detail: "Email already registered",
    });
    expect(login.responses["401"]?.content?.["application/json"]?.example).toEqual({
      detail: "Invalid email or password",
    });
    expect(signup.responses).not.toHaveProperty("401");
    expect(login.responses).not.toHaveProperty("409");
    for (const op of [signup, login]) {
      expect(Object.keys(op.responses)).toEqual(
        expect.arrayContaining(["400", "413", "415", "422", "429", "503"]),
      );
      expect(op.responses["429"]?.headers).toHaveProperty("Retry-After");
      expect(schemaOf(op, "422")).toEqual(ref("HTTPValidationError"));
    }
  });

  it("answers GET /auth/me with the User, behind a Bearer token", () => {
    const me = operation("get", "/auth/me");
    expect(me.security).toEqual([{ bearerAuth: [] }]);
    expect(schemaOf(me, "200")).toEqual(ref("User"));
    expect(Object.keys(me.responses)).toEqual(["200", "401", "404", "503"]);
  });

  it("describes Session and User in snake_case, and the password as a write-only 8–128 string", () => {
    const { Session, User, Signup, Login } = doc.components.schemas;
    expect(Session?.required).toEqual(["token", "token_type", "expires_in", "user"]);
    expect(Session?.properties?.token_type).toMatchObject({ const: "bearer" });
    expect(Session?.properties?.user).toEqual(ref("User"));
    expect(User?.required).toEqual(["id", "email", "name", "created_at"]);
    expect(Signup?.required).toEqual(["email", "password"]);
    expect(Signup?.properties?.email).toMatchObject({ format: "email", maxLength: 254 });
    expect(Signup?.properties?.password).toMatchObject({
      minLength: 8,
      maxLength: 128,
      writeOnly: true,
    });
    expect(Login?.required).toEqual(["email", "password"]);
  });

  it("are left out of the document when the built-in accounts are off", () => {
    const without = buildOpenApiDocument({ localAuth: false });
    expect(Object.keys(without.paths).filter((path) => path.startsWith("/auth"))).toEqual([]);
    expect(without.components.schemas).not.toHaveProperty("Session");
    expect(without.tags.map((tag) => tag.name)).not.toContain("auth");
    expect(structuralProblems(without)).toEqual([]);
    expect(Object.keys(without.paths)).toEqual(
      Object.keys(doc.paths).filter((path) => !path.startsWith("/auth")),
    );
  });
});

describe("buildOpenApiDocument", () => {
  it("builds the document once and returns it on every call", () => {
    expect(buildOpenApiDocument()).toBe(doc);
    expect(buildOpenApiDocument({ localAuth: true })).toBe(doc);
  });

  it("is plain JSON: serialising and parsing it changes nothing", () => {
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
  });
});

describe("concurrent edits and retries", () => {
  const operation = (method: HttpMethod, path: string) =>
    apiOperations.find((entry) => entry.method === method && entry.path === path)!.operation;
  const headerNames = (op: Operation) =>
    (op.parameters ?? [])
      .filter((p) => "in" in p && p.in === "header")
      .map((p) => ("name" in p ? p.name : ""));

  it("documents If-Match and 412 on every write of one task, If-None-Match and 304 on its GET", () => {
    for (const [method, path] of [
      ["put", TASK],
      ["patch", TASK],
      ["delete", TASK],
      ["patch", TASK_COMPLETE],
    ] as const) {
      const op = operation(method, path);
      expect(headerNames(op), `${method} ${path}`).toContain("If-Match");
      expect(op.responses["412"]?.headers?.ETag).toBeDefined();
    }
    const get = operation("get", TASK);
    expect(headerNames(get)).toContain("If-None-Match");
    expect(Object.keys(get.responses)).toContain("304");
    expect(get.responses["200"]?.headers?.ETag).toBeDefined();
  });

  it("documents Idempotency-Key, 409 and Idempotent-Replayed on create and complete", () => {
    for (const [method, path, success] of [
      ["post", TASKS, "201"],
      ["patch", TASK_COMPLETE, "200"],
    ] as const) {
      const op = operation(method, path);
      expect(headerNames(op)).toContain("Idempotency-Key");
      expect(op.responses["409"]?.description).toMatch(/Idempotency-Key/);
      expect(op.responses[success]?.headers?.["Idempotent-Replayed"], path).toEqual({
        description: expect.stringMatching(/Idempotency-Key/),
        schema: { type: "string", const: "true" },
      });
      expect(op.responses[success]?.headers?.ETag, path).toBeDefined();
    }
    for (const [method, path] of [
      ["put", TASK],
      ["patch", TASK],
    ] as const) {
      expect(operation(method, path).responses["200"]?.headers).not.toHaveProperty(
        "Idempotent-Replayed",
      );
    }
  });

  it("lets the 422 of a reused key be its string detail, and names Invalid Idempotency-Key in the 400", () => {
    for (const [method, path] of [
      ["post", TASKS],
      ["patch", TASK_COMPLETE],
    ] as const) {
      const op = operation(method, path);
      const unprocessable = op.responses["422"]?.content?.["application/json"];
      expect(unprocessable?.schema).toEqual({
        oneOf: [
          { $ref: "#/components/schemas/HTTPValidationError" },
          { $ref: "#/components/schemas/ErrorDetail" },
        ],
      });
      expect(unprocessable?.example).toEqual({
        detail: "Idempotency-Key reused with a different request",
      });
      expect(op.responses["422"]?.description).toMatch(/Pydantic/);
      expect(op.responses["400"]?.description).toMatch(/Invalid Idempotency-Key/);
      expect(op.responses["400"]?.description).toMatch(/not valid JSON/);
    }
  });
});
