import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createDatabase, type Database } from "../src/client.js";
import { createTestDatabase, type TestDatabase } from "../src/testing.js";
import { createUser, findUserByEmail, findUserById } from "../src/users.js";

let database: TestDatabase;
let db: Database;

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDatabase(database.url, { poolSize: 2 });
});
afterAll(async () => {
  await db.$disconnect();
  await database.drop();
});

describe("createUser", () => {
  it("stores the email lower-cased, with a UUID id and timestamps", async () => {
    const user = await createUser(db, {
      email: "Ada.Lovelace@Example.COM",
      name: "Ada",
      passwordHash: "$argon2id$stub",
    });
    expect(user).toMatchObject({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      email: "ada.lovelace@example.com",
      name: "Ada",
    });
    expect(user?.createdAt).toBeInstanceOf(Date);
  });

  it("returns null for an email already registered in another letter case", async () => {
    await createUser(db, { email: "grace@example.com", passwordHash: "h" });
    expect(await createUser(db, { email: "GRACE@example.com", passwordHash: "h" })).toBeNull();
    expect(await createUser(db, { email: "grace@EXAMPLE.com", passwordHash: "h" })).toBeNull();
  });

  it("lets two concurrent sign-ups of one email create exactly one user", async () => {
    const results = await Promise.all(
      ["race@example.com", "Race@example.com", "RACE@example.com"].map((email) =>
        createUser(db, { email, passwordHash: "h" }),
      ),
    );
    expect(results.filter((user) => user !== null)).toHaveLength(1);
  });
});

describe("the users table", () => {
  it("refuses a mixed-case email written past createUser, so the unique index stays case-insensitive", async () => {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      await expect(
        client.query(`INSERT INTO users (email, password_hash) VALUES ('Mixed@Example.com', 'h')`),
      ).rejects.toThrow(/users_email_lowercase_check/);
    } finally {
      await client.end();
    }
  });
});

describe("findUserByEmail / findUserById", () => {
  it("finds a user by email in any letter case, and by id", async () => {
    const created = await createUser(db, { email: "finder@example.com", passwordHash: "h" });
    expect((await findUserByEmail(db, "FINDER@Example.com"))?.id).toBe(created?.id);
    expect((await findUserById(db, created!.id))?.email).toBe("finder@example.com");
  });

  it("answers null for an unknown email, an unknown id and an id that is not a UUID", async () => {
    expect(await findUserByEmail(db, "nobody@example.com")).toBeNull();
    expect(await findUserById(db, "6f1c2d3e-4b5a-4c6d-8e7f-0123456789ab")).toBeNull();
    expect(await findUserById(db, "better-auth-user-123")).toBeNull();
  });
});
