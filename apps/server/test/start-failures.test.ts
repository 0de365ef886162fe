import { createServer } from "node:net";
import { once } from "node:events";

import { createTestDatabase } from "@todo/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import {
  freePort,
  refusingPostgres,
  runEntryPoint,
  silentServer,
  spawnEntryPoint,
  type Exit,
} from "./entry-point.js";
import { TEST_SECRET } from "./test-app.js";

// A newcomer's mistakes, made on the real entry point: each ends the process
// within seconds, non-zero, and the first thing it says is one plain line on
// stderr naming the variable, what is wrong and what to do.

/** Time for tsx to load the server and fail; far less than any timeout involved. */
const WITHIN_SECONDS_MS = 8_000;

const missingDatabase = "todo_no_such_database";
let stopStandIn: (() => Promise<void>) | undefined;
/** A database that does not exist: on TEST_DATABASE_URL's server, or on a stand-in refusing as PostgreSQL does. */
let missingDatabaseUrl: string;

beforeAll(async () => {
  const server = process.env.TEST_DATABASE_URL;
  if (server) {
    const url = new URL(server);
    url.pathname = `/${missingDatabase}`;
    missingDatabaseUrl = url.toString();
    return;
  }
  const standIn = await refusingPostgres("3D000", `database "${missingDatabase}" does not exist`);
  stopStandIn = standIn.close;
  missingDatabaseUrl = `postgresql://postgres@127.0.0.1:${standIn.port}/${missingDatabase}`;
});
afterAll(() => stopStandIn?.());

function expectRefusedToStart(exit: Exit, firstLine: string | RegExp): void {
  const [first] = exit.stderr.split("\n");
  expect({ code: exit.code, first, stdout: exit.stdout }).toEqual({
    code: 1,
    first: typeof firstLine === "string" ? firstLine : expect.stringMatching(firstLine),
    stdout: "",
  });
  expect(exit.elapsedMs).toBeLessThan(WITHIN_SECONDS_MS);
}

/** The line for a DATABASE_URL where nothing listens. */
const connectionRefused = (port: number) =>
  `Cannot start: DATABASE_URL points at 127.0.0.1:${port}, where no PostgreSQL is listening ` +
  "(connection refused). Start PostgreSQL there, correct the host or port, " +
  "or unset DATABASE_URL to use the embedded database.";

describe("start-up failures a newcomer can cause", () => {
  it("DATABASE_URL at a port where nothing listens: says so, names the port and the way out", async () => {
    const port = await freePort();
    const exit = await runEntryPoint({
      DATABASE_URL: `postgresql://postgres@127.0.0.1:${port}/todo`,
    });
    expectRefusedToStart(exit, connectionRefused(port));
  });

  it("DATABASE_URL naming a database that does not exist (3D000): says how to create it", async () => {
    const exit = await runEntryPoint({ DATABASE_URL: missingDatabaseUrl });
    const { hostname, port } = new URL(missingDatabaseUrl);
    expectRefusedToStart(
      exit,
      `Cannot start: DATABASE_URL names the database "${missingDatabase}", which does not exist on ` +
        `${hostname}:${port || 5432}. Create it (createdb -h ${hostname} -p ${port || 5432} -U postgres ` +
        `${missingDatabase}), or point DATABASE_URL at a database that exists.`,
    );
  });

  it("DATABASE_URL with another database's scheme: asks for a PostgreSQL URL, never echoing the URL", async () => {
    const exit = await runEntryPoint({ DATABASE_URL: "mysql://root:hunter2@localhost:3306/todo" });
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
    await once(holder, "listening");
    const { port } = holder.address() as { port: number };
    const database = await silentServer();
    try {
      const exit = await runEntryPoint({
        PORT: String(port),
        DATABASE_URL: `postgresql://postgres@127.0.0.1:${database.port}/todo`,
        DATABASE_QUERY_TIMEOUT_MS: "60000",
      });
      expectRefusedToStart(
        exit,
        `Cannot start: PORT ${port} is already in use on 127.0.0.1: another process is listening ` +
          "there (another `pnpm dev` or `pnpm start`?). Stop it, or set PORT to a free port.",
      );
    } finally {
      holder.close();
      await database.close();
    }
  });

  it.each([
    [
      "missing",
      {},
      "Invalid environment variable BETTER_AUTH_SECRET: is not set, and production requires it. ",
    ],
    [
      "shorter than 32 characters",
      { BETTER_AUTH_SECRET: "too-short-secret" },
      "Invalid environment variable BETTER_AUTH_SECRET: is 16 characters long; production requires at least 32. ",
    ],
  ])("BETTER_AUTH_SECRET %s in production: says how to make one", async (_, secret, start) => {
    const exit = await runEntryPoint({ NODE_ENV: "production", ...secret });
    expectRefusedToStart(
      exit,
      `${start}Set it to the secret your Better Auth frontend signs with, or make one with \`openssl rand -base64 32\``,
    );
    expect(exit.stderr).not.toContain("too-short-secret");
  });

  it.each(["localhost:3000", "*", "http//localhost:3000"])(
    "a malformed CORS_ORIGINS entry (%s): names the entry and shows the form",
    async (entry) => {
      const exit = await runEntryPoint({ CORS_ORIGINS: `http://localhost:3000, ${entry}` });
      expectRefusedToStart(
        exit,
        `Invalid environment variable CORS_ORIGINS: "${entry}" is not an origin. Write each allowed ` +
          "origin as scheme://host[:port], e.g. http://localhost:3000, separated by commas (never *)",
      );
    },
  );
});

describe("while it starts", () => {
  it("holds the port and answers 503 until the database answers, then gives up naming the timeout", async () => {
    const port = await freePort();
    const database = await silentServer();
    const child = spawnEntryPoint({
      PORT: String(port),
      DATABASE_URL: `postgresql://postgres@127.0.0.1:${database.port}/todo`,
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
      await database.close();
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
