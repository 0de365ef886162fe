import { readFile } from "node:fs/promises";

import { getDMMF } from "@prisma/get-dmmf";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { Prisma } from "../src/generated/prisma/client.js";
import { applyMigrations } from "../src/migrate.js";
import { createTestDatabase, type TestDatabase } from "../src/testing.js";
import { catalogFromDatabase, catalogFromDmmf, type Catalog } from "./schema-catalog.js";

const schemaPath = new URL("../prisma/schema.prisma", import.meta.url);

function dmmfOf(schema: string) {
  const dmmf = getDMMF({ datamodel: schema });
  if ("type" in dmmf) throw dmmf.error;
  return dmmf;
}

let database: TestDatabase;
let migrated: Catalog;
let schema: string;

beforeAll(async () => {
  schema = await readFile(schemaPath, "utf8");
  database = await createTestDatabase({ migrate: false });
  await applyMigrations(database.url);
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    migrated = await catalogFromDatabase(client);
  } finally {
    await client.end();
  }
});

afterAll(() => database.drop());

describe("prisma/migrations and prisma/schema.prisma", () => {
  it("describe the same tables, columns, types, nullability, defaults, enums and indexes", () => {
    expect(migrated).toEqual(catalogFromDmmf(dmmfOf(schema)));
  });

  it("are checked closely enough that changing only the schema fails the comparison", () => {
    const edits: Array<[string, string]> = [
      ["@db.VarChar(200)", "@db.VarChar(201)"],
      ["description String?", "description String "],
      ["@default(false)", "@default(true)"],
      ["  high\n", "  high\n  urgent\n"],
      ["id(sort: Desc)]", "id(sort: Asc)]"],
      ['@map("due_date")', '@map("due_at")'],
      ["String   @unique @db.VarChar(254)", "String   @db.VarChar(254)"],
      ["String?  @db.VarChar(100)", "String?  @db.VarChar(101)"],
      ['@map("password_hash")', '@map("password")'],
    ];
    for (const [from, to] of edits) {
      expect(schema).toContain(from);
      const edited = catalogFromDmmf(dmmfOf(schema.replace(from, to)));
      expect(edited, `edit ${from} -> ${to}`).not.toEqual(migrated);
    }
  });

  it("match the generated client, so a stale client is caught too", () => {
    const dmmf = dmmfOf(schema);
    expect(Object.values(Prisma.ModelName)).toEqual(dmmf.datamodel.models.map((m) => m.name));
    const fieldsOf = (model: string) =>
      dmmf.datamodel.models.find((m) => m.name === model)?.fields.map((f) => f.name);
    expect(Object.values(Prisma.TaskScalarFieldEnum)).toEqual(fieldsOf("Task"));
    expect(Object.values(Prisma.UserScalarFieldEnum)).toEqual(fieldsOf("User"));
  });
});
