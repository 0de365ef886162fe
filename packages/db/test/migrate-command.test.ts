import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { fileURLToPath } from "node:url";

import pg from "pg";
import { afterAll, afterEach, describe, expect, it } from "vitest";

import {
  closedPort,
  createTestDatabase,
  startMisbehavingPostgres,
  type MisbehavingPostgres,
  type Misbehaviour,
} from "../src/testing.js";

// `pnpm db:migrate` meets the same mistakes as the server's start, and says
// them in the same words (src/database-check.ts): one line first, naming the
// variable, within seconds, exit code 1.

const PACKAGE_DIR = fileURLToPath(new URL("..", import.meta.url));
/** Time for tsx to load the command and fail, on a loaded machine; far less than any timeout involved. */
const WITHIN_SECONDS_MS = 15_000;
const testServer = process.env.TEST_DATABASE_URL;

const fakes: MisbehavingPostgres[] = [];
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(() => Promise.all(fakes.map((fake) => fake.close())));

async function fakePostgres(misbehaviour: Misbehaviour): Promise<MisbehavingPostgres> {
  const fake = await startMisbehavingPostgres(misbehaviour);
  fakes.push(fake);
  return fake;
}

/** `pnpm db:migrate`'s script with only these variables; killed after 30 s. */
async function migrateCommand(env: Record<string, string>) {
  const started = performance.now();
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "--conditions=@todo/source", "src/cli/migrate.ts"],
    {
      cwd: PACKAGE_DIR,
      stdio: ["ignore", "pipe", "pipe"],
      env: { PATH: process.env.PATH, ...env },
    },
  );
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  child.stdout.resume();
  const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  const [code] = (await once(child, "exit")) as [number | null];
  clearTimeout(timer);
  return { code, first: stderr.split("\n")[0], elapsedMs: performance.now() - started, stderr };
}

function expectRefused(exit: Awaited<ReturnType<typeof migrateCommand>>, line: string): void {
  expect({ code: exit.code, first: exit.first }).toEqual({ code: 1, first: line });
  expect(exit.elapsedMs).toBeLessThan(WITHIN_SECONDS_MS);
}

describe("pnpm db:migrate, on a database it cannot use", () => {
  it("DATABASE_URL where nothing listens: names it and the way out", async () => {
    const port = await closedPort();
    const exit = await migrateCommand({
      DATABASE_URL: `postgresql://postgres@127.0.0.1:${port}/todo`,
    });
    expectRefused(
      exit,
      `Cannot migrate: DATABASE_URL points at 127.0.0.1:${port}, where no PostgreSQL is listening ` +
        "(connection refused). Start PostgreSQL there, correct the host or port, " +
        "or unset DATABASE_URL to use the embedded database.",
    );
  });

  it("DIRECT_DATABASE_URL, where migrations run, naming a database that does not exist", async () => {
    const fake = await fakePostgres({ refuse: "3D000", message: 'database "todo" does not exist' });
    const exit = await migrateCommand({
      DATABASE_URL: `postgresql://postgres@127.0.0.1:${await closedPort()}/todo`,
      DIRECT_DATABASE_URL: `postgresql://postgres@127.0.0.1:${fake.port}/todo`,
    });
    expectRefused(
      exit,
      `Cannot migrate: DIRECT_DATABASE_URL names the database "todo", which does not exist on ` +
        `127.0.0.1:${fake.port}. Create it (createdb -h 127.0.0.1 -p ${fake.port} -U postgres todo), ` +
        "or point DIRECT_DATABASE_URL at a database that exists.",
    );
  });

  it("a server that never answers: gives up after DATABASE_QUERY_TIMEOUT_MS", async () => {
    const fake = await fakePostgres("silent");
    const exit = await migrateCommand({
      DATABASE_URL: fake.url,
      DATABASE_QUERY_TIMEOUT_MS: "2000",
    });
    expectRefused(
      exit,
      `Cannot migrate: DATABASE_URL points at 127.0.0.1:${fake.port}, which gave no PostgreSQL ` +
        "answer within 2000 ms. Check the host and port, and that no firewall is in between.",
    );
  });

  it("a password the server refuses (28P01)", async () => {
    const fake = await fakePostgres({ refuse: "28P01", message: "password authentication failed" });
    const exit = await migrateCommand({
      DATABASE_URL: `postgresql://ada:secret-pw@127.0.0.1:${fake.port}/todo`,
    });
    expectRefused(
      exit,
      `Cannot migrate: DATABASE_URL: 127.0.0.1:${fake.port} refused the password of user "ada". ` +
        "Correct the user and password in DATABASE_URL.",
    );
    expect(exit.stderr).not.toContain("secret-pw");
  });

  it("another database's scheme: asks for a PostgreSQL URL, never echoing it", async () => {
    const exit = await migrateCommand({ DATABASE_URL: "mysql://root:hunter2@localhost:3306/todo" });
    expectRefused(
      exit,
      "Invalid environment variable DATABASE_URL: must be a PostgreSQL URL such as " +
        "postgresql://user:password@localhost:5432/todo, not mysql://…. " +
        "Point it at a PostgreSQL server, or unset it to migrate the embedded database",
    );
    expect(exit.stderr).not.toContain("hunter2");
  });

  // Roles belong to the whole server, so only a real one (not the embedded database).
  it.skipIf(!testServer)(
    "a user that may not create tables: permission denied, and the two ways out",
    async () => {
      const role = `todo_no_create_${randomBytes(6).toString("hex")}`;
      const admin = async (sql: string) => {
        const client = new pg.Client({ connectionString: testServer });
        await client.connect();
        await client.query(sql).finally(() => client.end());
      };
      await admin(`CREATE ROLE "${role}" LOGIN`);
      cleanups.push(() => admin(`DROP ROLE IF EXISTS "${role}"`));
      const database = await createTestDatabase({ migrate: false });
      cleanups.push(() => database.drop());
      const url = new URL(database.directUrl);
      url.username = role;
      const exit = await migrateCommand({ DATABASE_URL: url.toString() });
      expectRefused(
        exit,
        `Cannot migrate: DATABASE_URL: user "${role}" may not change the schema of database ` +
          `"${url.pathname.slice(1)}" (permission denied for schema public), and the migrations run ` +
          "as that user. Set DIRECT_DATABASE_URL to a URL of the database's owner, where migrations " +
          `then run, or let the user create tables (as the owner: GRANT CREATE ON SCHEMA public TO "${role}").`,
      );
    },
  );
});
