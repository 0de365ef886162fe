import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

import { createTestDatabase, type TestDatabase } from "@todo/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { deleteKeysUnder, keysUnder, TEST_REDIS_URL, uniquePrefix } from "@todo/api/testing";
import { TEST_SECRET } from "./test-app.js";

// Two real server processes (`src/index.ts`, as `pnpm start` runs it) behind
// one Redis and one database, as a deployment with several replicas runs.

const SERVER_DIR = fileURLToPath(new URL("..", import.meta.url));
const PER_EMAIL = 3;

let database: TestDatabase;
const prefix = uniquePrefix("processes");
const children: ChildProcess[] = [];
const output: string[] = [];
let urls: string[] = [];

function startServerProcess(): Promise<string> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "--conditions=@todo/source", "src/index.ts"],
    {
      cwd: SERVER_DIR,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        PATH: process.env.PATH,
        NODE_ENV: "test",
        PORT: "0",
        HOST: "127.0.0.1",
        DATABASE_URL: database.url,
        BETTER_AUTH_SECRET: TEST_SECRET,
        REDIS_URL: TEST_REDIS_URL,
        REDIS_KEY_PREFIX: prefix,
        AUTH_RATE_LIMIT_PER_EMAIL: String(PER_EMAIL),
        AUTH_RATE_LIMIT_PER_IP: "100",
        LOG_LEVEL: "info",
      },
    },
  );
  children.push(child);
  let stdout = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
    output.push(chunk);
  });
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => output.push(chunk));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening" in: ${stdout}`)), 30_000);
    child.stdout!.on("data", () => {
      const line = stdout.split("\n").find((l) => l.includes('"msg":"listening"'));
      if (!line) return;
      clearTimeout(timer);
      resolve((JSON.parse(line) as { url: string }).url);
    });
    child.once("exit", (code) => reject(new Error(`server exited with ${code}: ${stdout}`)));
  });
}

beforeAll(async () => {
  database = await createTestDatabase();
  urls = await Promise.all([startServerProcess(), startServerProcess()]);
}, 60_000);
afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  await deleteKeysUnder(prefix);
  await database.drop();
});

function post(url: string, path: string, body: unknown) {
  return fetch(`${url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

describe("two server processes sharing one Redis", () => {
  it("both count rate limits in Redis", () => {
    const messages = output
      .join("")
      .split("\n")
      .filter(Boolean)
      .map((line) => (JSON.parse(line) as { msg: string }).msg);
    expect(messages.filter((msg) => msg === "rate limits are counted in Redis")).toHaveLength(2);
  });

  it("share one per-email limit: attempts split between them are refused once the sum is over it", async () => {
    const [a, b] = urls as [string, string];
    const email = `shared-${Date.now()}@example.com`;
    expect(
      (await post(a, "/auth/signup", { email, password: "correct horse battery" })).status,
    ).toBe(201);

    const statuses: number[] = [];
    for (let i = 0; i < PER_EMAIL; i++) {
      const res = await post(i % 2 ? b : a, "/auth/login", { email, password: "wrong password" });
      statuses.push(res.status);
    }
    // Each process saw at most 2 of the 3 attempts, under the limit on its own.
    expect(statuses).toEqual([401, 401, 401]);
    for (const url of [a, b]) {
      const res = await post(url, "/auth/login", { email, password: "correct horse battery" });
      expect(res.status).toBe(429);
      expect(Number(res.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect(await res.json()).toEqual({ detail: "Too many requests" });
    }
    const keys = await keysUnder(prefix);
    expect(keys.filter((key) => key.startsWith(`${prefix}ratelimit:login:email:`))).toHaveLength(1);
  });

  it("accept each other's tokens: one secret signs and verifies on every process", async () => {
    const [a, b] = urls as [string, string];
    const signup = await post(a, "/auth/signup", {
      email: `tokens-${Date.now()}@example.com`,
      password: "correct horse battery",
    });
    const { token, user } = (await signup.json()) as { token: string; user: { id: string } };
    const res = await fetch(`${b}/api/${user.id}/tasks`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
  });
});
