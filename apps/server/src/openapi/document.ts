import {
  createTaskInput,
  healthOutput,
  listTasksInput,
  loginInput,
  sessionOutput,
  setCompletedInput,
  signupInput,
  taskChangesInput,
  taskOutput,
  userOutput,
} from "@todo/api";
import type { z } from "zod";

import { snakeToCamel } from "../rest/field-names.js";
import { authPaths } from "./auth-paths.js";
import {
  errorResponses,
  idempotencyInFlight,
  malformedBodyOrKey,
  validationFailedOrKeyReused,
  type ErrorStatus,
} from "./error-responses.js";
import { errorDetail, httpValidationError, validationError } from "./error-schemas.js";
import { jsonBody, jsonContent } from "./json-content.js";
import { componentRef, toRestComponents, toRestSchema } from "./rest-json-schema.js";
import type {
  OpenApiDocument,
  Operation,
  Parameter,
  PathItem,
  RequestBody,
  Response,
} from "./types.js";

export type { OpenApiDocument } from "./types.js";

const API_VERSION = "0.1.0";

const TASKS_PATH = "/api/{user_id}/tasks";
const TASK_PATH = `${TASKS_PATH}/{id}`;
const TASK_COMPLETE_PATH = `${TASK_PATH}/complete`;

const BEARER = [{ bearerAuth: [] }];

// Routes with a task id can miss the task; the collection routes cannot.
const TASK_ERRORS: ErrorStatus[] = [404];

const builtDocuments = new Map<boolean, OpenApiDocument>();

/**
 * The OpenAPI 3.1 document of the REST routes, generated from the zod schemas
 * the procedures validate with; the `/auth` routes only when the built-in
 * accounts are on (`localAuth`, default true). Built on the first call; every
 * later call returns the same object, so callers must not change it.
 */
export function buildOpenApiDocument({ localAuth = true } = {}): OpenApiDocument {
  let document = builtDocuments.get(localAuth);
  if (!document) {
    document = createDocument(localAuth);
    builtDocuments.set(localAuth, document);
  }
  return document;
}

function createDocument(localAuth: boolean): OpenApiDocument {
  const document = createTaskDocument();
  if (!localAuth) return document;
  document.tags.push({
    name: "auth",
    description: "Built-in accounts (LOCAL_AUTH): sign up, log in, and who a token belongs to",
  });
  Object.assign(document.paths, authPaths());
  Object.assign(
    document.components.schemas,
    toRestComponents({ Signup: signupInput, Login: loginInput }, "input"),
    toRestComponents({ Session: sessionOutput, User: userOutput }, "output"),
  );
  return document;
}

function createTaskDocument(): OpenApiDocument {
  return {
    openapi: "3.1.0",
    info: {
      title: "Todo API",
      version: API_VERSION,
      description:
        "Tasks of the signed-in user. Every `/api` route needs `Authorization: Bearer <JWT>` " +
        "and a `user_id` equal to the token's user. Field names are snake_case; " +
        "every error body is JSON with a `detail` key.",
    },
    tags: [
      { name: "tasks", description: "The signed-in user's tasks" },
      { name: "health", description: "Whether the server and its database are up" },
    ],
    paths: {
      "/health": { get: healthOperation() },
      [TASKS_PATH]: tasksPathItem(),
      [TASK_PATH]: taskPathItem(),
      [TASK_COMPLETE_PATH]: taskCompletePathItem(),
    },
    components: {
      schemas: {
        ...toRestComponents(
          {
            TaskCreate: createTaskInput,
            TaskUpdate: taskChangesInput,
            // Without `completed` the route toggles, as it does without a body.
            TaskComplete: setCompletedInput.pick({ completed: true }).partial(),
          },
          "input",
        ),
        ...toRestComponents(
          {
            Task: taskOutput,
            Health: healthOutput,
            ErrorDetail: errorDetail,
            HTTPValidationError: httpValidationError,
            ValidationError: validationError,
          },
          "output",
        ),
      },
      securitySchemes: {
        bearerAuth: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "JWT",
          description:
            "An HS256 token signed with BETTER_AUTH_SECRET (what /auth/signup and /auth/login " +
            "answer), or a Better Auth JWT plugin token (EdDSA, ES256, RS256 or PS256) from " +
            "the JWKS at BETTER_AUTH_URL.",
        },
      },
    },
  };
}

