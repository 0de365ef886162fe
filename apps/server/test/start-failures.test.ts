import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { createServer } from "node:net";

import {
  createTestDatabase,
  startMisbehavingPostgres,
  type MisbehavingPostgres,
  type Misbehaviour,
  type TestDatabase,
} from "@todo/db/testing";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

import {
  BUILT_ENTRY_POINT,
  buildServer,
  freePort,
  runEntryPoint,
  spawnEntryPoint,
  type Exit,
} from "./entry-point.js";
import { TEST_SECRET } from "./test-app.js";

// A newcomer's mistakes, made on the real entry point, as `pnpm dev` runs it
// (one process) and as `pnpm start` runs it in production (the build, a
// primary and its workers): each ends the process within seconds, non-zero,
// and the first thing it says is one plain line on stderr naming the
// variable, what is wrong and what to do.

/**
 * Time for the entry point to load and fail, on a loaded machine; far less
 * than any timeout involved (but the one a case sets on purpose), so a
 * failure that waits for one fails the test.
 */
const WITHIN_SECONDS_MS = 15_000;

const testServer = process.env.TEST_DATABASE_URL;
const missingDatabase = "todo_no_such_database";
/** A database that does not exist: on TEST_DATABASE_URL's server, or on a stand-in refusing as PostgreSQL does. */
let missingDatabaseUrl: string;
const fakes: MisbehavingPostgres[] = [];

async function fakePostgres(misbehaviour: Misbehaviour): Promise<MisbehavingPostgres> {
  const fake = await startMisbehavingPostgres(misbehaviour);
  fakes.push(fake);
  return fake;
}

beforeAll(async () => {
  await buildServer();
  if (testServer) {
    const url = new URL(testServer);
    url.pathname = `/${missingDatabase}`;
    missingDatabaseUrl = url.toString();
    return;
  }
  const standIn = await fakePostgres({
    refuse: "3D000",
    message: `database "${missingDatabase}" does not exist`,
  });
  missingDatabaseUrl = `postgresql://postgres@127.0.0.1:${standIn.port}/${missingDatabase}`;
}, 180_000);
afterAll(() => Promise.all(fakes.map((fake) => fake.close())));

interface StartMode {
  name: string;
  run(env: Record<string, string>): Promise<Exit>;
}

// Each on a free port (not 8000, which another server may hold), unless the case sets PORT.
const START_MODES: StartMode[] = [
  {
    name: "one process (`pnpm dev`'s server)",
    run: async (env) => runEntryPoint({ PORT: String(await freePort()), ...env }),
  },
  {
    name: "the production build with WEB_CONCURRENCY=2 (`pnpm start`)",
    run: async (env) =>
      runEntryPoint(
        {
          PORT: String(await freePort()),
          NODE_ENV: "production",
          WEB_CONCURRENCY: "2",
          BETTER_AUTH_SECRET: TEST_SECRET,
          ...env,
        },
        { script: BUILT_ENTRY_POINT },
      ),
  },
];

function expectRefusedToStart(exit: Exit, firstLine: string): void {
  const [first] = exit.stderr.split("\n");
  expect({ code: exit.code, first, stdout: exit.stdout }).toEqual({
    code: 1,
    first: firstLine,
    stdout: "",
  });
  expect(exit.elapsedMs).toBeLessThan(WITHIN_SECONDS_MS);
}

/** The line for a DATABASE_URL where nothing listens. */
const connectionRefused = (port: number) =>
  `Cannot start: DATABASE_URL points at 127.0.0.1:${port}, where no PostgreSQL is listening ` +
  "(connection refused). Start PostgreSQL there, correct the host or port, " +
  "or unset DATABASE_URL to use the embedded database.";

/** A role that may log in (trust auth) but not create tables, and a fresh database it can reach. */
async function roleWithoutCreate(): Promise<{ url: string; role: string; drop(): Promise<void> }> {
  const role = `todo_no_create_${randomBytes(6).toString("hex")}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: testServer });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE ROLE "${role}" LOGIN`);
  let database: TestDatabase | undefined;
  try {
    database = await createTestDatabase({ migrate: false });
  } catch (error) {
    await admin(`DROP ROLE "${role}"`);
    throw error;
  }
  const url = new URL(database.directUrl);
  url.username = role;
  url.password = "";
  return {
    url: url.toString(),
    role,
    drop: async () => {
      await database.drop();
      await admin(`DROP ROLE IF EXISTS "${role}"`);
    },
  };
}

