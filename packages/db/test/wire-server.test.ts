import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { startEmbeddedPostgres, type EmbeddedPostgres } from "../src/embedded.js";

let embedded: EmbeddedPostgres;

beforeAll(async () => {
  embedded = await startEmbeddedPostgres({ migrate: false, maxConnections: 8 });
});

afterAll(() => embedded.stop());

async function connect(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: embedded.url });
  await client.connect();
  return client;
}

describe("the embedded database's wire server", () => {
  it("keeps one connection's transaction invisible to another until it commits", async () => {
    const writer = await connect();
    const reader = await connect();
    try {
      await writer.query("CREATE TABLE isolation_check (n int)");
      await writer.query("BEGIN");
      await writer.query("INSERT INTO isolation_check VALUES ($1)", [1]);
      const during = reader.query("SELECT count(*)::int AS n FROM isolation_check");
      await writer.query("COMMIT");
      expect((await during).rows[0]).toEqual({ n: 1 });
    } finally {
      await writer.end();
      await reader.end();
    }
  });

  it("rolls back a transaction whose client disappeared, and serves the others", async () => {
    const setup = await connect();
    await setup.query("CREATE TABLE abandoned (n int)");
    await setup.end();

    const quitter = await connect();
    quitter.on("error", () => {});
    await quitter.query("BEGIN");
    await quitter.query("INSERT INTO abandoned VALUES (1)");
    (
      quitter as unknown as { connection: { stream: { destroy(): void } } }
    ).connection.stream.destroy();

    const other = await connect();
    try {
      const { rows } = await other.query("SELECT count(*)::int AS n FROM abandoned");
      expect(rows[0]).toEqual({ n: 0 });
    } finally {
      await other.end();
    }
  });
});
