import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";

import { PrismaClient } from "./generated/prisma/client.js";

/** The Prisma client every query of this package runs on. */
export type Database = PrismaClient;

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
   * Prepare each statement once per connection (default: true, unless the URL
   * has `pgbouncer=true`, Prisma's own flag for a PgBouncer in transaction
   * mode, which before 1.21 cannot keep prepared statements).
   */
  preparedStatements?: boolean;
}

/** True when the URL says a transaction-mode PgBouncer is in between (Prisma's `pgbouncer=true`). */
export function behindPgBouncer(url: string): boolean {
  return urlParameter(url, "pgbouncer") === "true";
}

function urlParameter(url: string, name: string): string | null {
  try {
    return new URL(url).searchParams.get(name);
  } catch {
    return null;
  }
}

/**
 * Prepared statements have PostgreSQL parse and plan a statement once per
 * connection instead of on every call (measured with `pnpm bench`: less CPU
 * for both processes, on a machine they share). One name per distinct text:
 * the task queries (tasks.ts) and Prisma's own come from a fixed set of
 * shapes. A text past the cap (a `createMany` of yet another length) goes
 * unnamed, so neither this map nor the server's statements grow without end.
 */
const MAX_STATEMENT_NAMES = 500;

function statementNames(): (query: { sql: string }) => string {
  const names = new Map<string, string>();
  return ({ sql }) => {
    let name = names.get(sql);
    if (name === undefined) {
      // node-postgres runs a query with an empty name as an unnamed statement.
      if (names.size >= MAX_STATEMENT_NAMES) return "";
      name = `todo_${names.size}`;
      names.set(sql, name);
    }
    return name;
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
  });
  const onPoolError = options.onPoolError ?? (() => {});
  // Without a listener, an idle connection's error would crash the process.
  pool.on("error", onPoolError);
  const prepared = options.preparedStatements ?? !behindPgBouncer(url);
  const adapter = new PrismaPg(pool, {
    disposeExternalPool: true,
    ...(prepared && { statementNameGenerator: statementNames() }),
  });
  return new PrismaClient({ adapter });
}

/** True when the database answers `SELECT 1` within `timeoutMs`. Never throws. */
export async function pingDatabase(db: Database, timeoutMs = 1_000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([db.$queryRaw`SELECT 1`.then(() => true), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
