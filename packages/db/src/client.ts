import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";

import { PrismaClient } from "./generated/prisma/client.js";
import { typeParsers } from "./timestamp-parser.js";

/**
 * The Prisma client, and beside it (`$pool`) the node-postgres pool it runs
 * on, with `$query` for the hot task queries that are plain SQL (see tasks.ts).
 */
export type Database = PrismaClient & {
  readonly $pool: pg.Pool;
  /**
   * Runs one statement on the pool. Unless prepared statements are off, each
   * distinct text is prepared once per connection and then only executed.
   */
  readonly $query: <R extends pg.QueryResultRow>(
    text: string,
    values: unknown[],
  ) => Promise<pg.QueryResult<R>>;
};

export interface DatabaseOptions {
  /** Connections kept in the pool. */
  poolSize?: number;
  /** How long a request waits for a connection before failing, in ms. */
  connectionTimeoutMs?: number;
  /**
   * How long one query may wait for the database's answer before it fails
   * (and its connection is dropped), in ms. Without it, a query sent into a
   * dead network waits for TCP to give up, which takes minutes.
   */
  queryTimeoutMs?: number;
  /** Idle connections are closed after this many ms. */
  idleTimeoutMs?: number;
  /** Called when an idle pooled connection fails (e.g. the server went away). */
  onPoolError?: (error: Error) => void;
  /**
   * Prepare each statement of `$query` once per connection (default: true,
   * unless the URL has `pgbouncer=true`, Prisma's own flag for a PgBouncer
   * in transaction mode, which before 1.21 cannot keep prepared statements).
   */
  preparedStatements?: boolean;
}

/** True when the URL says a transaction-mode PgBouncer is in between (Prisma's `pgbouncer=true`). */
export function behindPgBouncer(url: string): boolean {
  try {
    return new URL(url).searchParams.get("pgbouncer") === "true";
  } catch {
    return false;
  }
}

/**
 * `$query` with named statements: PostgreSQL parses and plans a statement
 * once per connection instead of on every call (measured with `pnpm bench`:
 * less CPU for both processes, on a machine they share). The names are per
 * process, one per distinct text, and the texts come from a fixed set of
 * shapes (tasks.ts), so the map stays small.
 */
function preparedQuery(pool: pg.Pool): Database["$query"] {
  const names = new Map<string, string>();
  return (text, values) => {
    let name = names.get(text);
    if (name === undefined) {
      name = `todo_${names.size}`;
      names.set(text, name);
    }
    return pool.query({ name, text, values });
  };
}

/**
 * A Prisma client over a node-postgres pool of a fixed size. The pool is the
 * client's own: `db.$disconnect()` closes it.
 */
export function createDatabase(url: string, options: DatabaseOptions = {}): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 5_000,
    idleTimeoutMillis: options.idleTimeoutMs ?? 30_000,
    query_timeout: options.queryTimeoutMs ?? 5_000,
    // TCP keep-alive probes an idle connection, so one whose server vanished
    // without a word (a failover, a dropped NAT entry) is found and dropped
    // from the pool instead of failing the next request that picks it.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    types: typeParsers,
  });
  const onPoolError = options.onPoolError ?? (() => {});
  // Without a listener, an idle connection's error would crash the process.
  pool.on("error", onPoolError);
  const adapter = new PrismaPg(pool, { disposeExternalPool: true });
  const $query: Database["$query"] =
    (options.preparedStatements ?? !behindPgBouncer(url))
      ? preparedQuery(pool)
      : (text, values) => pool.query(text, values);
  return Object.assign(new PrismaClient({ adapter }), { $pool: pool, $query });
}

/** True when the database answers `SELECT 1` within `timeoutMs`. Never throws. */
export async function pingDatabase(db: Database, timeoutMs = 1_000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([db.$pool.query("SELECT 1").then(() => true), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
