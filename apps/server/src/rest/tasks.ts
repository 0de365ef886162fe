import {
  createCaller,
  createContextInner,
  type Context,
  type RequestIdentity,
  type TaskOutput,
  type TokenVerifier,
} from "@todo/api";
import type { Database } from "@todo/db";
import { Router, type Request, type RequestHandler, type Response } from "express";

import { fromProcedureError, methodNotAllowed } from "../http-errors.js";
import type { Location } from "../validation-errors.js";
import { authenticatePathUser } from "./authenticate.js";
import {
  etagOf,
  idempotencyKeyOf,
  ifMatchVersions,
  ifNoneMatchHits,
} from "./conditional-requests.js";
import { snakeToCamel } from "./field-names.js";
import { bodyAsInput, jsonBody } from "./json-body.js";
import { sendJson } from "./json-response.js";

// The REST contract of the FastAPI backends, as a thin adapter: check the
// token and the path user, read the body, call the same tRPC procedure,
// shape the answer. No rule about tasks lives here.

export interface RestTask {
  id: string;
  user_id: string;
  title: string;
  description: string | null;
  completed: boolean;
  priority: TaskOutput["priority"];
  due_date: string | null;
  tags: string[];
  created_at: string;
  updated_at: string;
  version: number;
}

export function toRestTask(task: TaskOutput): RestTask {
  return {
    id: task.id,
    user_id: task.userId,
    title: task.title,
    description: task.description,
    completed: task.completed,
    priority: task.priority,
    due_date: task.dueDate,
    tags: task.tags,
    created_at: task.createdAt,
    updated_at: task.updatedAt,
    version: task.version,
  };
}

const NUMERIC = /^-?\d+(\.\d+)?$/;
// The words Pydantic reads as a boolean in a query string.
const BOOLEAN_WORDS = new Map([
  ...["true", "1", "yes", "on", "t", "y"].map((word) => [word, true] as const),
  ...["false", "0", "no", "off", "f", "n"].map((word) => [word, false] as const),
]);
const BOOLEAN_PARAMETERS = new Set(["completed"]);

/**
 * Query strings as the list's input: the last of repeated values, numbers as
 * numbers, booleans as booleans (a value that is neither stays text, for the
 * schema to refuse).
 */
function listInput(query: Request["query"]): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(query)) {
    const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    if (typeof value !== "string") continue;
    input[snakeToCamel(key)] = BOOLEAN_PARAMETERS.has(key)
      ? (BOOLEAN_WORDS.get(value.toLowerCase()) ?? value)
      : NUMERIC.test(value)
        ? Number(value)
        : value;
  }
  return input;
}

type TaskParams = { user_id: string; id?: string };
type Caller = ReturnType<typeof createCaller>;

/** One method on one path. */
interface Endpoint {
  method: "get" | "post" | "put" | "patch" | "delete";
  /** Where its input comes from, for a 422's `loc`; "body" endpoints read a JSON body. */
  location: Location;
  handle: (call: TaskCall) => Promise<void>;
}

/** What an endpoint's handler works with. */
interface TaskCall {
  caller: Caller;
  req: Request<TaskParams>;
  res: Response;
  /** The context's answer: whether the call replayed a stored one. */
  answer: Context["answer"];
}

/**
 * The body's fields as a procedure's input. The procedures' own
 * `expectedVersion` and `idempotencyKey` come from the If-Match and
 * Idempotency-Key headers over REST, never from the body (whose unknown fields
 * are ignored).
 */
function bodyFields(body: unknown, required = true): Record<string, unknown> {
  const fields = bodyAsInput(body, required);
  delete fields.expectedVersion;
  delete fields.idempotencyKey;
  return fields;
}

/** One task, with its version as the ETag (and whether it is a replayed answer). */
function sendTask(call: TaskCall, task: TaskOutput, status = 200): void {
  if (call.answer.replayed) call.res.set("Idempotent-Replayed", "true");
  sendJson(call.res.status(status).set("ETag", etagOf(task.version)), toRestTask(task));
}

const ifMatch = (req: Request<TaskParams>) => ifMatchVersions(req.get("if-match"));
const idempotencyKey = (req: Request<TaskParams>) =>
  idempotencyKeyOf(req.headersDistinct["idempotency-key"]);

/**
 * The request as an idempotency key's fingerprint covers it: its method, its
 * path (the route's, with the path's values) and its body as received. Not
 * its headers: a retry that sends another If-Match asks for the same write.
 */
