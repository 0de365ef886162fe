import type pg from "pg";

import { TASK_TYPES } from "./text-array.js";

/**
 * Where the task statements of tasks.ts run: plain node-postgres, on the pool
 * Prisma's client runs on. These are the requests every user makes all day;
 * sent through Prisma's `$queryRaw` instead, the same statements cost the
 * REST list about a third of its requests per second and create about a
 * quarter (`pnpm bench`, 2026-11-30: bench/README.md).
 */
export interface TaskStore {
  /**
   * Runs one statement. Unless prepared statements are off, each distinct
   * text is prepared once per connection and then only executed.
   */
  query<R extends pg.QueryResultRow>(text: string, values: unknown[]): Promise<pg.QueryResult<R>>;
  /**
   * Runs `work` in one transaction on one connection: committed when it
   * resolves, rolled back when it throws.
   */
  transaction<T>(work: (store: TaskStore) => Promise<T>): Promise<T>;
}

/**
 * Prepared statements have PostgreSQL parse and plan a statement once per
 * connection instead of on every call (measured with `pnpm bench`: less CPU
 * for both processes, on a machine they share). The names are per process,
 * one per distinct text, and the texts come from a fixed set of shapes
 * (tasks.ts), so the map stays small.
 */
export function createTaskStore(
  pool: pg.Pool,
  options: { preparedStatements: boolean },
): TaskStore {
  const names = new Map<string, string>();
  const on = (client: pg.Pool | pg.PoolClient): TaskStore["query"] => {
    if (!options.preparedStatements) {
      return (text, values) => client.query({ text, values, types: TASK_TYPES });
    }
    return (text, values) => {
      let name = names.get(text);
      if (name === undefined) {
        name = `todo_${names.size}`;
        names.set(text, name);
      }
      return client.query({ name, text, values, types: TASK_TYPES });
    };
  };
  return {
    query: on(pool),
    async transaction(work) {
      const client = await pool.connect();
      const inTransaction: TaskStore = {
        query: on(client),
        transaction: () => Promise.reject(new Error("transactions do not nest")),
      };
      try {
        await client.query("BEGIN");
        const result = await work(inTransaction);
        await client.query("COMMIT");
        client.release();
        return result;
      } catch (error) {
        // A connection whose ROLLBACK fails is in an unknown state: dropped.
        const rolledBack = await client.query("ROLLBACK").then(
          () => true,
          () => false,
        );
        client.release(!rolledBack);
        throw error;
      }
    },
  };
}
