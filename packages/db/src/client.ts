import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";

import { PrismaClient } from "./generated/prisma/client.js";

export type Database = PrismaClient;

export interface DatabaseOptions {
  /** Connections kept in the pool. */
  poolSize?: number;
  /** How long a request waits for a connection before failing, in ms. */
  connectionTimeoutMs?: number;
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
  });
  const onPoolError = options.onPoolError ?? (() => {});
  // Without a listener, an idle connection's error would crash the process.
  pool.on("error", onPoolError);
  const adapter = new PrismaPg(pool, { disposeExternalPool: true });
  return new PrismaClient({ adapter });
}
