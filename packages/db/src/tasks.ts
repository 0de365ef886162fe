import { Prisma, type Priority, type Task } from "./generated/prisma/client.js";
import type { Database } from "./client.js";

// Every function here takes the owner's user id and puts it in the same
// statement that reads or writes the row, so no caller can reach another
// user's task by forgetting a check.

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

export interface TaskPage {
  items: Task[];
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

const COLUMNS = Prisma.sql`id, user_id AS "userId", title, description, completed, priority,
  due_date AS "dueDate", tags, created_at AS "createdAt", updated_at AS "updatedAt"`;

function sortKey(sort: TaskSort, order: SortOrder): Prisma.Sql {
  const dir = order === "asc" ? Prisma.sql`ASC` : Prisma.sql`DESC`;
  switch (sort) {
    case "created":
      return Prisma.sql`created_at ${dir}, id ${dir}`;
    case "updated":
      return Prisma.sql`updated_at ${dir}, id ${dir}`;
    // Case-insensitive, and by code point so every server orders alike
    // whatever its locale.
    case "title":
      return Prisma.sql`lower(title) COLLATE "C" ${dir}, id ${dir}`;
    case "due_date":
      return Prisma.sql`due_date ${dir} NULLS LAST, id ${dir}`;
    // The enum is declared low < medium < high, so DESC puts high first.
    case "priority":
      return Prisma.sql`priority ${dir}, id ${dir}`;
  }
}

/** `%`, `_` and `\` match themselves in a LIKE pattern once escaped. */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function whereClause(userId: string, filters: TaskListFilters): Prisma.Sql {
  const conditions = [Prisma.sql`user_id = ${userId}`];
  if (filters.status === "pending") conditions.push(Prisma.sql`completed = false`);
  if (filters.status === "completed") conditions.push(Prisma.sql`completed = true`);
  if (filters.priority) conditions.push(Prisma.sql`priority = ${filters.priority}::priority`);
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
  if (filters.dueAfter) conditions.push(Prisma.sql`due_date >= ${filters.dueAfter}`);
  if (filters.dueBefore) conditions.push(Prisma.sql`due_date < ${filters.dueBefore}`);
  return Prisma.join(conditions, " AND ");
}

export async function listTasks(
  db: Database,
  userId: string,
  filters: TaskListFilters = {},
): Promise<TaskPage> {
  const sort = filters.sort ?? "created";
  const order = filters.order ?? DEFAULT_ORDER[sort];
  const limit = filters.limit ?? 1000;
  const offset = filters.offset ?? 0;
  const where = whereClause(userId, filters);
  // One round trip: the window count is the total before LIMIT/OFFSET.
  const rows = await db.$queryRaw<Array<Task & { total: bigint }>>`
    SELECT ${COLUMNS}, count(*) OVER () AS total
      FROM tasks WHERE ${where}
     ORDER BY ${sortKey(sort, order)}
     LIMIT ${limit} OFFSET ${offset}`;
  if (rows.length === 0 && offset > 0) {
    const [count] = await db.$queryRaw<Array<{ total: bigint }>>`
      SELECT count(*) AS total FROM tasks WHERE ${where}`;
    return { items: [], total: Number(count?.total ?? 0) };
  }
  const total = Number(rows[0]?.total ?? 0);
  const items = rows.map(({ total: _total, ...task }) => task);
  return { items, total };
}

export function findTask(db: Database, userId: string, id: string): Promise<Task | null> {
  if (!UUID.test(id)) return Promise.resolve(null);
  return db.task.findFirst({ where: { id, userId } });
}

export function createTask(db: Database, userId: string, task: NewTask): Promise<Task> {
  return db.task.create({ data: { ...task, userId } });
}

export async function updateTask(
  db: Database,
  userId: string,
  id: string,
  changes: TaskChanges,
): Promise<Task | null> {
  if (!UUID.test(id)) return null;
  if (Object.keys(changes).length === 0) return findTask(db, userId, id);
  try {
    return await db.task.update({ where: { id, userId }, data: changes });
  } catch (error) {
    if (isRecordNotFound(error)) return null;
    throw error;
  }
}

/** Flips `completed` in one statement, so concurrent toggles never lose one. */
export async function toggleTaskCompleted(
  db: Database,
  userId: string,
  id: string,
): Promise<Task | null> {
  if (!UUID.test(id)) return null;
  const rows = await db.$queryRaw<Task[]>`
    UPDATE tasks SET completed = NOT completed, updated_at = now()
     WHERE id = ${id}::uuid AND user_id = ${userId}
    RETURNING ${COLUMNS}`;
  return rows[0] ?? null;
}

export function setTaskCompleted(
  db: Database,
  userId: string,
  id: string,
  completed: boolean,
): Promise<Task | null> {
  return updateTask(db, userId, id, { completed });
}

export async function deleteTask(db: Database, userId: string, id: string): Promise<boolean> {
  if (!UUID.test(id)) return false;
  const { count } = await db.task.deleteMany({ where: { id, userId } });
  return count === 1;
}

function isRecordNotFound(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2025";
}
