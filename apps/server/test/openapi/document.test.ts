import { describe, expect, it } from "vitest";

import { buildOpenApiDocument } from "../../src/openapi/document.js";
import type { HttpMethod, Operation } from "../../src/openapi/types.js";
import { operationsOf, refsIn, structuralProblems } from "./openapi-structure.js";

const doc = buildOpenApiDocument();

const TASKS = "/api/{user_id}/tasks";
const TASK = `${TASKS}/{id}`;
const TASK_COMPLETE = `${TASK}/complete`;

// The contract's route table: method, path, success status.
const CONTRACT_ROUTES: [HttpMethod, string, string][] = [
  ["get", "/health", "200"],
  ["get", TASKS, "200"],
  ["post", TASKS, "201"],
  ["get", TASK, "200"],
  ["put", TASK, "200"],
  ["patch", TASK, "200"],
  ["delete", TASK, "204"],
  ["patch", TASK_COMPLETE, "200"],
];

const apiOperations = operationsOf(doc).filter(({ path }) => path.startsWith("/api/"));
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

  it("gives every operation an operationId, a summary and the tasks or health tag", () => {
    for (const { path, operation: op } of operationsOf(doc)) {
      expect(op.operationId).toMatch(/^[a-z][A-Za-z]+$/);
      expect(op.summary.length).toBeGreaterThan(0);
      expect(op.tags).toEqual([path === "/health" ? "health" : "tasks"]);
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

  it("describes 422 with HTTPValidationError and every other error with ErrorDetail", () => {
    for (const { operation: op } of apiOperations) {
      for (const [status, response] of Object.entries(op.responses)) {
        if (!/^[45]/.test(status)) continue;
        const schema = response.content?.["application/json"]?.schema;
        const expected = status === "422" ? "HTTPValidationError" : "ErrorDetail";
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

describe("buildOpenApiDocument", () => {
  it("builds the document once and returns it on every call", () => {
    expect(buildOpenApiDocument()).toBe(doc);
  });

  it("is plain JSON: serialising and parsing it changes nothing", () => {
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
  });
});