describe.each(START_MODES)("start-up failures a newcomer can cause: $name", ({ run }) => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it("DATABASE_URL at a port where nothing listens: says so, names the port and the way out", async () => {
    const port = await freePort();
    const exit = await run({ DATABASE_URL: `postgresql://postgres@127.0.0.1:${port}/todo` });
    expectRefusedToStart(exit, connectionRefused(port));
  });

  it("DATABASE_URL naming a database that does not exist (3D000): says how to create it", async () => {
    const exit = await run({ DATABASE_URL: missingDatabaseUrl });
    const { hostname, port } = new URL(missingDatabaseUrl);
    expectRefusedToStart(
      exit,
      `Cannot start: DATABASE_URL names the database "${missingDatabase}", which does not exist on ` +
        `${hostname}:${port || 5432}. Create it (createdb -h ${hostname} -p ${port || 5432} -U postgres ` +
        `${missingDatabase}), or point DATABASE_URL at a database that exists.`,
    );
  });

  it.each<[string, Misbehaviour]>([
    ["accepts the connection and never says a word", "silent"],
    ["logs in, then never answers a query (a pooler whose database is gone)", "silent-on-query"],
  ])(
    "DATABASE_URL at a server that %s: gives up after DATABASE_QUERY_TIMEOUT_MS, naming it",
    async (_, misbehaviour) => {
      const fake = await fakePostgres(misbehaviour);
      const exit = await run({ DATABASE_URL: fake.url, DATABASE_QUERY_TIMEOUT_MS: "2000" });
      expectRefusedToStart(
        exit,
        `Cannot start: DATABASE_URL points at 127.0.0.1:${fake.port}, which gave no PostgreSQL ` +
          "answer within 2000 ms. Check the host and port, and that no firewall is in between.",
      );
    },
  );

  it("DATABASE_URL with a password the server refuses (28P01): says which user", async () => {
    const fake = await fakePostgres({
      refuse: "28P01",
      message: 'password authentication failed for user "ada"',
    });
    const exit = await run({
      DATABASE_URL: `postgresql://ada:wrong-password@127.0.0.1:${fake.port}/todo`,
    });
    expectRefusedToStart(
      exit,
      `Cannot start: DATABASE_URL: 127.0.0.1:${fake.port} refused the password of user "ada". ` +
        "Correct the user and password in DATABASE_URL.",
    );
    expect(exit.stderr).not.toContain("wrong-password");
  });

  it("DATABASE_URL with a user the server does not let in (28000): says which, and where to let it in", async () => {
    const fake = await fakePostgres({ refuse: "28000", message: 'role "ghost" does not exist' });
    const exit = await run({ DATABASE_URL: `postgresql://ghost@127.0.0.1:${fake.port}/todo` });
    expectRefusedToStart(
      exit,
      `Cannot start: DATABASE_URL: 127.0.0.1:${fake.port} refused user "ghost" (role "ghost" does ` +
        "not exist). Correct the user in DATABASE_URL, or let it in (pg_hba.conf).",
    );
  });

  // Roles belong to the whole server, so only a real one (not the embedded database).
  it.skipIf(!testServer)(
    "DATABASE_URL as a user that may not create tables: the migrations' permission denied, with the two ways out",
    async () => {
      const { url, role, drop } = await roleWithoutCreate();
      cleanups.push(drop);
      const exit = await run({ DATABASE_URL: url });
      const database = new URL(url).pathname.slice(1);
      expectRefusedToStart(
        exit,
        `Cannot start: DATABASE_URL: user "${role}" may not change the schema of database ` +
          `"${database}" (permission denied for schema public), and the migrations run as that ` +
          "user. Set DIRECT_DATABASE_URL to a URL of the database's owner, where migrations then " +
          `run, or let the user create tables (as the owner: GRANT CREATE ON SCHEMA public TO "${role}").`,
      );
    },
  );

  it("DATABASE_URL with another database's scheme: asks for a PostgreSQL URL, never echoing the URL", async () => {
    const exit = await run({ DATABASE_URL: "mysql://root:hunter2@localhost:3306/todo" });
    expectRefusedToStart(
      exit,
      "Invalid environment variable DATABASE_URL: must be a PostgreSQL URL such as " +
        "postgresql://user:password@localhost:5432/todo, not mysql://…. " +
        "Point it at a PostgreSQL server, or unset it to use the embedded database",
    );
    expect(exit.stderr).not.toContain("hunter2");
  });

  it("PORT in use: said before any database work, even with a database that never answers", async () => {
    const holder = createServer().listen(0, "127.0.0.1");
    cleanups.push(() => new Promise((resolve) => holder.close(resolve)));
    await once(holder, "listening");
    const { port } = holder.address() as { port: number };
    const database = await fakePostgres("silent");
    const exit = await run({
      PORT: String(port),
      DATABASE_URL: database.url,
      DATABASE_QUERY_TIMEOUT_MS: "60000",
    });
    expectRefusedToStart(
      exit,
      `Cannot start: PORT ${port} is already in use on 127.0.0.1: another process is listening ` +
        "there (another `pnpm dev` or `pnpm start`?). Stop it, or set PORT to a free port.",
    );
  });

  it.each([
    [
      "missing",
      { BETTER_AUTH_SECRET: "" },
      "Invalid environment variable BETTER_AUTH_SECRET: is not set, and production requires it. ",
    ],
    [
      "shorter than 32 characters",
      { BETTER_AUTH_SECRET: "too-short-secret" },
      "Invalid environment variable BETTER_AUTH_SECRET: is 16 characters long; production requires at least 32. ",
    ],
  ])("BETTER_AUTH_SECRET %s in production: says how to make one", async (_, secret, start) => {
    const unused = `postgresql://postgres@127.0.0.1:${await freePort()}/todo`;
    const exit = await run({ NODE_ENV: "production", DATABASE_URL: unused, ...secret });
    expectRefusedToStart(
      exit,
      `${start}Set it to the secret your Better Auth frontend signs with, or make one with \`openssl rand -base64 32\``,
    );
    expect(exit.stderr).not.toContain("too-short-secret");
  });

  it.each(["localhost:3000", "*", "http//localhost:3000"])(
    "a malformed CORS_ORIGINS entry (%s): names the entry and shows the form",
    async (entry) => {
      const unused = `postgresql://postgres@127.0.0.1:${await freePort()}/todo`;
      const exit = await run({
        CORS_ORIGINS: `http://localhost:3000, ${entry}`,
        DATABASE_URL: unused,
      });
      expectRefusedToStart(
        exit,
        `Invalid environment variable CORS_ORIGINS: "${entry}" is not an origin. Write each allowed ` +
          "origin as scheme://host[:port], e.g. http://localhost:3000, separated by commas (never *)",
      );
    },
  );
});

