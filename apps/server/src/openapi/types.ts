import type { z } from "zod";

// The slice of OpenAPI 3.1 this server's document uses — enough for the
// compiler to catch a misspelt key, without a dependency for the full spec.

export type JsonSchema = z.core.JSONSchema.JSONSchema;

export type HttpMethod = "get" | "put" | "post" | "delete" | "patch";

export interface Header {
  description: string;
  schema: JsonSchema;
}

export interface MediaType {
  schema: JsonSchema;
  example?: unknown;
}

export interface Response {
  description: string;
  headers?: Record<string, Header>;
  content?: Record<string, MediaType>;
}

export interface Parameter {
  name: string;
  in: "path" | "query" | "header";
  required: boolean;
  description?: string;
  schema: JsonSchema;
}

export interface RequestBody {
  required: boolean;
  description?: string;
  content: Record<string, MediaType>;
}

export interface Operation {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  security: Record<string, string[]>[];
  parameters?: Parameter[];
  requestBody?: RequestBody;
  responses: Record<string, Response>;
}

export type PathItem = { parameters?: Parameter[] } & Partial<Record<HttpMethod, Operation>>;

export interface SecurityScheme {
  type: "http";
  scheme: "bearer";
  bearerFormat: string;
  description: string;
}

export interface OpenApiDocument {
  openapi: "3.1.0";
  info: { title: string; version: string; description: string };
  tags: { name: string; description: string }[];
  paths: Record<string, PathItem>;
  components: {
    schemas: Record<string, JsonSchema>;
    securitySchemes: Record<string, SecurityScheme>;
  };
}