function healthOperation(): Operation {
  const health = jsonContent(componentRef("Health"));
  return {
    operationId: "getHealth",
    summary: "Check the server and its database",
    tags: ["health"],
    security: [],
    responses: {
      "200": { description: "Up, and the database answers", content: health },
      "503": { description: "The database cannot be reached", content: health },
    },
  };
}

function tasksPathItem(): PathItem {
  return {
    parameters: [userIdParameter],
    get: taskOperation({
      operationId: "listTasks",
      summary: "List tasks",
      description:
        "Filtered, sorted and paged. Ties are broken by id; tasks with no due_date sort last.",
      parameters: listQueryParameters(),
      responses: {
        "200": {
          description: "The page of tasks, as a bare array",
          headers: {
            "X-Total-Count": {
              description: "How many tasks match the filters, before limit and offset",
              schema: { type: "integer", minimum: 0 },
            },
          },
          content: jsonContent({ type: "array", items: componentRef("Task") }),
        },
      },
    }),
    post: taskOperation({
      operationId: "createTask",
      summary: "Create a task",
      parameters: [idempotencyKeyParameter],
      requestBody: jsonBody("TaskCreate", { required: true }),
      responses: {
        "201": {
          description: "Created",
          headers: {
            Location: {
              description: "The new task's path, `/api/{user_id}/tasks/{id}`",
              schema: { type: "string", format: "uri-reference" },
            },
            ETag: etagHeader,
            "Idempotent-Replayed": replayedHeader,
          },
          content: jsonContent(componentRef("Task")),
        },
      },
    }),
  };
}

function taskPathItem(): PathItem {
  const changes =
    "Partial: send any subset of the writable fields; `null` clears description and due_date.";
  return {
    parameters: [userIdParameter, taskIdParameter],
    get: taskOperation(
      {
        operationId: "getTask",
        summary: "Get a task",
        parameters: [ifNoneMatchParameter],
        responses: {
          "200": taskResponse("The task"),
          "304": {
            description: "Not modified: If-None-Match matched",
            headers: { ETag: etagHeader },
          },
        },
      },
      TASK_ERRORS,
    ),
    put: taskOperation(
      {
        operationId: "updateTask",
        parameters: [ifMatchParameter],
        summary: "Update a task",
        description: changes,
        requestBody: jsonBody("TaskUpdate", { required: true }),
        responses: { "200": taskResponse("The updated task") },
      },
      TASK_ERRORS,
    ),
    patch: taskOperation(
      {
        operationId: "patchTask",
        parameters: [ifMatchParameter],
        summary: "Update a task (same as PUT)",
        description: changes,
        requestBody: jsonBody("TaskUpdate", { required: true }),
        responses: { "200": taskResponse("The updated task") },
      },
      TASK_ERRORS,
    ),
    delete: taskOperation(
      {
        operationId: "deleteTask",
        summary: "Delete a task",
        parameters: [ifMatchParameter],
        responses: { "204": { description: "Deleted; the body is empty" } },
      },
      TASK_ERRORS,
    ),
  };
}

function taskCompletePathItem(): PathItem {
  return {
    parameters: [userIdParameter, taskIdParameter],
    patch: taskOperation(
      {
        operationId: "completeTask",
        parameters: [ifMatchParameter, idempotencyKeyParameter],
        summary: "Toggle or set a task's completion",
        description:
          'No body (or no `completed` in it) toggles `completed`; `{"completed": bool}` sets it.',
        requestBody: jsonBody("TaskComplete", { required: false }),
        responses: {
          "200": taskResponse("The task, with its new completion", { replayable: true }),
        },
      },
      TASK_ERRORS,
    ),
  };
}

interface TaskOperationSpec {
  operationId: string;
  summary: string;
  description?: string;
  parameters?: Parameter[];
  requestBody?: RequestBody;
  responses: Record<string, Response>;
}

/**
 * An `/api` operation: Bearer-protected, with the errors every such route can
 * give, those of a body when it takes one, and `pathErrors`.
 */
