import { describe, expect, it } from "vitest";
import { z } from "zod";

import { snakeCaseFields, toRestSchema } from "../../src/openapi/rest-json-schema.js";

describe("the snake_case JSON Schema of a zod schema", () => {
  it("renames properties and required entries at every depth, never enum values", () => {
    const schema = z.object({
      dueDate: z.string(),
      subTasks: z.array(z.object({ createdAt: z.string(), sortKey: z.enum(["dueDate"]) })),
    });
    expect(toRestSchema(schema, "output")).toEqual({
      type: "object",
      properties: {
        due_date: { type: "string" },
        sub_tasks: {
          type: "array",
          items: {
            type: "object",
            properties: {
              created_at: { type: "string" },
              sort_key: { type: "string", enum: ["dueDate"] },
            },
            required: ["created_at", "sort_key"],
            additionalProperties: false,
          },
        },
      },
      required: ["due_date", "sub_tasks"],
      additionalProperties: false,
    });
  });

  it("leaves example values as they are", () => {
    const schema = { type: "object", examples: [{ dueDate: null }], properties: { dueDate: {} } };
    expect(snakeCaseFields(schema)).toEqual({
      type: "object",
      examples: [{ dueDate: null }],
      properties: { due_date: {} },
    });
  });
});
