import type pg from "pg";

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
  if (!options.preparedStatements) return { query: (text, values) => pool.query(text, values) };
  const names = new Map<string, string>();
  return {
    query: (text, values) => {
      let name = names.get(text);
      if (name === undefined) {
        name = `todo_${names.size}`;
        names.set(text, name);
      }
      return pool.query({ name, text, values });
    },
  };
}
