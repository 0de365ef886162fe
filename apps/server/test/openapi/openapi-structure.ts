import type { HttpMethod, OpenApiDocument, Operation } from "../../src/openapi/types.js";

// What a validator would refuse in an OpenAPI 3.1 document, for the parts
// this document uses. Returns one line per problem, so a failure says where.

const METHODS: HttpMethod[] = ["get", "put", "post", "delete", "patch"];

export function operationsOf(
  doc: OpenApiDocument,
): { path: string; method: HttpMethod; operation: Operation }[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    METHODS.flatMap((method) => {
      const operation = item[method];
      return operation ? [{ path, method, operation }] : [];
    }),
  );
}

/** Every `$ref` in the document, wherever it sits. */
export function refsIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(refsIn);
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([key, child]) =>
    key === "$ref" && typeof child === "string" ? [child] : refsIn(child),
  );
}

/** Follows a local reference (`#/components/schemas/Task`) through the document. */
export function resolveRef(doc: OpenApiDocument, ref: string): unknown {
  if (!ref.startsWith("#/")) return undefined;
  let target: unknown = doc;
  for (const raw of ref.slice(2).split("/")) {
    const key = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    if (target === null || typeof target !== "object" || !Object.hasOwn(target, key))
      return undefined;
    target = (target as Record<string, unknown>)[key];
  }
  return target;
}

export function structuralProblems(doc: OpenApiDocument): string[] {
  const problems: string[] = [];
  if (doc.openapi !== "3.1.0") problems.push(`openapi is ${String(doc.openapi)}, not 3.1.0`);
  if (!doc.info.title || !doc.info.version) problems.push("info needs a title and a version");

  for (const ref of refsIn(doc)) {
    if (resolveRef(doc, ref) === undefined) problems.push(`$ref ${ref} resolves to nothing`);
  }

  const declaredTags = new Set(doc.tags.map((tag) => tag.name));
  const operationIds = new Set<string>();
  for (const { path, method, operation } of operationsOf(doc)) {
    const where = `${method.toUpperCase()} ${path}`;
    if (!path.startsWith("/")) problems.push(`${where}: a path starts with /`);
    if (operationIds.has(operation.operationId)) {
      problems.push(`${where}: operationId ${operation.operationId} is used twice`);
    }
    operationIds.add(operation.operationId);

    const parameters = [...(doc.paths[path]?.parameters ?? []), ...(operation.parameters ?? [])];
    const pathParameters = new Set(parameters.filter((p) => p.in === "path").map((p) => p.name));
    for (const [, name = ""] of path.matchAll(/\{([^}]+)\}/g)) {
      if (!pathParameters.has(name))
        problems.push(`${where}: path parameter ${name} is not declared`);
    }
    for (const parameter of parameters) {
      if (parameter.in === "path" && !parameter.required) {
        problems.push(`${where}: path parameter ${parameter.name} must be required`);
      }
    }
    const keys = parameters.map((p) => `${p.in}:${p.name}`);
    if (new Set(keys).size !== keys.length)
      problems.push(`${where}: a parameter is declared twice`);

    for (const tag of operation.tags) {
      if (!declaredTags.has(tag)) problems.push(`${where}: tag ${tag} is not declared`);
    }
    for (const requirement of operation.security) {
      for (const scheme of Object.keys(requirement)) {
        if (!doc.components.securitySchemes[scheme]) {
          problems.push(`${where}: security scheme ${scheme} is not declared`);
        }
      }
    }
    const responses = Object.entries(operation.responses);
    if (responses.length === 0) problems.push(`${where}: no responses`);
    for (const [status, response] of responses) {
      if (!/^[1-5]\d\d$/.test(status)) problems.push(`${where}: ${status} is not a status code`);
      if (!response.description)
        problems.push(`${where} ${status}: a response needs a description`);
    }
  }
  return problems;
}
