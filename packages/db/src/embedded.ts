import { mkdir } from "node:fs/promises";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { applyMigrations } from "./migrate.js";
import { startWireServer } from "./wire-server.js";

// src/ and dist/ sit at the same depth, so this is the repository root from either.
const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

export interface EmbeddedPostgresOptions {
  /**
   * Where the data lives; omit for an in-memory database. A relative path is
   * taken from the repository root, so every package finds the same database.
   */
  dataDir?: string;
  /** Loopback port to serve on; 0 picks a free one. */
  port?: number;
  /** Concurrent client connections; at least the pool size of every client. */
  maxConnections?: number;
  /** Apply the committed migrations before returning (default true). */
  migrate?: boolean;
}

export interface EmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

/**
 * PostgreSQL compiled to WASM (PGlite), served over the wire protocol on
 * loopback so the same pg driver and Prisma adapter work unchanged. This is
 * what `pnpm dev` uses when no DATABASE_URL is set.
 */
export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions = {},
): Promise<EmbeddedPostgres> {
  const dataDir = options.dataDir === undefined ? undefined : resolve(REPO_ROOT, options.dataDir);
  if (dataDir !== undefined) await mkdir(dataDir, { recursive: true });
  // Loaded only here: a server on a real PostgreSQL never pays for PGlite's
  // code in its memory or its start-up time.
  const { PGlite } = await import("@electric-sql/pglite");
  const pglite = await PGlite.create(dataDir);
  const server = await startWireServer(pglite, {
    port: options.port ?? 0,
    maxConnections: options.maxConnections ?? 32,
  });
  // The wire server hands its one session to each connection in turn, as a
  // PgBouncer in transaction mode does, so the URL says so: a statement one
  // connection prepared would collide with another's (see createDatabase).
  const url = `postgresql://postgres:postgres@${server.host}:${server.port}/postgres?sslmode=disable&pgbouncer=true`;
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= server.close().then(() => pglite.close());
    return stopped;
  };
  try {
    if (options.migrate ?? true) await applyMigrations(url);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, stop };
}
