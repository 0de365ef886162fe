import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createDatabase, type Database } from "../src/client.js";
import { parseTimestamptz } from "../src/timestamp-parser.js";
import { createTestDatabase, type TestDatabase } from "../src/testing.js";

const general = pg.types.getTypeParser(1184, "text") as (text: string) => Date;

describe("parseTimestamptz", () => {
  it("reads every form PostgreSQL writes exactly as node-postgres's own parser does", () => {
    const samples = [
      "2026-11-22 10:00:00+00",
      "2026-11-22 10:00:00.1+00",
      "2026-11-22 10:00:00.123+00",
      "2026-11-22 10:00:00.123456+00",
      "2026-11-22 23:59:59.999-03",
      "2026-02-28 00:30:00.5+05:30",
      "1999-12-31 12:00:00-09:30",
      "1901-12-14 00:00:00+00:19:32",
      "0044-03-15 12:00:00+00 BC",
    ];
    for (const text of samples) {
      expect(parseTimestamptz(text).getTime(), text).toBe(general(text).getTime());
    }
    expect(parseTimestamptz("infinity")).toEqual(general("infinity"));
  });
});

describe("timestamps read back through the pool", () => {
  let database: TestDatabase;
  let db: Database;
  beforeAll(async () => {
    database = await createTestDatabase({ migrate: false });
    db = createDatabase(database.url, { poolSize: 1 });
  });
  afterAll(async () => {
    await db.$disconnect();
    await database.drop();
  });

  it("are the instants written, whatever the session's time zone", async () => {
    const written = new Date("2026-11-22T10:11:12.345Z");
    for (const zone of ["UTC", "Asia/Kolkata", "America/St_Johns"]) {
      const client = await db.$pool.connect();
      try {
        await client.query(`SET TIME ZONE '${zone}'`);
        const { rows } = await client.query<{ at: Date }>("SELECT $1::timestamptz(3) AS at", [
          written,
        ]);
        expect(rows[0]?.at.toISOString(), zone).toBe(written.toISOString());
      } finally {
        await client.query("RESET TIME ZONE");
        client.release();
      }
    }
  });
});
