import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { Agent, request, type IncomingHttpHeaders } from "node:http";
import { connect } from "node:net";
import { fileURLToPath } from "node:url";

import { createDatabase, listTasks } from "@todo/db";
import { createTestDatabase, type TestDatabase } from "@todo/db/testing";
import { SignJWT } from "jose";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

import { startQuietServer, TEST_SECRET } from "./test-app.js";

const SERVER_DIR = fileURLToPath(new URL("..", import.meta.url));
/** How long the client waits between the two halves of a slow body. */
const SLOW_BODY_PAUSE_MS = 300;

let database: TestDatabase;
let token: string;
const children: ChildProcess[] = [];
const agents: Agent[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  token = await new SignJWT({ sub: "alice" })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setExpirationTime("1h")
    .sign(new TextEncoder().encode(TEST_SECRET));
});
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
  for (const agent of agents.splice(0)) agent.destroy();
});
afterAll(() => database.drop());

interface SlowAnswer {
  status: number | undefined;
  headers: IncomingHttpHeaders;
  body: unknown;
}

/**
 * A POST whose body arrives in two halves: the first now, the rest on
 * `finish()`. It goes over a keep-alive connection that the client keeps
 * open, as browsers do: only the server can end it.
 */
function startSlowPost(baseUrl: string, task: { title: string }) {
  const body = JSON.stringify(task);
  const half = Math.floor(body.length / 2);
  const agent = new Agent({ keepAlive: true });
  agents.push(agent);
  const req = request(`${baseUrl}/api/alice/tasks`, {
    method: "POST",
    agent,
    headers: {
      authorization: `Bearer ${token}`,
      "content-type": "application/json",
      "content-length": Buffer.byteLength(body),
    },
  });
  const answer = new Promise<SlowAnswer>((resolve, reject) => {
    req.on("error", reject);
    req.on("response", (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () =>
        resolve({ status: res.statusCode, headers: res.headers, body: JSON.parse(text) }),
      );
    });
  });
  req.write(body.slice(0, half));
  return { finish: () => req.end(body.slice(half)), answer };
}

function connectionRefused(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code));
  });
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function storedTitles(): Promise<string[]> {
  const db = createDatabase(database.url, { poolSize: 1 });
  try {
    return (await listTasks(db.tasks, "alice")).items.map((task) => task.title);
  } finally {
    await db.$disconnect();
  }
}

describe("graceful shutdown", () => {
  it("finishes a request in flight when close() is called, and refuses new connections meanwhile", async () => {
    const running = await startQuietServer(database.url);
    const port = Number(new URL(running.url).port);

    const arrived = once(running.server, "request");
    const slow = startSlowPost(running.url, { title: "Sent while close() runs" });
    await arrived;
    let closedAt: number | undefined;
    const closed = running.close().then(() => (closedAt = performance.now()));

    expect(await connectionRefused(port)).toBe("ECONNREFUSED");
    await pause(SLOW_BODY_PAUSE_MS);
    expect(closedAt).toBeUndefined();
    slow.finish();

    const answer = await slow.answer;
    const answeredAt = performance.now();
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({ title: "Sent while close() runs" });
    expect(answer.headers.connection).toBe("close");
    await closed;
    // Well before the shutdown timeout: the keep-alive connection did not hold it open.
    expect(closedAt! - answeredAt).toBeLessThan(1_000);
    expect(await storedTitles()).toContain("Sent while close() runs");
  });

  // In production the log is written in batches; nothing may be lost at exit.
  it.each(["test", "production"])(
    "on SIGTERM, the entry point finishes the request in flight, logs it, and exits with 0 (NODE_ENV=%s)",
    async (nodeEnv) => {
      const child = spawn(
        process.execPath,
        ["--import", "tsx", "--conditions=@todo/source", "src/index.ts"],
        {
          cwd: SERVER_DIR,
          stdio: ["ignore", "pipe", "pipe"],
          env: {
            PATH: process.env.PATH,
            NODE_ENV: nodeEnv,
            PORT: "0",
            HOST: "127.0.0.1",
            DATABASE_URL: database.url,
            BETTER_AUTH_SECRET: TEST_SECRET,
            LOG_LEVEL: "info",
            // Production drains 5 s before closing; the drain has tests of its own.
            SHUTDOWN_DRAIN_MS: "0",
          },
        },
      );
      children.push(child);
      let stdout = "";
      let stderr = "";
      child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
      child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
      const exited = once(child, "exit") as Promise<[number | null, NodeJS.Signals | null]>;

      await expect
        .poll(() => stdout.includes('"msg":"listening"'), { timeout: 20_000, interval: 50 })
        .toBe(true);
      const listening = JSON.parse(
        stdout.split("\n").find((line) => line.includes('"msg":"listening"'))!,
      );
      const url = (listening as { url: string }).url;
      expect((await fetch(`${url}/health`)).status).toBe(200);

      const slow = startSlowPost(url, { title: "Sent while SIGTERM arrives" });
      await pause(200);
      child.kill("SIGTERM");
      await pause(SLOW_BODY_PAUSE_MS);
      slow.finish();

      const answer = await slow.answer;
      const answeredAt = performance.now();
      expect(answer.status).toBe(201);
      const [code, signal] = await exited;
      expect(performance.now() - answeredAt).toBeLessThan(2_000);
      expect({ code, signal, stderr }).toEqual({ code: 0, signal: null, stderr: "" });
      expect(await storedTitles()).toContain("Sent while SIGTERM arrives");

      const lines = stdout
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      const requests = lines.filter((line) => line.msg === "request");
      expect(requests).toEqual([
        expect.objectContaining({ method: "GET", route: "/health", status: 200 }),
        expect.objectContaining({ method: "POST", status: 201, user_id: "alice" }),
      ]);
      expect(lines.map((line) => line.msg)).toEqual(
        expect.arrayContaining(["shutting down", "stopped"]),
      );
      expect(stdout).not.toContain(token);
      expect(stdout.toLowerCase()).not.toContain("bearer");
      expect(stdout.toLowerCase()).not.toContain("authorization");
    },
  );
});
