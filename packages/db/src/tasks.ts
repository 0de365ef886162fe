import type { Priority, Task } from "./generated/prisma/client.js";
import type { TaskStore } from "./task-store.js";

// Every function here takes the owner's user id and puts it in the same
// statement that reads or writes the row, so no caller can reach another
// user's task by forgetting a check.
//
// The statements are plain SQL, run by the database's TaskStore
// (task-store.ts says why not through Prisma). The schema, the migrations and
// the row type are still Prisma's.

export type TaskSort = "created" | "updated" | "title" | "due_date" | "priority";
export type SortOrder = "asc" | "desc";

export interface TaskListFilters {
  status?: "all" | "pending" | "completed";
  priority?: Priority;
  tag?: string;
  search?: string;
  dueBefore?: Date;
  dueAfter?: Date;
  sort?: TaskSort;
  order?: SortOrder;
  limit?: number;
  offset?: number;
}

/**
 * A task as these queries return it: Prisma's `Task` row, with its times
 * already as ISO 8601 UTC strings ("2026-11-22T10:00:00.000Z"). PostgreSQL
 * writes them; parsing each into a Date only to print it again was a tenth
 * of a list's CPU time.
 */
export type TaskRecord = Omit<Task, "dueDate" | "createdAt" | "updatedAt"> & {
  dueDate: string | null;
  createdAt: string;
  updatedAt: string;
};

export interface TaskPage {
  items: TaskRecord[];
  /** Matching tasks before limit and offset. */
  total: number;
}

export interface NewTask {
  title: string;
  description?: string | null;
  completed?: boolean;
  priority?: Priority;
  dueDate?: Date | null;
  tags?: string[];
}

export type TaskChanges = Partial<NewTask>;

/**
 * The versions a write may apply to (If-Match, `expectedVersion`): checked in
 * the same statement as the write, so of two writes expecting one version,
 * exactly one applies. Undefined: no condition.
 */
export type ExpectedVersions = readonly number[] | undefined;

/**
 * `version` is a 32-bit INTEGER column: a larger version can never match
 * (and would fail the statement's cast), so it is left out of the condition,
 * as any other version the task is not at.
 */
const MAX_VERSION = 2_147_483_647;
const reachable = (expected: readonly number[]) =>
  expected.filter((version) => version <= MAX_VERSION);

/** What a conditional write did. */
export type TaskWrite =
  | { kind: "written"; task: TaskRecord }
  | { kind: "missing" }
  /** The task exists at another version: nothing was written. */
  | { kind: "version-mismatch"; version: number };

type NotWritten = Exclude<TaskWrite, { kind: "written" }>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The natural direction of each sort: newest, most recent, highest first; A–Z and soonest first. */
export const DEFAULT_ORDER: Record<TaskSort, SortOrder> = {
  created: "desc",
  updated: "desc",
  priority: "desc",
  title: "asc",
  due_date: "asc",
};

const isoUtc = (column: string) =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** The columns of a TaskRecord, named as its type names them. */
const COLUMNS = `id, user_id AS "userId", title, description, completed, priority,
  ${isoUtc("due_date")} AS "dueDate", tags, ${isoUtc("created_at")} AS "createdAt",
  ${isoUtc("updated_at")} AS "updatedAt", version`;

/** The only columns a caller's fields can reach, by field name. */
const WRITABLE: Record<keyof NewTask, string> = {
  title: "title",
  description: "description",
  completed: "completed",
  priority: "priority",
  dueDate: "due_date",
  tags: "tags",
};

/**
 * Each writable column's type, for its parameter: an update uses a value
 * twice (to set it and to see whether it changes it), and PostgreSQL must
 * deduce one type for both uses.
 */
const COLUMN_TYPES: Record<string, string> = {
  title: "varchar",
  description: "varchar",
  completed: "boolean",
  priority: "priority",
  due_date: "timestamptz",
  tags: "text[]",
};

function sortKey(sort: TaskSort, order: SortOrder): string {
  const dir = order === "asc" ? "ASC" : "DESC";
  switch (sort) {
    case "created":
      return `created_at ${dir}, id ${dir}`;
    case "updated":
      return `updated_at ${dir}, id ${dir}`;
    // Case-insensitive, and by code point so every server orders alike
    // whatever its locale.
    case "title":
      return `lower(title) COLLATE "C" ${dir}, id ${dir}`;
    case "due_date":
      return `due_date ${dir} NULLS LAST, id ${dir}`;
    // The enum is declared low < medium < high, so DESC puts high first.
    case "priority":
      return `priority ${dir}, id ${dir}`;
  }
}

