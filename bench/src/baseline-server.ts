// The ceiling: the least a Node server can do for the REST list and create
// routes — node:http, a pg Pool of the server's default size (10), the same
// HS256 check with node:crypto, and the same SQL as packages/db/src/tasks.ts
// written by hand. No framework, no validation library, no ORM, no request
// log. Started by the bench as its own process; reads its settings from the
// environment.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";

import pg from "pg";

import { verifyHs256Token } from "./hs256-token.js";

const POOL_SIZE = 10;
const BODY_LIMIT_BYTES = 100_000;
const PRIORITIES = new Set(["low", "medium", "high"]);

// Times come out of PostgreSQL as ISO 8601 UTC text, as the server's queries do.
const isoUtc = (column: string) =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS ${column}`;
const COLUMNS = `id, user_id, title, description, completed, priority, ${isoUtc("due_date")}, tags,
  ${isoUtc("created_at")}, ${isoUtc("updated_at")}, version`;

// The list's default: sort=created, order=desc, limit=1000, offset=0.
const LIST_SQL = `SELECT ${COLUMNS}, count(*) OVER () AS total
  FROM tasks WHERE user_id = $1
 ORDER BY created_at DESC, id DESC
 LIMIT $2 OFFSET $3`;

const INSERT_SQL = `INSERT INTO tasks (user_id, title, description, completed, priority, due_date, tags)
VALUES ($1, $2, $3, $4, $5::priority, $6, $7)
RETURNING ${COLUMNS}`;

interface TaskRow {
  id: string;
  user_id: string;
  title: string;
  description: string | null;
  completed: boolean;
  priority: string;
  due_date: string | null;
  tags: string[] | null;
  created_at: string;
  updated_at: string;
  version: number;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly detail: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(typeof detail === "string" ? detail : "validation failed");
  }
}

function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

const secret = requireEnv("BETTER_AUTH_SECRET");
const pool = new pg.Pool({ connectionString: requireEnv("DATABASE_URL"), max: POOL_SIZE });
pool.on("error", (error) => console.error("pool error:", error.message));

function toRestTask(row: TaskRow) {
  return {
    id: row.id,
    user_id: row.user_id,
    title: row.title,
    description: row.description,
    completed: row.completed,
    priority: row.priority,
    due_date: row.due_date,
    tags: row.tags ?? [],
    created_at: row.created_at,
    updated_at: row.updated_at,
    version: row.version,
  };
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const json = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(json),
    ...headers,
  });
  res.end(json);
}

/** The path's user, once the Bearer token is valid and its `sub` is that user. */
function authenticate(req: IncomingMessage, pathUser: string): string {
  const header = req.headers.authorization ?? "";
  const token = header.startsWith("Bearer ") ? header.slice(7).trim() : "";
  const unauthorized = (detail: string) =>
    new HttpError(401, detail, { "WWW-Authenticate": "Bearer" });
  if (!token) throw unauthorized("Not authenticated");
  const userId = verifyHs256Token(secret, token);
  if (userId === undefined) throw unauthorized("Invalid token");
  if (userId !== pathUser) throw new HttpError(403, "Access forbidden");
  return userId;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  if (!(req.headers["content-type"] ?? "").startsWith("application/json")) {
    throw new HttpError(415, "Unsupported media type");
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > BODY_LIMIT_BYTES) throw new HttpError(413, "Request body too large");
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new HttpError(400, "Malformed JSON body");
  }
}

type NewTask = [string, string | null, boolean, string, Date | null, string[]];

/** The create body's rules (contract: Fields and rules), checked by hand. */
function newTask(body: unknown): NewTask {
  const problems: Array<{ type: string; loc: string[]; msg: string }> = [];
  const problem = (field: string, msg: string) =>
    problems.push({ type: "value_error", loc: ["body", field], msg });
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new HttpError(422, [
      { type: "model_attributes_type", loc: ["body"], msg: "Input should be an object" },
    ]);
  }
  const input = body as Record<string, unknown>;
  const title = typeof input.title === "string" ? input.title.trim() : undefined;
  if (title === undefined) problem("title", "Field required");
  else if (title.length < 1 || [...title].length > 200) problem("title", "1 to 200 characters");
  const description = input.description ?? null;
  if (description !== null && (typeof description !== "string" || [...description].length > 1000)) {
    problem("description", "at most 1000 characters");
  }
  const completed = input.completed ?? false;
  if (typeof completed !== "boolean") problem("completed", "Input should be a valid boolean");
  const priority = input.priority ?? "medium";
  if (typeof priority !== "string" || !PRIORITIES.has(priority))
    problem("priority", "low, medium or high");
  const dueText = input.due_date ?? null;
  const dueDate = typeof dueText === "string" ? new Date(dueText) : null;
  if (dueText !== null && (dueDate === null || Number.isNaN(dueDate.getTime()))) {
    problem("due_date", "Input should be a valid datetime");
  }
  const tags = input.tags ?? [];
  const tagList = Array.isArray(tags)
    ? tags.map((tag) => (typeof tag === "string" ? tag.trim() : ""))
    : [];
  if (
    !Array.isArray(tags) ||
    tagList.length > 10 ||
    tagList.some((tag) => tag.length < 1 || [...tag].length > 30) ||
    new Set(tagList.map((tag) => tag.toLowerCase())).size !== tagList.length
  ) {
    problem("tags", "at most 10 distinct tags of 1 to 30 characters");
  }
  if (problems.length > 0) throw new HttpError(422, problems);
  return [
    title!,
    description as string | null,
    completed as boolean,
    priority as string,
    dueDate,
    tagList,
  ];
}

async function listTasks(res: ServerResponse, userId: string) {
  const { rows } = await pool.query<TaskRow & { total: string }>(LIST_SQL, [userId, 1000, 0]);
  send(res, 200, rows.map(toRestTask), { "X-Total-Count": String(rows[0]?.total ?? 0) });
}

async function createTask(req: IncomingMessage, res: ServerResponse, userId: string) {
  const values = newTask(await readJson(req));
  const { rows } = await pool.query<TaskRow>(INSERT_SQL, [userId, ...values]);
  const task = toRestTask(rows[0]!);
  send(res, 201, task, { Location: `/api/${encodeURIComponent(userId)}/tasks/${task.id}` });
}

const TASKS_PATH = /^\/api\/([^/]+)\/tasks$/;

async function handle(req: IncomingMessage, res: ServerResponse) {
  const path = (req.url ?? "/").split("?", 1)[0]!;
  if (path === "/health" && req.method === "GET") {
    await pool.query("SELECT 1");
    return send(res, 200, { status: "ok", database: "ok" });
  }
  const match = TASKS_PATH.exec(path);
  if (!match) throw new HttpError(404, "Not Found");
  if (req.method !== "GET" && req.method !== "POST") {
    throw new HttpError(405, "Method Not Allowed", { Allow: "GET, POST" });
  }
  const userId = authenticate(req, decodeURIComponent(match[1]!));
  return req.method === "GET" ? listTasks(res, userId) : createTask(req, res, userId);
}

const server = createServer((req, res) => {
  handle(req, res).catch((error: unknown) => {
    if (error instanceof HttpError)
      return send(res, error.status, { detail: error.detail }, error.headers);
    console.error(error);
    send(res, 500, { detail: "Internal server error" });
  });
});

server.listen(Number(requireEnv("PORT")), requireEnv("HOST"));

function shutdown() {
  server.close();
  server.closeAllConnections();
  void pool.end().finally(() => process.exit(0));
}
process.once("SIGTERM", shutdown);
process.once("SIGINT", shutdown);