describe("while it starts (one process)", () => {
  it("holds the port and answers 503 until the database answers, then gives up naming the timeout", async () => {
    const port = await freePort();
    const database = await fakePostgres("silent");
    const child = spawnEntryPoint({
      PORT: String(port),
      DATABASE_URL: database.url,
      DATABASE_QUERY_TIMEOUT_MS: "4000",
      BETTER_AUTH_SECRET: TEST_SECRET,
    });
    let stderr = "";
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const exited = once(child, "exit") as Promise<[number | null]>;
    try {
      const health = async () => {
        const res = await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined);
        return (
          res && {
            status: res.status,
            retryAfter: res.headers.get("retry-after"),
            body: await res.json(),
          }
        );
      };
      await expect.poll(health, { timeout: 10_000, interval: 100 }).toEqual({
        status: 503,
        retryAfter: "1",
        body: { status: "unavailable", database: "unavailable" },
      });
      const [code] = await exited;
      expect(code).toBe(1);
      expect(stderr.split("\n")[0]).toBe(
        `Cannot start: DATABASE_URL points at 127.0.0.1:${database.port}, which gave no PostgreSQL ` +
          "answer within 4000 ms. Check the host and port, and that no firewall is in between.",
      );
    } finally {
      child.kill("SIGKILL");
    }
  });
});

describe("`pnpm dev`'s preflight (src/cli/preflight.ts), run before the watcher", () => {
  it("ends non-zero with the server's own line when the port is in use", async () => {
    const holder = createServer().listen(0, "127.0.0.1");
    await once(holder, "listening");
    const { port } = holder.address() as { port: number };
    try {
      const exit = await runEntryPoint({ PORT: String(port) }, { script: "src/cli/preflight.ts" });
      expectRefusedToStart(
        exit,
        `Cannot start: PORT ${port} is already in use on 127.0.0.1: another process is listening ` +
          "there (another `pnpm dev` or `pnpm start`?). Stop it, or set PORT to a free port.",
      );
    } finally {
      holder.close();
    }
  });

  it("ends non-zero when DATABASE_URL's server refuses the connection", async () => {
    const port = await freePort();
    const exit = await runEntryPoint(
      {
        PORT: String(await freePort()),
        DATABASE_URL: `postgresql://postgres@127.0.0.1:${port}/todo`,
      },
      { script: "src/cli/preflight.ts" },
    );
    expectRefusedToStart(exit, connectionRefused(port));
  });

  it("ends with 0 at once, printing nothing, when the port is free and the database answers", async () => {
    const database = await createTestDatabase({ migrate: false });
    try {
      const exit = await runEntryPoint(
        { PORT: String(await freePort()), DATABASE_URL: database.url },
        { script: "src/cli/preflight.ts" },
      );
      expect({ code: exit.code, stdout: exit.stdout, stderr: exit.stderr }).toEqual({
        code: 0,
        stdout: "",
        stderr: "",
      });
      expect(exit.elapsedMs).toBeLessThan(WITHIN_SECONDS_MS);
    } finally {
      await database.drop();
    }
  });
});