function taskOperation(spec: TaskOperationSpec, pathErrors: ErrorStatus[] = []): Operation {
  const errors: ErrorStatus[] = [401, 403, 422, 503, ...pathErrors];
  if (spec.requestBody) errors.push(400, 413, 415);
  const headers = new Set((spec.parameters ?? []).map((parameter) => parameter.name));
  if (headers.has("If-Match")) errors.push(412);
  const keyed = headers.has("Idempotency-Key");
  if (keyed) errors.push(400, 409);
  const specific = keyed
    ? { 400: malformedBodyOrKey(), 409: idempotencyInFlight(), 422: validationFailedOrKeyReused() }
    : {};
  return {
    ...spec,
    tags: ["tasks"],
    security: BEARER,
    responses: { ...spec.responses, ...errorResponses([...new Set(errors)], specific) },
  };
}

const userIdParameter: Parameter = {
  name: "user_id",
  in: "path",
  required: true,
  description: "The token's user id; any other answers 403",
  schema: { type: "string" },
};

const taskIdParameter: Parameter = {
  name: "id",
  in: "path",
  required: true,
  description: "The task's id. One that is not a UUID answers 404, like a missing task.",
  schema: { type: "string", format: "uuid" },
};

// What the schema cannot say (defaults, how a filter matches). Keyed by the
// schema's own field names, so a field added there without a line here fails
// to compile.
const LIST_QUERY_NOTES = {
  status: "Default `all`",
  completed:
    "`true` is status=completed, `false` status=pending (as some frontends filter); contradicting status is a 422",
  priority: "Only tasks of this priority",
  tag: "Only tasks with this tag, compared without regard to case",
  search: "Case-insensitive substring of title or description; `%` and `_` match themselves",
  dueBefore: "Only tasks with due_date before this instant (exclusive); ISO 8601 with offset",
  dueAfter: "Only tasks with due_date at or after this instant; ISO 8601 with offset",
  sort: "Default `created`; ties are broken by id, tasks with no due_date sort last",
  order:
    "Default `desc` for created, updated and priority (high first), `asc` for title and due_date",
  limit: "Page size, default 1000",
  offset: "Tasks to skip, default 0",
} satisfies Record<keyof z.input<typeof listTasksInput>, string>;

function listQueryParameters(): Parameter[] {
  const query = toRestSchema(listTasksInput, "input");
  const required = new Set(query.required ?? []);
  const notes: Record<string, string | undefined> = LIST_QUERY_NOTES;
  return Object.entries(query.properties ?? {}).map(([name, property]) => {
    const { description, ...schema } = typeof property === "boolean" ? {} : property;
    return {
      name,
      in: "query",
      required: required.has(name),
      description: description ?? notes[snakeToCamel(name)],
      schema,
    };
  });
}

/** A 2xx with one task; `replayable` on the routes that take an Idempotency-Key. */
function taskResponse(description: string, { replayable = false } = {}): Response {
  return {
    description,
    headers: replayable
      ? { ETag: etagHeader, "Idempotent-Replayed": replayedHeader }
      : { ETag: etagHeader },
    content: jsonContent(componentRef("Task")),
  };
}

const etagHeader = {
  description: 'The task\'s version as a strong entity-tag, e.g. `"3"`',
  schema: { type: "string" },
} as const;

const replayedHeader = {
  description:
    "`true` when this is the stored answer to an earlier request with the same Idempotency-Key",
  schema: { type: "string", const: "true" },
} as const;

const ifMatchParameter: Parameter = {
  name: "If-Match",
  in: "header",
  required: false,
  description:
    'Apply the write only if the task is at one of these versions (`"3"`, a comma list, or `*`); ' +
    "otherwise 412 and nothing changes. Weak tags never match.",
  schema: { type: "string" },
};

const ifNoneMatchParameter: Parameter = {
  name: "If-None-Match",
  in: "header",
  required: false,
  description:
    "304 without a body when the task is at one of these versions (weak comparison), or `*`",
  schema: { type: "string" },
};

const idempotencyKeyParameter: Parameter = {
  name: "Idempotency-Key",
  in: "header",
  required: false,
  description:
    "1–255 printable ASCII characters (bare, or a quoted structured-field string). A retry with " +
    "the same key and request gets the first answer again, with `Idempotent-Replayed: true`; " +
    "the same key with another request is a 422; kept at least 24 hours, per user.",
  schema: { type: "string", minLength: 1, maxLength: 257 },
};