function requestIdentity(req: Request<TaskParams>, route: string): RequestIdentity {
  const path = route.replace(/:(\w+)/g, (_, name: keyof TaskParams) =>
    encodeURIComponent(req.params[name] ?? ""),
  );
  return { operation: `${req.method} ${path}`, body: req.body };
}

// Client input is untyped JSON; the procedure's schema is what checks it,
// so the adapter hands it over as it came (hence the `as never`s).
const update: Endpoint["handle"] = async (call) => {
  const { req } = call;
  const task = await call.caller.task.update({
    ...bodyFields(req.body),
    id: req.params.id,
    expectedVersion: ifMatch(req),
  } as never);
  sendTask(call, task);
};

/** Every task route: path, then its endpoints in `Allow` order. */
const TASK_ROUTES: ReadonlyArray<readonly [string, readonly Endpoint[]]> = [
  [
    "/api/:user_id/tasks",
    [
      {
        method: "get",
        location: "query",
        handle: async ({ caller, req, res }) => {
          const page = await caller.task.list(listInput(req.query) as never);
          sendJson(res.set("X-Total-Count", String(page.total)), page.items.map(toRestTask));
        },
      },
      {
        method: "post",
        location: "body",
        handle: async (call) => {
          const { req, res } = call;
          const key = idempotencyKey(req);
          const task = await call.caller.task.create({
            ...bodyFields(req.body),
            idempotencyKey: key,
          } as never);
          res.location(`/api/${encodeURIComponent(req.params.user_id)}/tasks/${task.id}`);
          sendTask(call, task, 201);
        },
      },
    ],
  ],
  [
    "/api/:user_id/tasks/:id",
    [
      {
        method: "get",
        location: "path",
        handle: async (call) => {
          const { req, res } = call;
          const task = await call.caller.task.byId({ id: req.params.id! });
          if (ifNoneMatchHits(req.get("if-none-match"), task.version)) {
            res.status(304).set("ETag", etagOf(task.version)).end();
            return;
          }
          sendTask(call, task);
        },
      },
      { method: "put", location: "body", handle: update },
      { method: "patch", location: "body", handle: update },
      {
        method: "delete",
        location: "path",
        handle: async ({ caller, req, res }) => {
          await caller.task.delete({ id: req.params.id!, expectedVersion: ifMatch(req) });
          res.status(204).end();
        },
      },
    ],
  ],
  [
    "/api/:user_id/tasks/:id/complete",
    [
      {
        method: "patch",
        location: "body",
        handle: async (call) => {
          const { req } = call;
          // No body (or no `completed` in it) toggles; `{"completed": bool}` sets.
          const input = bodyFields(req.body, false);
          const conditions = {
            id: req.params.id!,
            expectedVersion: ifMatch(req),
            idempotencyKey: idempotencyKey(req),
          };
          const task =
            "completed" in input
              ? await call.caller.task.setCompleted({ ...input, ...conditions } as never)
              : await call.caller.task.toggleComplete(conditions);
          sendTask(call, task);
        },
      },
    ],
  ],
];

/** The task routes on an Express router; Express matches paths and answers HEAD as GET. */
export function createTaskRouter(options: {
  db: Database;
  verifier: TokenVerifier;
  bodyLimitBytes: number;
}): Router {
  const { db } = options;
  const router = Router();
  const authenticate = authenticatePathUser(options.verifier);
  const readBody = jsonBody(options.bodyLimitBytes);

  const serve =
    (route: string, { location, handle }: Endpoint): RequestHandler<TaskParams> =>
    async (req, res) => {
      const context = createContextInner({
        db,
        userId: req.userId ?? null,
        request: requestIdentity(req, route),
      });
      const caller = createCaller(context);
      await handle({ caller, req, res, answer: context.answer }).catch((error: unknown) => {
        throw fromProcedureError(error, location, location === "query" ? req.query : req.body);
      });
    };

  for (const [path, endpoints] of TASK_ROUTES) {
    const route = router.route(path);
    for (const endpoint of endpoints) {
      const handlers: RequestHandler<TaskParams>[] = [authenticate];
      if (endpoint.location === "body")
        handlers.push(...(readBody as RequestHandler<TaskParams>[]));
      route[endpoint.method](...handlers, serve(path, endpoint));
    }
    const allowed = endpoints.map((endpoint) => endpoint.method.toUpperCase());
    route.all(() => {
      throw methodNotAllowed(allowed);
    });
  }
  return router;
}
