import { execFile, spawn, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { request as httpRequest } from "node:http";
import { connect, type Socket } from "node:net";

import { createTestDatabase, type TestDatabase } from "@todo/db/testing";
import { SignJWT } from "jose";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

import { freePort, SERVER_DIR } from "./entry-point.js";
import { TEST_SECRET } from "./test-app.js";

// The production build as `pnpm start` runs it, with WEB_CONCURRENCY=2: a
// primary and two workers sharing the port, and the faults it must survive.
// The workers need a real PostgreSQL (the embedded one serves one process).

const realDatabase = process.env.TEST_DATABASE_URL !== undefined;

let database: TestDatabase;
const children: ChildProcess[] = [];

beforeAll(async () => {
  if (!realDatabase) return;
  // The build, brought up to date (turbo's cache makes this quick when it is).
  const [db] = await Promise.all([
    createTestDatabase({ migrate: false }),
    promisify(execFile)(
      "pnpm",
      ["exec", "turbo", "run", "build", "--filter=@todo/server", "--output-logs=errors-only"],
      { cwd: join(SERVER_DIR, "..", "..") },
    ),
  ]);
  database = db;
}, 180_000);
afterEach(() => {
  for (const child of children.splice(0)) {
    for (const pid of workersOf(child.pid!)) process.kill(pid, "SIGKILL");
    if (child.exitCode === null) child.kill("SIGKILL");
  }
});
afterAll(() => database?.drop());

/** The pids of a process's worker children (Linux /proc; esbuild's service is not one). */
function workersOf(parent: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const argv = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      if (Number(fields[1]) === parent && fields[0] !== "Z" && argv.includes("index.js")) {
        pids.push(Number(entry));
      }
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

interface Cluster {
  url: string;
  primary: ChildProcess;
  /** Every log line so far. */
  log: () => string;
}

async function startCluster(env: Record<string, string> = {}): Promise<Cluster> {
  const port = await freePort();
  const workers = Number(env.WEB_CONCURRENCY ?? 2);
  const primary = spawn(process.execPath, ["dist/index.js"], {
    cwd: SERVER_DIR,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      PATH: process.env.PATH,
      HOST: "127.0.0.1",
      NODE_ENV: "production",
      PORT: String(port),
      DATABASE_URL: database.url,
      BETTER_AUTH_SECRET: TEST_SECRET,
      WEB_CONCURRENCY: "2",
      SHUTDOWN_DRAIN_MS: "0",
      LOG_LEVEL: "info",
      ...env,
    },
  });
  children.push(primary);
  let output = "";
  primary.stdout!.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
  primary.stderr!.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while ((output.match(/"listening"/g) ?? []).length < workers) {
    if (primary.exitCode !== null) throw new Error(`the server exited:\n${output}`);
    if (Date.now() > deadline) throw new Error(`the workers did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { url, primary, log: () => output };
}

const token = (user: string) =>
  new SignJWT({ sub: user })
    .setProtectedHeader({ alg: "HS256" })
    .setExpirationTime("1h")
    .sign(new TextEncoder().encode(TEST_SECRET));

/** One request on a connection of its own; resolves with the status, or the network error's code. */
function send(
  url: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status?: number; error?: string; text: string }> {
  return new Promise((resolve) => {
    const req = httpRequest(`${url}${path}`, { method, headers, agent: false }, (res) => {
      let text = "";
      res.setEncoding("utf8").on("data", (chunk: string) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode, text }));
      res.on("error", (error: NodeJS.ErrnoException) =>
        resolve({ error: error.code ?? "error", text }),
      );
    });
    // A request no one answers is a failure too, not a hang.
    req.setTimeout(10_000, () =>
      req.destroy(Object.assign(new Error("timeout"), { code: "TIMEOUT" })),
    );
    req.on("error", (error: NodeJS.ErrnoException) =>
      resolve({ error: error.code ?? error.message, text: "" }),
    );
    req.end(body);
  });
}

/** Writers creating tasks until `until()` is true; every acknowledged id, and every failure. */
async function writeUntil(url: string, user: string, until: () => boolean, writers = 4) {
  const auth = { authorization: `Bearer ${await token(user)}`, "content-type": "application/json" };
  const acked: string[] = [];
  const failures: string[] = [];
  await Promise.all(
    Array.from({ length: writers }, async () => {
      while (!until()) {
        const res = await send(url, "POST", `/api/${user}/tasks`, auth, '{"title":"load"}');
        if (res.status === 201) acked.push((JSON.parse(res.text) as { id: string }).id);
        else failures.push(res.error ?? String(res.status));
      }
    }),
  );
  return { acked, failures };
}

async function storedIds(user: string): Promise<Set<string>> {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: string }>("SELECT id FROM tasks WHERE user_id = $1", [
      user,
    ]);
    return new Set(rows.map((row) => row.id));
  } finally {
    await client.end();
  }
}

describe.skipIf(!realDatabase)("WEB_CONCURRENCY=2", { timeout: 60_000 }, () => {
  it("serves from two workers; one killed with SIGKILL under write load is replaced within 2 s, and every acknowledged write is stored", async () => {
    const cluster = await startCluster();
    const workers = workersOf(cluster.primary.pid!);
    expect(workers).toHaveLength(2);

    let done = false;
    const load = writeUntil(cluster.url, "kill-user", () => done);
    let replacedInMs: number;
    try {
      await new Promise((resolve) => setTimeout(resolve, 500));
      process.kill(workers[0]!, "SIGKILL");
      const killedAt = Date.now();
      // A replacement: a third "listening" line.
      while (
        (cluster.log().match(/"listening"/g) ?? []).length < 3 &&
        Date.now() - killedAt < 5_000
      ) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      replacedInMs = Date.now() - killedAt;
      await new Promise((resolve) => setTimeout(resolve, 500));
    } finally {
      done = true;
    }
    const { acked, failures } = await load;

    expect(replacedInMs).toBeLessThan(2_000);
    expect(workersOf(cluster.primary.pid!)).toHaveLength(2);
    expect(cluster.log()).toContain("worker died; starting another");
    // Only the requests in flight on the killed worker can fail, one per
    // writer at most: reset, or (a connection the primary was handing to it)
    // never answered.
    expect(failures.length).toBeLessThanOrEqual(4);
    expect(failures.every((failure) => failure === "ECONNRESET" || failure === "TIMEOUT")).toBe(
      true,
    );
    expect(acked.length).toBeGreaterThan(20);
    const stored = await storedIds("kill-user");
    for (const id of acked) expect(stored.has(id)).toBe(true);
  });

  it("on SIGTERM under load behind a load balancer: no request is reset, every write acknowledged is stored, and the primary exits 0", async () => {
    const cluster = await startCluster({ SHUTDOWN_DRAIN_MS: "1000" });
    // The load balancer: sends while /health says 200, checking every 100 ms.
    let inRotation = true;
    const healthChecks = (async () => {
      while (inRotation) {
        const res = await send(cluster.url, "GET", "/health", {});
        if (res.status !== 200) inRotation = false;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    const load = writeUntil(cluster.url, "term-user", () => !inRotation, 6);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const exited = new Promise<number | null>((resolve) => cluster.primary.once("exit", resolve));
    cluster.primary.kill("SIGTERM");
    const [{ acked, failures }, code] = await Promise.all([load, exited, healthChecks]);

    expect(code).toBe(0);
    expect(failures).toEqual([]);
    expect(acked.length).toBeGreaterThan(10);
    const stored = await storedIds("term-user");
    for (const id of acked) expect(stored.has(id)).toBe(true);
  });

  it("drains before stopping: /health answers 503 while requests are still served", async () => {
    const cluster = await startCluster({ SHUTDOWN_DRAIN_MS: "1500" });
    const auth = { authorization: `Bearer ${await token("drain-user")}` };
    cluster.primary.kill("SIGTERM");
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await send(cluster.url, "GET", "/health", {})).status).toBe(503);
    expect((await send(cluster.url, "GET", "/api/drain-user/tasks", auth)).status).toBe(200);
  });

  it("creates exactly one task for 50 concurrent identical requests with one Idempotency-Key, across the workers", async () => {
    const cluster = await startCluster();
    const headers = {
      authorization: `Bearer ${await token("key-user")}`,
      "content-type": "application/json",
      "idempotency-key": "across-workers",
    };
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        send(cluster.url, "POST", "/api/key-user/tasks", headers, '{"title":"once"}'),
      ),
    );
    expect(results.every((res) => res.status === 201 || res.status === 409)).toBe(true);
    expect(await storedIds("key-user")).toHaveProperty("size", 1);
  });

  it("counts login attempts of every worker together without Redis", async () => {
    const cluster = await startCluster({
      AUTH_RATE_LIMIT_PER_IP: "5",
      AUTH_RATE_LIMIT_PER_EMAIL: "100",
    });
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) {
      const res = await send(
        cluster.url,
        "POST",
        "/auth/login",
        { "content-type": "application/json" },
        JSON.stringify({ email: `nobody${i}@example.com`, password: "wrong password here" }),
      );
      statuses.push(res.status ?? 0);
    }
    expect(statuses.filter((status) => status === 401)).toHaveLength(5);
    expect(statuses.filter((status) => status === 429)).toHaveLength(5);
  });
});

describe.skipIf(!realDatabase)("slow clients", { timeout: 60_000 }, () => {
  it("200 slowloris sockets do not stop a normal client, and are cut at REQUEST_TIMEOUT_MS (within 2 s of it)", async () => {
    const cluster = await startCluster({ WEB_CONCURRENCY: "1", REQUEST_TIMEOUT_MS: "2000" });
    const port = Number(new URL(cluster.url).port);
    const started = Date.now();
    const closedAfter = await Promise.all(
      Array.from(
        { length: 200 },
        () =>
          new Promise<number>((resolve) => {
            const socket = connect(port, "127.0.0.1", () => {
              socket.write("GET /health HTTP/1.1\r\nHost: x\r\n");
              const drip = setInterval(() => socket.write("X-Slow: 1\r\n"), 300);
              socket.on("close", () => {
                clearInterval(drip);
                resolve(Date.now() - started);
              });
            });
            socket.on("error", () => undefined);
          }),
      ).concat([
        (async () => {
          const res = await send(cluster.url, "GET", "/health", {});
          expect(res.status).toBe(200);
          return -1;
        })(),
      ]),
    );
    const cut = closedAfter.filter((ms) => ms >= 0);
    expect(Math.min(...cut)).toBeGreaterThanOrEqual(1_900);
    expect(Math.max(...cut)).toBeLessThan(4_500);
  });

  it("refuses a 100 MB body with 413 at once, declared or streamed, without its RSS growing 50 MB", async () => {
    const cluster = await startCluster({ WEB_CONCURRENCY: "1" });
    const pid = cluster.primary.pid!;
    const rssMb = () =>
      Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024;
    const auth = { authorization: `Bearer ${await token("big-user")}` };
    await send(cluster.url, "GET", "/api/big-user/tasks", auth);
    const megabyte = Buffer.alloc(1024 * 1024, 0x61);
    /** POSTs 100 MB in 1 MB writes (stopping once answered); the status and when it came. */
    const post = (headers: Record<string, string>) =>
      new Promise<{ status?: number; ms: number }>((resolve) => {
        const started = Date.now();
        let answered = false;
        const req = httpRequest(
          `${cluster.url}/api/big-user/tasks`,
          {
            method: "POST",
            agent: false,
            headers: { ...auth, "content-type": "application/json", ...headers },
          },
          (res) => {
            answered = true;
            res.resume();
            resolve({ status: res.statusCode, ms: Date.now() - started });
          },
        );
        req.on("error", () => {
          if (!answered) resolve({ ms: Date.now() - started });
        });
        let sent = 0;
        const write = () => {
          while (sent < 100 && !answered) {
            sent++;
            if (!req.write(megabyte)) return void req.once("drain", write);
          }
          if (!answered) req.end();
        };
        write();
      });
    const declaredLength = { "content-length": String(100 * 1024 * 1024) };
    for (const headers of [declaredLength, {}] as Record<string, string>[]) {
      const before = rssMb();
      let peak = before;
      const sampler = setInterval(() => (peak = Math.max(peak, rssMb())), 50);
      try {
        const answer = await post(headers);
        expect(answer.status).toBe(413);
        // At once: not after the request timeout (REQUEST_TIMEOUT_MS, 30 s).
        expect(answer.ms).toBeLessThan(5_000);
      } finally {
        clearInterval(sampler);
      }
      expect(peak - before).toBeLessThan(50);
    }
    expect((await send(cluster.url, "GET", "/health", {})).status).toBe(200);
  });

  it("holds 500 idle keep-alive connections and still answers", async () => {
    const cluster = await startCluster({ WEB_CONCURRENCY: "1" });
    const port = Number(new URL(cluster.url).port);
    const sockets = await Promise.all(
      Array.from(
        { length: 500 },
        () =>
          new Promise<Socket>((resolve) => {
            const socket = connect(port, "127.0.0.1", () => {
              socket.write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
              socket.once("data", () => resolve(socket));
            });
          }),
      ),
    );
    expect(sockets.every((socket) => !socket.destroyed)).toBe(true);
    expect((await send(cluster.url, "GET", "/health", {})).status).toBe(200);
    for (const socket of sockets) socket.destroy();
  });
});
