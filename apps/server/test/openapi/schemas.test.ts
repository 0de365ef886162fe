import { createTaskInput, listTasksInput, taskChangesInput } from "@todo/api";
import type * as todoApi from "@todo/api";
import { afterEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";

import { buildOpenApiDocument } from "../../src/openapi/document.js";
import type { JsonSchema, OpenApiDocument } from "../../src/openapi/types.js";
import { camelToSnake } from "../../src/rest/field-names.js";

const doc = buildOpenApiDocument();
const schemas = doc.components.schemas;

function propertiesOf(schema: JsonSchema | undefined): Record<string, JsonSchema> {
  const properties = Object.entries(schema?.properties ?? {});
  return Object.fromEntries(properties.map(([name, p]) => [name, typeof p === "boolean" ? {} : p]));
}

const TASK_KEYS = [
  "id",
  "user_id",
  "title",
  "description",
  "completed",
  "priority",
  "due_date",
  "tags",
  "created_at",
  "updated_at",
  "version",
];

describe("the Task schema", () => {
  it("is snake_case with exactly the contract's 11 keys, all required", () => {
    expect(Object.keys(propertiesOf(schemas.Task)).sort()).toEqual([...TASK_KEYS].sort());
    expect([...(schemas.Task?.required ?? [])].sort()).toEqual([...TASK_KEYS].sort());
  });

  it("types each key as the contract's JSON example does", () => {
    const task = propertiesOf(schemas.Task);
    expect(task.id).toMatchObject({ type: "string", format: "uuid" });
    expect(task.description).toMatchObject({ type: ["string", "null"] });
    expect(task.completed).toMatchObject({ type: "boolean" });
    expect(task.priority).toMatchObject({ enum: ["low", "medium", "high"] });
    expect(task.due_date?.anyOf).toEqual(
      expect.arrayContaining([expect.objectContaining({ format: "date-time" }), { type: "null" }]),
    );
    expect(task.tags).toMatchObject({ type: "array", items: { type: "string" } });
    expect(task.created_at).toMatchObject({ type: "string", format: "date-time" });
    expect(task.version).toMatchObject({ type: "integer", minimum: 1 });
  });
});

describe("the request body schemas", () => {
  const create = propertiesOf(schemas.TaskCreate);

  it("take title's 200-character limit from createTaskInput's .meta()", () => {
    const meta = createTaskInput.shape.title.meta();
    expect(meta?.maxLength).toBe(200);
    expect(create.title).toMatchObject({ minLength: meta?.minLength, maxLength: meta?.maxLength });
  });

  it.each([
    ["TaskCreate", createTaskInput],
    ["TaskUpdate", taskChangesInput],
  ] as const)("describe %s exactly as z.toJSONSchema does, in snake_case", (name, schema) => {
    const generated = z.toJSONSchema(schema, { io: "input" });
    const documented = propertiesOf(schemas[name]);
    const expected = Object.entries(propertiesOf(generated)).map(([key, p]) => [
      camelToSnake(key),
      p,
    ]);
    expect(documented).toEqual(Object.fromEntries(expected));
    expect(schemas[name]?.required).toEqual(generated.required?.map(camelToSnake));
  });

  it("limit description to 1000 characters and tags to 10 of 1–30 characters", () => {
    expect(create.description?.anyOf).toEqual([
      expect.objectContaining({ type: "string", maxLength: 1000 }),
      { type: "null" },
    ]);
    expect(create.tags).toMatchObject({
      type: "array",
      maxItems: 10,
      items: { type: "string", minLength: 1, maxLength: 30 },
    });
  });

  it("take due_date as a nullable date-time string, priority as low, medium or high", () => {
    expect(create.due_date?.anyOf).toEqual([
      expect.objectContaining({ type: "string", format: "date-time" }),
      { type: "null" },
    ]);
    expect(create.priority).toEqual({ type: "string", enum: ["low", "medium", "high"] });
  });

  it("require title on create, nothing on update, and take {completed: boolean} to complete", () => {
    expect(schemas.TaskCreate?.required).toEqual(["title"]);
    expect(schemas.TaskUpdate?.required).toBeUndefined();
    expect(Object.keys(propertiesOf(schemas.TaskUpdate)).sort()).toEqual(
      ["completed", "description", "due_date", "priority", "tags", "title"].sort(),
    );
    expect(propertiesOf(schemas.TaskComplete)).toEqual({ completed: { type: "boolean" } });
  });

  it("ignore unknown fields, as Pydantic does: no additionalProperties: false", () => {
    for (const name of ["TaskCreate", "TaskUpdate", "TaskComplete"]) {
      expect(schemas[name]?.additionalProperties, name).toBeUndefined();
    }
  });
});

describe("GET /api/{user_id}/tasks query parameters", () => {
  const parameters = doc.paths["/api/{user_id}/tasks"]?.get?.parameters ?? [];
  const byName = (name: string) => parameters.find((p) => p.name === name);

  it("are the list filters in snake_case, all optional, in the query", () => {
    expect(parameters.map((p) => p.name)).toEqual([
      "status",
      "completed",
      "priority",
      "tag",
      "search",
      "due_before",
      "due_after",
      "sort",
      "order",
      "limit",
      "offset",
    ]);
    expect(parameters.map((p) => p.name)).toEqual(
      Object.keys(listTasksInput.shape).map(camelToSnake),
    );
    for (const parameter of parameters) {
      expect(parameter).toMatchObject({ in: "query", required: false });
      expect(parameter.description, parameter.name).toBeTruthy();
    }
  });

  it("take the contract's enums", () => {
    expect(byName("status")?.schema.enum).toEqual(["all", "pending", "completed"]);
    expect(byName("completed")?.schema).toMatchObject({ type: "boolean" });
    expect(byName("priority")?.schema.enum).toEqual(["low", "medium", "high"]);
    expect(byName("sort")?.schema.enum).toEqual([
      "created",
      "updated",
      "title",
      "due_date",
      "priority",
    ]);
    expect(byName("order")?.schema.enum).toEqual(["asc", "desc"]);
  });

  it("take limit 1–1000, offset ≥ 0 and due_before/due_after as date-times", () => {
    expect(byName("limit")?.schema).toMatchObject({ type: "integer", minimum: 1, maximum: 1000 });
    expect(byName("offset")?.schema).toMatchObject({ type: "integer", minimum: 0 });
    expect(byName("due_before")?.schema).toMatchObject({ type: "string", format: "date-time" });
    expect(byName("due_after")?.schema).toMatchObject({ type: "string", format: "date-time" });
  });
});

describe("the error schemas", () => {
  it("name ErrorDetail {detail: string}", () => {
    expect(schemas.ErrorDetail).toMatchObject({
      type: "object",
      properties: { detail: { type: "string" } },
      required: ["detail"],
    });
  });

  it("name HTTPValidationError {detail: ValidationError[]} and ValidationError as FastAPI does", () => {
    expect(schemas.HTTPValidationError).toMatchObject({
      properties: {
        detail: { type: "array", items: { $ref: "#/components/schemas/ValidationError" } },
      },
    });
    const entry = propertiesOf(schemas.ValidationError);
    expect(entry.type).toMatchObject({ type: "string" });
    expect(entry.msg).toMatchObject({ type: "string" });
    expect(entry.loc).toMatchObject({
      type: "array",
      items: { anyOf: [{ type: "string" }, expect.objectContaining({ type: "integer" })] },
    });
    expect(entry).toHaveProperty("input");
    expect(schemas.ValidationError?.required).toEqual(["type", "loc", "msg"]);
  });
});

describe("the document follows the zod schemas", () => {
  afterEach(() => {
    vi.doUnmock("@todo/api");
    vi.resetModules();
  });

  it("changes title's limit when createTaskInput's changes", async () => {
    vi.resetModules();
    vi.doMock("@todo/api", async (importOriginal) => {
      const api = await importOriginal<typeof todoApi>();
      return { ...api, createTaskInput: api.createTaskInput.extend({ title: z.string().max(50) }) };
    });
    const { buildOpenApiDocument: rebuild } = await import("../../src/openapi/document.js");
    const changed: OpenApiDocument = rebuild();
    expect(propertiesOf(changed.components.schemas.TaskCreate).title).toEqual({
      type: "string",
      maxLength: 50,
    });
  });
});
