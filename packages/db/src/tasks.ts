import type { Priority, Task } from "./generated/prisma/client.js";
import type { Database } from "./client.js";

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
  ${isoUtc("updated_at")} AS "updatedAt"`;

/** The only columns a caller's fields can reach, by field name. */
const WRITABLE: Record<keyof NewTask, string> = {
  title: "title",
  description: "description",
  completed: "completed",
  priority: "priority",
  dueDate: "due_date",
  tags: "tags",
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
  db: Database,
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
  const { rows } = await db.tasks.query<TaskRecord & { total: string }>(
    `SELECT ${COLUMNS}, count(*) OVER () AS total FROM tasks WHERE ${where}
      ORDER BY ${sortKey(sort, order)} LIMIT ${limit} OFFSET ${offset}`,
    statement.values,
  );
  if (rows.length === 0 && (filters.offset ?? 0) > 0) {
    const count = new Statement();
    const { rows: counted } = await db.tasks.query<{ total: string }>(
      `SELECT count(*) AS total FROM tasks WHERE ${whereClause(count, userId, filters)}`,
      count.values,
    );
    return { items: [], total: Number(counted[0]?.total ?? 0) };
  }
  const total = Number(rows[0]?.total ?? 0);
  return { items: rows.map(({ total: _total, ...task }) => task), total };
}

/** Runs a statement that returns at most one task row. */
async function oneTask(db: Database, sql: string, values: unknown[]): Promise<TaskRecord | null> {
  const { rows } = await db.tasks.query<TaskRecord>(sql, values);
  return rows[0] ?? null;
}

export async function findTask(
  db: Database,
  userId: string,
  id: string,
): Promise<TaskRecord | null> {
  if (!UUID.test(id)) return null;
  return oneTask(db, `SELECT ${COLUMNS} FROM tasks WHERE id = $1 AND user_id = $2`, [id, userId]);
}

/** Fields left out take the column defaults of the schema. */
export async function createTask(db: Database, userId: string, task: NewTask): Promise<TaskRecord> {
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
    db,
    `INSERT INTO tasks (${columns.join(", ")}) VALUES (${values.join(", ")}) RETURNING ${COLUMNS}`,
    statement.values,
  );
  return created!;
}

export async function updateTask(
  db: Database,
  userId: string,
  id: string,
  changes: TaskChanges,
): Promise<TaskRecord | null> {
  if (!UUID.test(id)) return null;
  const statement = new Statement();
  const assignments: string[] = [];
  for (const [field, column] of Object.entries(WRITABLE)) {
    const value = changes[field as keyof NewTask];
    if (value !== undefined) assignments.push(`${column} = ${statement.param(value)}`);
  }
  if (assignments.length === 0) return findTask(db, userId, id);
  return oneTask(
    db,
    `UPDATE tasks SET ${assignments.join(", ")}, updated_at = now()
      WHERE id = ${statement.param(id)} AND user_id = ${statement.param(userId)}
      RETURNING ${COLUMNS}`,
    statement.values,
  );
}

/** Flips `completed` in one statement, so concurrent toggles never lose one. */
export async function toggleTaskCompleted(
  db: Database,
  userId: string,
  id: string,
): Promise<TaskRecord | null> {
  if (!UUID.test(id)) return null;
  return oneTask(
    db,
    `UPDATE tasks SET completed = NOT completed, updated_at = now()
      WHERE id = $1 AND user_id = $2 RETURNING ${COLUMNS}`,
    [id, userId],
  );
}

export function setTaskCompleted(
  db: Database,
  userId: string,
  id: string,
  completed: boolean,
): Promise<TaskRecord | null> {
  return updateTask(db, userId, id, { completed });
}

export async function deleteTask(db: Database, userId: string, id: string): Promise<boolean> {
  if (!UUID.test(id)) return false;
  const { rowCount } = await db.tasks.query("DELETE FROM tasks WHERE id = $1 AND user_id = $2", [
    id,
    userId,
  ]);
  return rowCount === 1;
}
