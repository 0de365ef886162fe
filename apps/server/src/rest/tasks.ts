import { createCaller, createContextInner, type TaskOutput, type TokenVerifier } from "@todo/api";
import type { Database } from "@todo/db";
import { Router, type Request, type RequestHandler, type Response } from "express";

import { fromProcedureError, methodNotAllowed } from "../http-errors.js";
import type { Location } from "../validation-errors.js";
import { authenticatePathUser } from "./authenticate.js";
import { snakeToCamel } from "./field-names.js";
import { bodyAsInput, jsonBody } from "./json-body.js";

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
  handle: (caller: Caller, req: Request<TaskParams>, res: Response) => Promise<void>;
}

// Client input is untyped JSON; the procedure's schema is what checks it,
// so the adapter hands it over as it came (hence the `as never`s).
const update: Endpoint["handle"] = async (caller, req, res) => {
  const task = await caller.task.update({ ...bodyAsInput(req.body), id: req.params.id } as never);
  res.json(toRestTask(task));
};

/** Every task route: path, then its endpoints in `Allow` order. */
const TASK_ROUTES: ReadonlyArray<readonly [string, readonly Endpoint[]]> = [
  [
    "/api/:user_id/tasks",
    [
      {
        method: "get",
        location: "query",
        handle: async (caller, req, res) => {
          const page = await caller.task.list(listInput(req.query) as never);
          res.set("X-Total-Count", String(page.total)).json(page.items.map(toRestTask));
        },
      },
      {
        method: "post",
        location: "body",
        handle: async (caller, req, res) => {
          const task = await caller.task.create(bodyAsInput(req.body) as never);
          res
            .status(201)
            .location(`/api/${encodeURIComponent(req.params.user_id)}/tasks/${task.id}`)
            .json(toRestTask(task));
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
        handle: async (caller, req, res) => {
          res.json(toRestTask(await caller.task.byId({ id: req.params.id! })));
        },
      },
      { method: "put", location: "body", handle: update },
      { method: "patch", location: "body", handle: update },
      {
        method: "delete",
        location: "path",
        handle: async (caller, req, res) => {
          await caller.task.delete({ id: req.params.id! });
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
        handle: async (caller, req, res) => {
          // No body (or no `completed` in it) toggles; `{"completed": bool}` sets.
          const input = bodyAsInput(req.body, false);
          const id = req.params.id!;
          const task =
            "completed" in input
              ? await caller.task.setCompleted({ ...input, id } as never)
              : await caller.task.toggleComplete({ id });
          res.json(toRestTask(task));
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
    ({ location, handle }: Endpoint): RequestHandler<TaskParams> =>
    async (req, res) => {
      const caller = createCaller(createContextInner({ db, userId: req.userId ?? null }));
      await handle(caller, req, res).catch((error: unknown) => {
        throw fromProcedureError(error, location, location === "query" ? req.query : req.body);
      });
    };

  for (const [path, endpoints] of TASK_ROUTES) {
    const route = router.route(path);
    for (const endpoint of endpoints) {
      const handlers: RequestHandler<TaskParams>[] = [authenticate];
      if (endpoint.location === "body")
        handlers.push(...(readBody as RequestHandler<TaskParams>[]));
      route[endpoint.method](...handlers, serve(endpoint));
    }
    const allowed = endpoints.map((endpoint) => endpoint.method.toUpperCase());
    route.all(() => {
      throw methodNotAllowed(allowed);
    });
  }
  return router;
}
