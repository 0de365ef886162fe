import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { behindPgBouncer } from "../src/client.js";
import { readDbEnv } from "../src/env.js";
import { createTestDatabase, type TestDatabase } from "../src/testing.js";

// Run by the "pgbouncer" project only (vitest.config.ts): its suites prove
// something only if the code under test really goes through the pooler.

async function backendPid(url: string, clients: pg.Client[]): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  clients.push(client);
  await client.connect();
  const { rows } = await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
  return rows[0]!.pid;
}

describe.skipIf(!readDbEnv().TEST_POOLER_URL)("a test database in the pgbouncer project", () => {
  let database: TestDatabase;
  const clients: pg.Client[] = [];
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.end()));
    await database.drop();
  });

  it("is handed to the code under test through PgBouncer, with pgbouncer=true", () => {
    expect(database.url).not.toBe(database.directUrl);
    expect(behindPgBouncer(database.url)).toBe(true);
  });

  it("is pooled per transaction: two open client connections are served by one server process", async () => {
    // Straight to PostgreSQL, every connection is a process of its own.
    expect(await backendPid(database.directUrl, clients)).not.toBe(
      await backendPid(database.directUrl, clients),
    );
    // Through the pooler, the server connection the first one's query used
    // is idle again by the time the second asks.
    expect(await backendPid(database.url, clients)).toBe(await backendPid(database.url, clients));
  });

  it("is migrated (directly) before the test gets it", async () => {
    const client = new pg.Client({ connectionString: database.url });
    clients.push(client);
    await client.connect();
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "_prisma_migrations" WHERE finished_at IS NOT NULL`,
    );
    expect(rows[0]!.n).toBeGreaterThan(0);
  });
});
