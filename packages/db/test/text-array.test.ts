import fc from "fast-check";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { parseTextArray } from "../src/text-array.js";
import { createTestDatabase, type TestDatabase } from "../src/testing.js";

// Tags come back through parseTextArray: whatever text[] PostgreSQL writes,
// it must read what was stored, as node-postgres's own parser does.

let database: TestDatabase;
let client: pg.Client;
// node-postgres's own parser of text[] (type 1009).
const nodePostgres = (pg.types.getTypeParser as (oid: number) => (text: string) => unknown)(1009);

beforeAll(async () => {
  database = await createTestDatabase({ migrate: false });
  client = new pg.Client({ connectionString: database.url });
  await client.connect();
});
afterAll(async () => {
  await client.end();
  await database.drop();
});

/** PostgreSQL's own text for `values` as a text[]. */
async function arrayText(values: Array<string | null>): Promise<string> {
  const { rows } = await client.query<{ text: string }>("SELECT $1::text[]::text AS text", [
    values,
  ]);
  return rows[0]!.text;
}

// Characters the array syntax treats specially, beside ordinary and astral ones.
const tricky = fc.constantFrom(
  '"',
  "\\",
  ",",
  "{",
  "}",
  " ",
  "\t",
  "\n",
  "NULL",
  "null",
  "a",
  "é",
  "😀",
);
const element = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 12 }),
  fc.array(tricky, { maxLength: 6 }).map((parts) => parts.join("")),
  fc.constant(null),
);

describe("parseTextArray", () => {
  it("reads back every array PostgreSQL writes, as node-postgres's parser does", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(element, { maxLength: 8 }), async (values) => {
        const text = await arrayText(values);
        expect(parseTextArray(text)).toEqual(values);
        expect(parseTextArray(text)).toEqual(nodePostgres(text));
      }),
      { numRuns: 300 },
    );
  });

  it("leaves arrays with more dimensions or explicit bounds to node-postgres", async () => {
    const { rows } = await client.query<{ two: string; bounded: string }>(
      `SELECT '{{a,b},{"c d",e}}'::text[]::text AS two, '[0:1]={x,y}'::text[]::text AS bounded`,
    );
    for (const text of [rows[0]!.two, rows[0]!.bounded]) {
      expect(parseTextArray(text)).toEqual(nodePostgres(text));
    }
  });
});
