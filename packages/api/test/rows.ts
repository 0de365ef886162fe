import type { Database } from "@todo/db";

/**
 * Every column of a user's task rows, read from the table itself rather
 * than through a procedure, in a fixed order: two snapshots are equal only
 * if nothing of theirs was written in between.
 */
export async function taskRowsOf(db: Database, userId: string): Promise<unknown[]> {
  const { rows } = await db.tasks.query("SELECT * FROM tasks WHERE user_id = $1 ORDER BY id", [
    userId,
  ]);
  return rows;
}

/** Every account, oldest first, for checking that a refused sign-up created none. */
export async function userRows(db: Database): Promise<unknown[]> {
  const { rows } = await db.tasks.query("SELECT * FROM users ORDER BY created_at, id", []);
  return rows;
}
