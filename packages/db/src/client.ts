import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";

import { PrismaClient } from "./generated/prisma/client.js";
import { createTaskStore, type TaskStore } from "./task-store.js";

/**
 * The Prisma client, with the store of the task statements on the same pool.
 * (Prisma's constructor returns an object of its own, a proxy over this one:
 * `tasks` and `$disconnect` below reach callers through it, but `instanceof
 * Database` is false. Prisma is pinned; client.test.ts fails if that moves.)
 */
export class Database extends PrismaClient {
  constructor(
    adapter: PrismaPg,
    readonly tasks: TaskStore,
    private readonly pool: pg.Pool,
  ) {
    super({ adapter });
  }

  /**
   * Closes the client and its pool. Prisma ends the pool only if it ever
   * ran a query; the task statements alone would leave it open, and its idle
   * connection would keep the process alive.
   */
  override async $disconnect(): Promise<void> {
    await super.$disconnect();
    if (!this.pool.ending) await this.pool.end();
  }
}

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
   * Prepare each task statement once per connection (default: true,
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
  const adapter = new PrismaPg(pool, { disposeExternalPool: true });
  const preparedStatements = options.preparedStatements ?? !behindPgBouncer(url);
  return new Database(adapter, createTaskStore(pool, { preparedStatements }), pool);
}

/** True when the database answers `SELECT 1` within `timeoutMs`. Never throws. */
export async function pingDatabase(db: Database, timeoutMs = 1_000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([db.tasks.query("SELECT 1", []).then(() => true), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
