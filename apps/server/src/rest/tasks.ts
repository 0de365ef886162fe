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

/** What a route's handler is given. */
interface TaskRequest {
  caller: ReturnType<typeof createCaller>;
  req: IncomingMessage;
  res: ServerResponse;
  userPath: string;
  /** The `{id}` of the path ("" on the list's path). */
  id: string;
  query: ParsedUrlQuery;
  /** The JSON body, for routes that read one (undefined when there is none). */
  body: unknown;
}

interface Route {
  /** The pattern, as the request line logs it. */
  pattern: string;
  methods: Partial<
    Record<"GET" | "POST" | "PUT" | "PATCH" | "DELETE", (request: TaskRequest) => Promise<void>>
  >;
  /** Where a failure's input came from, for a 422's `loc`. */
  location: Location;
  /** Whether the route reads a JSON body. */
  withBody: boolean;
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
  const list: Route = {
    pattern: "/api/:user_id/tasks",
    location: "query",
    withBody: false,
    methods: {
      GET: async ({ caller, res, query }) => {
        const page = await caller.task.list(listInput(query) as never);
        res.setHeader("X-Total-Count", String(page.total));
        sendJson(res, page.items.map(toRestTask));
      },
    },
  };
  const create: Route = {
    pattern: "/api/:user_id/tasks",
    location: "body",
    withBody: true,
    methods: {
      POST: async ({ caller, res, userPath, body }) => {
        const task = await caller.task.create(bodyAsInput(body) as never);
        res.setHeader("Location", `/api/${encodeURIComponent(userPath)}/tasks/${task.id}`);
        sendJson(res, toRestTask(task), 201);
      },
    },
  };
  const one: Route = {
    pattern: "/api/:user_id/tasks/:id",
    location: "path",
    withBody: false,
    methods: {
      GET: async ({ caller, res, id }) => {
        sendJson(res, toRestTask(await caller.task.byId({ id })));
      },
    },
  };
  const change: Route = {
    pattern: "/api/:user_id/tasks/:id",
    location: "body",
    withBody: true,
    methods: { PUT: update, PATCH: update },
  };
  const remove: Route = {
    pattern: "/api/:user_id/tasks/:id",
    location: "path",
    withBody: false,
    methods: {
      DELETE: async ({ caller, res, id }) => {
        await caller.task.delete({ id });
        res.statusCode = 204;
        res.end();
      },
    },
  };
  const complete: Route = {
    pattern: "/api/:user_id/tasks/:id/complete",
    location: "body",
    withBody: true,
    methods: {
      PATCH: async ({ caller, res, id, body }) => {
        // No body (or no `completed` in it) toggles; `{"completed": bool}` sets.
        const input = bodyAsInput(body, false);
        const task =
          "completed" in input
            ? await caller.task.setCompleted({ ...input, id } as never)
            : await caller.task.toggleComplete({ id });
        sendJson(res, toRestTask(task));
      },
    },
  };

  /** The route for a method on a path, or the methods the path allows. */
  const routeFor = (
    method: string,
    path: readonly Route[],
  ): Route | { allow: string[]; pattern: string } => {
    const wanted = method === "HEAD" ? "GET" : method;
    const route = path.find((candidate) => wanted in candidate.methods);
    if (route) return route;
    return { allow: path.flatMap((r) => Object.keys(r.methods)), pattern: path[0]!.pattern };
  };
  const paths = { list: [list, create], one: [one, change, remove], complete: [complete] };

  async function serve(
    route: Route,
    req: IncomingMessage,
    res: ServerResponse,
    userPath: string,
    id: string,
    rawQuery: string,
  ): Promise<void> {
    const query = route.location === "query" ? parseQueryString(rawQuery) : {};
    let body: unknown;
    try {
      const userId = await authenticatePathUser(req, userPath, verifier);
      if (route.withBody) body = await json(req, res);
      const caller = createCaller(createContextInner({ db, userId }));
      const handle = route.methods[(req.method === "HEAD" ? "GET" : req.method) as "GET"]!;
      await handle({ caller, req, res, userPath, id, query, body }).catch((error: unknown) => {
        throw fromProcedureError(error, route.location, route.location === "query" ? query : body);
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
    const path = completePath ? paths.complete : rawId === undefined ? paths.list : paths.one;
    const route = routeFor(req.method ?? "GET", path);
    req.routePattern = route.pattern;
    if ("allow" in route) {
      sendError(methodNotAllowed(route.allow), req, res, logger);
    } else {
      const rawQuery = queryAt === -1 ? "" : url.slice(queryAt + 1);
      void serve(route, req, res, pathParam(rawUser), pathParam(rawId ?? ""), rawQuery);
    }
    return true;
  };
}
