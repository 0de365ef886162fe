import { z } from "zod";

import { camelToSnake } from "../rest/field-names.js";
import type { JsonSchema } from "./types.js";

type Io = "input" | "output";

// Request schemas are described as clients send them (`io: "input"`): a date
// is a string there, while the parsed value is a Date that JSON Schema cannot
// express. Responses are described as the server sends them.

/** A `$ref` to a schema of the document's `components`. */
export function componentRef(name: string): JsonSchema {
  return { $ref: componentUri(name) };
}

function componentUri(name: string): string {
  return `#/components/schemas/${name}`;
}

/**
 * Named zod schemas as OpenAPI components in REST's snake_case. A schema used
 * inside another one of the same batch becomes a `$ref` to its component.
 */
export function toRestComponents(
  schemas: Record<string, z.ZodType>,
  io: Io,
): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(schemas)) registry.add(schema, { id });
  const generated = z.toJSONSchema(registry, { io, uri: componentUri });
  return Object.fromEntries(
    Object.entries(generated.schemas).map(([id, schema]) => [id, toRestJsonSchema(schema)]),
  );
}

/** One zod schema as a JSON Schema in REST's snake_case. */
export function toRestSchema(schema: z.ZodType, io: Io): JsonSchema {
  return toRestJsonSchema(z.toJSONSchema(schema, { io }));
}

function toRestJsonSchema(schema: JsonSchema): JsonSchema {
  // A component is not a standalone document: its dialect is the one the
  // OpenAPI document declares, and it is named by its place in `components`.
  const component = { ...schema };
  delete component.$schema;
  delete component.$id;
  return snakeCaseFields(component) as JsonSchema;
}

// Keywords whose values are instance data, not schemas: nothing in them is a
// field name to rename.
const DATA_KEYWORDS = new Set(["enum", "const", "default", "examples", "example"]);

/** Renames every property, and its `required` entry, to snake_case, at every depth. */
export function snakeCaseFields(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(snakeCaseFields);
  if (!isRecord(schema)) return schema;
  return Object.fromEntries(
    Object.entries(schema).map(([keyword, value]) => {
      if (DATA_KEYWORDS.has(keyword)) return [keyword, value];
      if (keyword === "properties" && isRecord(value)) {
        const renamed = Object.entries(value).map(([name, property]) => [
          camelToSnake(name),
          snakeCaseFields(property),
        ]);
        return [keyword, Object.fromEntries(renamed)];
      }
      if (keyword === "required" && Array.isArray(value)) {
        return [
          keyword,
          value.map((name) => (typeof name === "string" ? camelToSnake(name) : name)),
        ];
      }
      return [keyword, snakeCaseFields(value)];
    }),
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
