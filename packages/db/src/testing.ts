import { randomBytes } from "node:crypto";

import pg from "pg";

import type { Database } from "./client.js";
import { startEmbeddedPostgres } from "./embedded.js";
import { readDbEnv } from "./env.js";
import { applyMigrations } from "./migrate.js";
import type { TaskStore } from "./task-store.js";

export {
  closedPort,
  startMisbehavingPostgres,
  type MisbehavingPostgres,
  type Misbehaviour,
} from "./misbehaving-postgres.js";
export { findPgBouncer, startPgBouncer, type RunningPgBouncer } from "./pgbouncer.js";

export interface TestDatabase {
  /** What the code under test connects to: through TEST_POOLER_URL when set. */
  url: string;
  /** The database itself, never through a pooler: for migrations and checks on the server. */
  directUrl: string;
  /** Drops the database (real PostgreSQL) or stops the embedded one. */
  drop(): Promise<void>;
}

/**
 * A database of the test's own: a fresh database on the server at
 * TEST_DATABASE_URL, or an in-memory embedded PostgreSQL when it is unset.
 * Migrated unless `migrate: false`. With TEST_POOLER_URL too, `url` goes
 * through that pooler (with its URL parameters, e.g. `pgbouncer=true`) while
 * the database is made and migrated directly, as a deployment behind a
 * transaction-mode pooler migrates over its direct URL.
 */
export async function createTestDatabase(
  options: { migrate?: boolean } = {},
): Promise<TestDatabase> {
  const { TEST_DATABASE_URL, TEST_POOLER_URL } = readDbEnv();
  const migrate = options.migrate ?? true;
  if (!TEST_DATABASE_URL) {
    const embedded = await startEmbeddedPostgres({ migrate });
    return { url: embedded.url, directUrl: embedded.url, drop: embedded.stop };
  }
  const name = `todo_test_${randomBytes(6).toString("hex")}`;
  await withAdminClient(TEST_DATABASE_URL, (client) => client.query(`CREATE DATABASE "${name}"`));
  const directUrl = withDatabase(TEST_DATABASE_URL, name);
  if (migrate) await applyMigrations(directUrl);
  return {
    url: TEST_POOLER_URL ? withDatabase(TEST_POOLER_URL, name) : directUrl,
    directUrl,
    drop: () =>
      withAdminClient(TEST_DATABASE_URL, (client) =>
        client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
      ).then(() => undefined),
  };
}

function withDatabase(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function withAdminClient<T>(url: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

export interface HeldTransaction {
  /** The database, but for its first task transaction, which waits for `release()`. */
  db: Database;
  /** Resolves once that transaction is waiting. */
  held: Promise<void>;
  release(): void;
}

/**
 * `db` whose first task transaction waits, before it takes a connection, until
 * `release()`; later ones run at once. A request that claimed an idempotency
 * key and is about to write is held there, in flight, for as long as a test
 * needs (to send the same request again, to age the claim), whatever the
 * machine's speed, and on the embedded database too (it holds no session).
 */
export function holdFirstTaskTransaction(db: Database): HeldTransaction {
  let reached!: () => void;
  let release!: () => void;
  const held = new Promise<void>((resolve) => (reached = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  let first = true;
  const tasks: TaskStore = {
    query: (text, values) => db.tasks.query(text, values),
    async transaction(work) {
      if (first) {
        first = false;
        reached();
        await released;
      }
      return db.tasks.transaction(work);
    },
  };
  const heldDb = new Proxy(db, {
    get(target, property) {
      if (property === "tasks") return tasks;
      const value: unknown = Reflect.get(target, property);
      return typeof value === "function" ? (value as () => unknown).bind(target) : value;
    },
  });
  return { db: heldDb, held, release };
}
