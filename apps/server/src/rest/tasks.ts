import { createCaller, createContextInner, type TaskOutput, type TokenVerifier } from "@todo/api";
import type { Database } from "@todo/db";
import type { IRouter, NextFunction, Request, Response } from "express";

import { fromProcedureError, methodNotAllowed } from "../http-errors.js";
import type { Location } from "../validation-errors.js";
import { authenticatePathUser } from "./authenticate.js";
import { snakeToCamel } from "./field-names.js";
import { bodyAsInput, readJsonBody } from "./json-body.js";
import { sendJson } from "./json-response.js";

// The REST contract of the FastAPI backends, as a thin adapter: check the
// token and the path user, call the same tRPC procedure, shape the answer.
// No rule about tasks lives here.

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

/** Query strings as the list's input: the last of repeated values, numbers as numbers. */
function listInput(query: Request["query"]): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(query)) {
    const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    if (typeof value !== "string") continue;
    input[snakeToCamel(key)] = NUMERIC.test(value) ? Number(value) : value;
  }
  return input;
}

type TaskParams = { user_id: string; id: string };

/**
 * Adds the task routes to `router` — the app itself in createApp, so these
 * requests, nearly all of them, pass no nested router.
 */
export function addTaskRoutes(
  router: IRouter,
  options: { db: Database; verifier: TokenVerifier; bodyLimitBytes: number },
): void {
  const { db, verifier } = options;
  const base = "/api/:user_id/tasks";
  const json = readJsonBody(options.bodyLimitBytes);

  /** Runs one route: authenticate, then (for writes) read the body, then the procedure. */
  const route =
    (
      handle: (
        caller: ReturnType<typeof createCaller>,
        req: Request<TaskParams>,
        res: Response,
      ) => Promise<void>,
      location: Location,
      withBody = false,
    ) =>
    async (req: Request<TaskParams>, res: Response, next: NextFunction) => {
      try {
        const userId = await authenticatePathUser(req, verifier);
        if (withBody) await json(req, res);
        const caller = createCaller(createContextInner({ db, userId }));
        // Client input is untyped JSON; the procedure's schema is what checks
        // it, so the adapter hands it over as it came (hence the `as never`s).
        await handle(caller, req, res).catch((error: unknown) => {
          throw fromProcedureError(error, location, location === "query" ? req.query : req.body);
        });
      } catch (error) {
        next(error);
      }
    };

  router
    .route(base)
    .get(
      route(async (caller, req, res) => {
        const page = await caller.task.list(listInput(req.query) as never);
        res.set("X-Total-Count", String(page.total));
        sendJson(res, page.items.map(toRestTask));
      }, "query"),
    )
    .post(
      route(
        async (caller, req, res) => {
          const task = await caller.task.create(bodyAsInput(req.body) as never);
          res.location(`/api/${encodeURIComponent(req.params.user_id)}/tasks/${task.id}`);
          sendJson(res, toRestTask(task), 201);
        },
        "body",
        true,
      ),
    )
    .all(() => {
      throw methodNotAllowed(["GET", "POST"]);
    });

  const update = route(
    async (caller, req, res) => {
      const changes = bodyAsInput(req.body);
      const task = await caller.task.update({ ...changes, id: req.params.id } as never);
      sendJson(res, toRestTask(task));
    },
    "body",
    true,
  );

  router
    .route(`${base}/:id`)
    .get(
      route(async (caller, req, res) => {
        sendJson(res, toRestTask(await caller.task.byId({ id: req.params.id })));
      }, "path"),
    )
    .put(update)
    .patch(update)
    .delete(
      route(async (caller, req, res) => {
        await caller.task.delete({ id: req.params.id });
        res.status(204).end();
      }, "path"),
    )
    .all(() => {
      throw methodNotAllowed(["GET", "PUT", "PATCH", "DELETE"]);
    });

  router
    .route(`${base}/:id/complete`)
    .patch(
      route(
        async (caller, req, res) => {
          // No body (or no `completed` in it) toggles; `{"completed": bool}` sets.
          const input = bodyAsInput(req.body, false);
          const task =
            "completed" in input
              ? await caller.task.setCompleted({ ...input, id: req.params.id } as never)
              : await caller.task.toggleComplete({ id: req.params.id });
          sendJson(res, toRestTask(task));
        },
        "body",
        true,
      ),
    )
    .all(() => {
      throw methodNotAllowed(["PATCH"]);
    });
}
