import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";

import { PrismaClient } from "./generated/prisma/client.js";
import { typeParsers } from "./timestamp-parser.js";

/**
 * The Prisma client, and beside it (`$pool`) the node-postgres pool it runs
 * on, for the hot task queries that are plain SQL (see tasks.ts).
 */
export type Database = PrismaClient & { readonly $pool: pg.Pool };

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
  return Object.assign(new PrismaClient({ adapter }), { $pool: pool });
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
