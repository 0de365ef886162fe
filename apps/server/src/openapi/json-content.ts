import { componentRef } from "./rest-json-schema.js";
import type { JsonSchema, RequestBody, Response } from "./types.js";

/** `content` of a JSON response with this schema. */
export function jsonContent(schema: JsonSchema): Response["content"] {
  return { "application/json": { schema } };
}

/** A JSON request body of a component's schema. */
export function jsonBody(component: string, { required }: { required: boolean }): RequestBody {
  return { required, content: { "application/json": { schema: componentRef(component) } } };
}
