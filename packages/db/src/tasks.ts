import { Prisma, type Priority, type Task } from "./generated/prisma/client.js";
import type { Database } from "./client.js";

// Every function here takes the owner's user id and puts it in the same
// statement that reads or writes the row, so no caller can reach another
// user's task by forgetting a check.
//
// These are the requests every user makes all day, so they are SQL written
// here and sent with `$queryRaw`: measured with `pnpm bench`, Prisma's query
// builder cost about as much CPU as the rest of a request together. Every
// value is a parameter; `Prisma.raw` only ever holds the fixed fragments
// below (column lists, sort keys from a closed set). The schema, the
// migrations and the row type are still Prisma's.

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
const COLUMNS = Prisma.raw(`id, user_id AS "userId", title, description, completed, priority,
  ${isoUtc("due_date")} AS "dueDate", tags, ${isoUtc("created_at")} AS "createdAt",
  ${isoUtc("updated_at")} AS "updatedAt"`);

/** The only columns a caller's fields can reach, by field name. */
const WRITABLE: Record<keyof NewTask, Prisma.Sql> = {
  title: Prisma.raw("title"),
  description: Prisma.raw("description"),
  completed: Prisma.raw("completed"),
  priority: Prisma.raw("priority"),
  dueDate: Prisma.raw("due_date"),
  tags: Prisma.raw("tags"),
};

function sortKey(sort: TaskSort, order: SortOrder): Prisma.Sql {
  const dir = order === "asc" ? "ASC" : "DESC";
  switch (sort) {
    case "created":
      return Prisma.raw(`created_at ${dir}, id ${dir}`);
    case "updated":
      return Prisma.raw(`updated_at ${dir}, id ${dir}`);
    // Case-insensitive, and by code point so every server orders alike
    // whatever its locale.
    case "title":
      return Prisma.raw(`lower(title) COLLATE "C" ${dir}, id ${dir}`);
    case "due_date":
      return Prisma.raw(`due_date ${dir} NULLS LAST, id ${dir}`);
    // The enum is declared low < medium < high, so DESC puts high first.
    case "priority":
      return Prisma.raw(`priority ${dir}, id ${dir}`);
  }
}

/** `%`, `_` and `\` match themselves in a LIKE pattern once escaped. */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * A field's value as a statement parameter. Prisma sends a Date as UTC wall
 * time without an offset, which PostgreSQL would read in the session's time
 * zone; the ISO text with its `Z` is the same instant in any zone.
 */
function parameter(value: NewTask[keyof NewTask]): unknown {
  return value instanceof Date ? value.toISOString() : value;
}

function whereClause(userId: string, filters: TaskListFilters): Prisma.Sql {
  const conditions = [Prisma.sql`user_id = ${userId}`];
  if (filters.status === "pending") conditions.push(Prisma.sql`completed = false`);
  if (filters.status === "completed") conditions.push(Prisma.sql`completed = true`);
  if (filters.priority) conditions.push(Prisma.sql`priority = ${filters.priority}`);
  if (filters.tag !== undefined) {
    conditions.push(
      Prisma.sql`EXISTS (SELECT 1 FROM unnest(tags) AS t(tag) WHERE lower(t.tag) = lower(${filters.tag}))`,
    );
  }
  if (filters.search !== undefined && filters.search !== "") {
    const pattern = likePattern(filters.search);
    conditions.push(
      Prisma.sql`(title ILIKE ${pattern} ESCAPE '\\' OR description ILIKE ${pattern} ESCAPE '\\')`,
    );
  }
  if (filters.dueAfter) conditions.push(Prisma.sql`due_date >= ${parameter(filters.dueAfter)}`);
  if (filters.dueBefore) conditions.push(Prisma.sql`due_date < ${parameter(filters.dueBefore)}`);
  return Prisma.join(conditions, " AND ");
}

export async function listTasks(
  db: Database,
  userId: string,
  filters: TaskListFilters = {},
): Promise<TaskPage> {
  const sort = filters.sort ?? "created";
  const order = filters.order ?? DEFAULT_ORDER[sort];
  const where = whereClause(userId, filters);
  // One round trip: the window count is the total before LIMIT/OFFSET.
  const rows = await db.$queryRaw<Array<TaskRecord & { total: bigint }>>`
    SELECT ${COLUMNS}, count(*) OVER () AS total FROM tasks WHERE ${where}
     ORDER BY ${sortKey(sort, order)} LIMIT ${filters.limit ?? 1000} OFFSET ${filters.offset ?? 0}`;
  if (rows.length === 0 && (filters.offset ?? 0) > 0) {
    const counted = await db.$queryRaw<Array<{ total: bigint }>>`
      SELECT count(*) AS total FROM tasks WHERE ${where}`;
    return { items: [], total: Number(counted[0]?.total ?? 0) };
  }
  const total = Number(rows[0]?.total ?? 0);
  return { items: rows.map(({ total: _total, ...task }) => task), total };
}

/** Runs a statement that returns at most one task row. */
async function oneTask(db: Database, statement: Prisma.Sql): Promise<TaskRecord | null> {
  const rows = await db.$queryRaw<TaskRecord[]>(statement);
  return rows[0] ?? null;
}

export async function findTask(
  db: Database,
  userId: string,
  id: string,
): Promise<TaskRecord | null> {
  if (!UUID.test(id)) return null;
  return oneTask(
    db,
    Prisma.sql`SELECT ${COLUMNS} FROM tasks WHERE id = ${id} AND user_id = ${userId}`,
  );
}

/** The caller's fields that are set, as (column, value) pairs. */
function fieldsSet(task: TaskChanges): Array<[column: Prisma.Sql, value: unknown]> {
  return Object.entries(WRITABLE).flatMap(([field, column]) => {
    const value = task[field as keyof NewTask];
    return value === undefined ? [] : [[column, parameter(value)] as [Prisma.Sql, unknown]];
  });
}

/** Fields left out take the column defaults of the schema. */
export async function createTask(db: Database, userId: string, task: NewTask): Promise<TaskRecord> {
  const fields = fieldsSet(task);
  const columns = Prisma.join([Prisma.raw("user_id"), ...fields.map(([column]) => column)]);
  const values = Prisma.join([userId, ...fields.map(([, value]) => value)]);
  const created = await oneTask(
    db,
    Prisma.sql`INSERT INTO tasks (${columns}) VALUES (${values}) RETURNING ${COLUMNS}`,
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
  const fields = fieldsSet(changes);
  if (fields.length === 0) return findTask(db, userId, id);
  const assignments = Prisma.join(
    fields.map(([column, value]) => Prisma.sql`${column} = ${value}`),
  );
  return oneTask(
    db,
    Prisma.sql`UPDATE tasks SET ${assignments}, updated_at = now()
      WHERE id = ${id} AND user_id = ${userId} RETURNING ${COLUMNS}`,
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
    Prisma.sql`UPDATE tasks SET completed = NOT completed, updated_at = now()
      WHERE id = ${id} AND user_id = ${userId} RETURNING ${COLUMNS}`,
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
  const deleted = await db.$executeRaw`DELETE FROM tasks WHERE id = ${id} AND user_id = ${userId}`;
  return deleted === 1;
}