/** `%`, `_` and `\` match themselves in a LIKE pattern once escaped. */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** SQL text with numbered parameters, built up piece by piece. */
class Statement {
  readonly values: unknown[] = [];

  /** Adds a value and returns its placeholder. */
  param(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

function whereClause(statement: Statement, userId: string, filters: TaskListFilters): string {
  const conditions = [`user_id = ${statement.param(userId)}`];
  if (filters.status === "pending") conditions.push("completed = false");
  if (filters.status === "completed") conditions.push("completed = true");
  if (filters.priority) conditions.push(`priority = ${statement.param(filters.priority)}`);
  if (filters.tag !== undefined) {
    conditions.push(
      `EXISTS (SELECT 1 FROM unnest(tags) AS t(tag) WHERE lower(t.tag) = lower(${statement.param(filters.tag)}))`,
    );
  }
  if (filters.search !== undefined && filters.search !== "") {
    const pattern = statement.param(likePattern(filters.search));
    conditions.push(
      `(title ILIKE ${pattern} ESCAPE '\\' OR description ILIKE ${pattern} ESCAPE '\\')`,
    );
  }
  if (filters.dueAfter) conditions.push(`due_date >= ${statement.param(filters.dueAfter)}`);
  if (filters.dueBefore) conditions.push(`due_date < ${statement.param(filters.dueBefore)}`);
  return conditions.join(" AND ");
}

export async function listTasks(
  store: TaskStore,
  userId: string,
  filters: TaskListFilters = {},
): Promise<TaskPage> {
  const sort = filters.sort ?? "created";
  const order = filters.order ?? DEFAULT_ORDER[sort];
  const statement = new Statement();
  const where = whereClause(statement, userId, filters);
  const limit = statement.param(filters.limit ?? 1000);
  const offset = statement.param(filters.offset ?? 0);
  // One round trip: the window count is the total before LIMIT/OFFSET.
  const { rows } = await store.query<TaskRecord & { total: string }>(
    `SELECT ${COLUMNS}, count(*) OVER () AS total FROM tasks WHERE ${where}
      ORDER BY ${sortKey(sort, order)} LIMIT ${limit} OFFSET ${offset}`,
    statement.values,
  );
  if (rows.length === 0 && (filters.offset ?? 0) > 0) {
    const count = new Statement();
    const { rows: counted } = await store.query<{ total: string }>(
      `SELECT count(*) AS total FROM tasks WHERE ${whereClause(count, userId, filters)}`,
      count.values,
    );
    return { items: [], total: Number(counted[0]?.total ?? 0) };
  }
  const total = Number(rows[0]?.total ?? 0);
  return { items: rows.map(withoutTotal), total };
}

/**
 * A list row without its window count, built field by field: one object
 * shape for every row, where a rest pattern (`{ total, ...task }`) copies
 * each row through V8's slow generic path.
 */
function withoutTotal(row: TaskRecord & { total: string }): TaskRecord {
  return {
    id: row.id,
    userId: row.userId,
    title: row.title,
    description: row.description,
    completed: row.completed,
    priority: row.priority,
    dueDate: row.dueDate,
    tags: row.tags,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    version: row.version,
  };
}

/** Runs a statement that returns at most one task row. */
async function oneTask(
  store: TaskStore,
  sql: string,
  values: unknown[],
): Promise<TaskRecord | null> {
  const { rows } = await store.query<TaskRecord>(sql, values);
  return rows[0] ?? null;
}

export async function findTask(
  store: TaskStore,
  userId: string,
  id: string,
): Promise<TaskRecord | null> {
  if (!UUID.test(id)) return null;
  return oneTask(store, `SELECT ${COLUMNS} FROM tasks WHERE id = $1 AND user_id = $2`, [
    id,
    userId,
  ]);
}

/** Fields left out take the column defaults of the schema. */
export async function createTask(
  store: TaskStore,
  userId: string,
  task: NewTask,
): Promise<TaskRecord> {
  const statement = new Statement();
  const columns = ["user_id"];
  const values = [statement.param(userId)];
  for (const [field, column] of Object.entries(WRITABLE)) {
    const value = task[field as keyof NewTask];
    if (value === undefined) continue;
    columns.push(column);
    values.push(statement.param(value));
  }
  const created = await oneTask(
    store,
    `INSERT INTO tasks (${columns.join(", ")}) VALUES (${values.join(", ")}) RETURNING ${COLUMNS}`,
    statement.values,
  );
  return created!;
}

/**
 * Changes the given fields. `version` and `updated_at` move only when a value
 * really changes: a write that changes nothing leaves the task as it was.
 */
export async function updateTask(
  store: TaskStore,
  userId: string,
  id: string,
  changes: TaskChanges,
  expected?: ExpectedVersions,
): Promise<TaskWrite> {
  if (!UUID.test(id)) return { kind: "missing" };
  const statement = new Statement();
  const columns: string[] = [];
  const values: string[] = [];
  for (const [field, column] of Object.entries(WRITABLE)) {
    const value = changes[field as keyof NewTask];
    if (value === undefined) continue;
    columns.push(column);
    values.push(`${statement.param(value)}::${COLUMN_TYPES[column]}`);
  }
  if (columns.length === 0) {
    const task = await findTask(store, userId, id);
    if (!task) return { kind: "missing" };
    return expected && !expected.includes(task.version)
      ? { kind: "version-mismatch", version: task.version }
      : { kind: "written", task };
  }
  const changed = `ROW(${columns.join(", ")}) IS DISTINCT FROM ROW(${values.join(", ")})`;
  const assignments = columns.map((column, i) => `${column} = ${values[i]}`).join(", ");
  return conditionalWrite(store, statement, expected, {
    userId,
    id,
    set: `${assignments},
      version = CASE WHEN ${changed} THEN version + 1 ELSE version END,
      updated_at = CASE WHEN ${changed} THEN now() ELSE updated_at END`,
  });
}

/** Flips `completed` in one statement, so concurrent toggles never lose one. */
export async function toggleTaskCompleted(
  store: TaskStore,
  userId: string,
  id: string,
  expected?: ExpectedVersions,
): Promise<TaskWrite> {
  if (!UUID.test(id)) return { kind: "missing" };
  return conditionalWrite(store, new Statement(), expected, {
    userId,
    id,
    set: "completed = NOT completed, version = version + 1, updated_at = now()",
  });
}

export function setTaskCompleted(
  store: TaskStore,
  userId: string,
  id: string,
  completed: boolean,
  expected?: ExpectedVersions,
): Promise<TaskWrite> {
  return updateTask(store, userId, id, { completed }, expected);
}

/** `UPDATE … SET <set>` of one task, if it is at an expected version. */
async function conditionalWrite(
  store: TaskStore,
  statement: Statement,
  expected: ExpectedVersions,
  { userId, id, set }: { userId: string; id: string; set: string },
): Promise<TaskWrite> {
  const condition = expected
    ? ` AND version = ANY(${statement.param(reachable(expected))}::int[])`
    : "";
  const task = await oneTask(
    store,
    `UPDATE tasks SET ${set}
      WHERE id = ${statement.param(id)} AND user_id = ${statement.param(userId)}${condition}
      RETURNING ${COLUMNS}`,
    statement.values,
  );
  if (task) return { kind: "written", task };
  return expected ? whyNotWritten(store, userId, id) : { kind: "missing" };
}

/** A conditional write found no row: the task is missing, or at another version. */
async function whyNotWritten(store: TaskStore, userId: string, id: string): Promise<NotWritten> {
  const { rows } = await store.query<{ version: number }>(
    "SELECT version FROM tasks WHERE id = $1 AND user_id = $2",
    [id, userId],
  );
  const [row] = rows;
  return row ? { kind: "version-mismatch", version: row.version } : { kind: "missing" };
}

export async function deleteTask(
  store: TaskStore,
  userId: string,
  id: string,
  expected?: ExpectedVersions,
): Promise<NotWritten | { kind: "deleted" }> {
  if (!UUID.test(id)) return { kind: "missing" };
  const values: unknown[] = [id, userId];
  const condition = expected ? " AND version = ANY($3::int[])" : "";
  if (expected) values.push(reachable(expected));
  const { rowCount } = await store.query(
    `DELETE FROM tasks WHERE id = $1 AND user_id = $2${condition}`,
    values,
  );
  if (rowCount === 1) return { kind: "deleted" };
  return expected ? whyNotWritten(store, userId, id) : { kind: "missing" };
}
