import type { IncomingMessage, ServerResponse } from "node:http";
import { parse as parseQueryString, type ParsedUrlQuery } from "node:querystring";

import { createCaller, createContextInner, type TaskOutput, type TokenVerifier } from "@todo/api";
import type { Database } from "@todo/db";
import type { Logger } from "pino";

import { fromProcedureError, methodNotAllowed, sendError } from "../http-errors.js";
import type { Location } from "../validation-errors.js";
import { authenticatePathUser } from "./authenticate.js";
import { snakeToCamel } from "./field-names.js";
import { bodyAsInput, readJsonBody } from "./json-body.js";
import { sendJson } from "./json-response.js";

// The REST contract of the FastAPI backends, as a thin adapter: check the
// token and the path user, call the same tRPC procedure, shape the answer.
// No rule about tasks lives here.
//
// These routes are nearly every request a server gets, so they are matched
// and answered on Node's own request and response, not through Express:
// measured with `pnpm bench`, Express's per-request work (its router, the
// request and response it builds) was about 40% of a task request's CPU
// time. They keep Express's routing rules: a path is matched case-
// insensitively, with or without a trailing slash, its parameters
// URL-decoded; HEAD is answered as GET without a body; a known path with
// another method is a 405 listing the allowed ones. OPTIONS never gets here
// (CORS answers it first).

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
function listInput(query: ParsedUrlQuery): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(query)) {
    const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    if (typeof value !== "string") continue;
    input[snakeToCamel(key)] = NUMERIC.test(value) ? Number(value) : value;
  }
  return input;
}

/** What an endpoint's handler is given. */
interface TaskRequest {
  caller: ReturnType<typeof createCaller>;
  res: ServerResponse;
  userPath: string;
  /** The `{id}` of the path ("" on the list's path). */
  id: string;
  query: ParsedUrlQuery;
  /** The JSON body, for endpoints that read one (undefined when there is none). */
  body: unknown;
}

/** One method on one path. */
interface Endpoint {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  handle: (request: TaskRequest) => Promise<void>;
  /** Where a failure's input came from, for a 422's `loc`. */
  location: Location;
  /** Whether it reads a JSON body. */
  withBody?: boolean;
}

/** A path: its pattern, as the request line logs it, and its endpoints in `Allow` order. */
interface TaskPath {
  pattern: string;
  endpoints: Endpoint[];
}

/** `/api/{user_id}/tasks`, `…/{id}` and `…/{id}/complete`, as Express matches them. */
const TASK_PATH = /^\/api\/([^/]+)\/tasks(?:\/([^/]+)(\/complete)?)?\/?$/i;

/** A path parameter, URL-decoded; kept as sent when it is not valid %-encoding. */
function pathParam(raw: string): string {
  if (!raw.includes("%")) return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/**
 * The task routes. The returned function answers a request on one of their
 * paths and returns true, or returns false and leaves it alone.
 */
export function createTaskRoutes(options: {
  db: Database;
  verifier: TokenVerifier;
  bodyLimitBytes: number;
  logger: Logger;
}): (req: IncomingMessage, res: ServerResponse) => boolean {
  const { db, verifier, logger } = options;
  const json = readJsonBody(options.bodyLimitBytes);

  const update = async ({ caller, res, id, body }: TaskRequest) => {
    const task = await caller.task.update({ ...bodyAsInput(body), id } as never);
    sendJson(res, toRestTask(task));
  };

  // Client input is untyped JSON; the procedure's schema is what checks it,
  // so the adapter hands it over as it came (hence the `as never`s).
  const list: TaskPath = {
    pattern: "/api/:user_id/tasks",
    endpoints: [
      {
        method: "GET",
        location: "query",
        handle: async ({ caller, res, query }) => {
          const page = await caller.task.list(listInput(query) as never);
          res.setHeader("X-Total-Count", String(page.total));
          sendJson(res, page.items.map(toRestTask));
        },
      },
      {
        method: "POST",
        location: "body",
        withBody: true,
        handle: async ({ caller, res, userPath, body }) => {
          const task = await caller.task.create(bodyAsInput(body) as never);
          res.setHeader("Location", `/api/${encodeURIComponent(userPath)}/tasks/${task.id}`);
          sendJson(res, toRestTask(task), 201);
        },
      },
    ],
  };
  const one: TaskPath = {
    pattern: "/api/:user_id/tasks/:id",
    endpoints: [
      {
        method: "GET",
        location: "path",
        handle: async ({ caller, res, id }) => {
          sendJson(res, toRestTask(await caller.task.byId({ id })));
        },
      },
      { method: "PUT", location: "body", withBody: true, handle: update },
      { method: "PATCH", location: "body", withBody: true, handle: update },
      {
        method: "DELETE",
        location: "path",
        handle: async ({ caller, res, id }) => {
          await caller.task.delete({ id });
          res.statusCode = 204;
          res.end();
        },
      },
    ],
  };
  const complete: TaskPath = {
    pattern: "/api/:user_id/tasks/:id/complete",
    endpoints: [
      {
        method: "PATCH",
        location: "body",
        withBody: true,
        handle: async ({ caller, res, id, body }) => {
          // No body (or no `completed` in it) toggles; `{"completed": bool}` sets.
          const input = bodyAsInput(body, false);
          const task =
            "completed" in input
              ? await caller.task.setCompleted({ ...input, id } as never)
              : await caller.task.toggleComplete({ id });
          sendJson(res, toRestTask(task));
        },
      },
    ],
  };

  async function serve(
    endpoint: Endpoint,
    req: IncomingMessage,
    res: ServerResponse,
    params: { userPath: string; id: string },
    rawQuery: string,
  ): Promise<void> {
    const query = endpoint.location === "query" ? parseQueryString(rawQuery) : {};
    let body: unknown;
    try {
      const userId = await authenticatePathUser(req, params.userPath, verifier);
      if (endpoint.withBody) body = await json(req, res);
      const caller = createCaller(createContextInner({ db, userId }));
      await endpoint.handle({ caller, res, ...params, query, body }).catch((error: unknown) => {
        const submitted = endpoint.location === "query" ? query : body;
        throw fromProcedureError(error, endpoint.location, submitted);
      });
    } catch (error) {
      if (!res.headersSent) sendError(error, req, res, logger);
      else {
        req.log.error({ err: error }, "failed after the response started");
        res.destroy();
      }
    }
  }

  return (req, res) => {
    const url = req.url ?? "";
    const queryAt = url.indexOf("?");
    const match = TASK_PATH.exec(queryAt === -1 ? url : url.slice(0, queryAt));
    if (!match) return false;
    const [, rawUser = "", rawId, completePath] = match;
    const path = completePath ? complete : rawId === undefined ? list : one;
    req.routePattern = path.pattern;
    const method = req.method === "HEAD" ? "GET" : req.method;
    const endpoint = path.endpoints.find((candidate) => candidate.method === method);
    if (!endpoint) {
      sendError(methodNotAllowed(path.endpoints.map((e) => e.method)), req, res, logger);
    } else {
      const params = { userPath: pathParam(rawUser), id: pathParam(rawId ?? "") };
      void serve(endpoint, req, res, params, queryAt === -1 ? "" : url.slice(queryAt + 1));
    }
    return true;
  };
}
