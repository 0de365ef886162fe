import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";

import { createTestDatabase, type TestDatabase } from "@todo/db/testing";
import { SignJWT } from "jose";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { freePort, runEntryPoint, spawnEntryPoint } from "./entry-point.js";
import { TEST_SECRET } from "./test-app.js";

// Behind a transaction-mode pooler, DATABASE_URL is the pooled URL and
// DIRECT_DATABASE_URL the database itself, where migrations must run. Here
// DATABASE_URL logs in as a role that may read and write rows but not create
// tables (as many deployments' application roles), so migrations that went
// over DATABASE_URL fail, and only those over DIRECT_DATABASE_URL succeed.

const server = process.env.TEST_DATABASE_URL;

async function onDatabase(url: string, ...statements: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const statement of statements) await client.query(statement);
  } finally {
    await client.end();
  }
}

// Roles belong to the whole server, so only a real one (not the embedded database).
describe.skipIf(!server)("DIRECT_DATABASE_URL", () => {
  const role = `todo_app_${randomBytes(6).toString("hex")}`;
  const password = randomBytes(12).toString("hex");
  const databases: TestDatabase[] = [];
  const children: ChildProcess[] = [];

  /** A fresh database, unmigrated, and its URL as the application role: rows yes, tables no. */
  async function freshDatabase(): Promise<{ directUrl: string; appUrl: string }> {
    const database = await createTestDatabase({ migrate: false });
    databases.push(database);
    // The tables the migrations create (as the owner) are the role's to use.
    await onDatabase(
      database.directUrl,
      `ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO "${role}"`,
      `ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO "${role}"`,
    );
    const url = new URL(database.directUrl);
    url.username = role;
    url.password = password;
    return { directUrl: database.directUrl, appUrl: url.toString() };
  }

  beforeAll(() => onDatabase(server!, `CREATE ROLE "${role}" LOGIN PASSWORD '${password}'`));
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
    for (const database of databases) await database.drop();
    await onDatabase(server!, `DROP ROLE IF EXISTS "${role}"`);
  });

  it("unset: migrations run over DATABASE_URL, so a role that cannot create tables stops the start", async () => {
    const { appUrl } = await freshDatabase();
    const exit = await runEntryPoint({
      PORT: String(await freePort()),
      DATABASE_URL: appUrl,
      BETTER_AUTH_SECRET: TEST_SECRET,
    });
    expect(exit.code).toBe(1);
    expect(exit.stderr.split("\n")[0]).toMatch(
      new RegExp(
        `^Cannot start: DATABASE_URL: user "${role}" may not change the schema of database`,
      ),
    );
    expect(exit.stderr).not.toContain(password);
  });

  it("where nothing listens: one line naming it, before any migration", async () => {
    const { appUrl } = await freshDatabase();
    const port = await freePort();
    const exit = await runEntryPoint({
      PORT: String(await freePort()),
      DATABASE_URL: appUrl,
      DIRECT_DATABASE_URL: `postgresql://postgres@127.0.0.1:${port}/todo`,
      BETTER_AUTH_SECRET: TEST_SECRET,
    });
    expect({ code: exit.code, first: exit.stderr.split("\n")[0] }).toEqual({
      code: 1,
      first:
        `Cannot start: DIRECT_DATABASE_URL points at 127.0.0.1:${port}, where no PostgreSQL is ` +
        "listening (connection refused). Start PostgreSQL there, correct the host or port, " +
        "or unset DIRECT_DATABASE_URL to migrate over DATABASE_URL.",
    });
  });

  it.each([1, 2])(
    "set: migrations run there, and the server (WEB_CONCURRENCY=%i) serves tasks over DATABASE_URL",
    async (workers) => {
      const { appUrl, directUrl } = await freshDatabase();
      const port = await freePort();
      const child = spawnEntryPoint({
        PORT: String(port),
        DATABASE_URL: appUrl,
        DIRECT_DATABASE_URL: directUrl,
        BETTER_AUTH_SECRET: TEST_SECRET,
        WEB_CONCURRENCY: String(workers),
      });
      children.push(child);
      let stdout = "";
      child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
      await expect
        .poll(() => stdout.includes('"msg":"listening"'), { timeout: 20_000, interval: 50 })
        .toBe(true);

      const token = await new SignJWT({ sub: "direct-user" })
        .setProtectedHeader({ alg: "HS256" })
        .setExpirationTime("1h")
        .sign(new TextEncoder().encode(TEST_SECRET));
      const tasks = `http://127.0.0.1:${port}/api/direct-user/tasks`;
      const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
      const created = await fetch(tasks, {
        method: "POST",
        headers,
        body: JSON.stringify({ title: `with ${workers} worker(s)` }),
      });
      expect(created.status).toBe(201);
      const list = (await (await fetch(tasks, { headers })).json()) as Array<{ title: string }>;
      expect(list.map((task) => task.title)).toContain(`with ${workers} worker(s)`);

      child.kill("SIGTERM");
      const [code] = (await once(child, "exit")) as [number | null];
      expect(code).toBe(0);
    },
  );
});
