import { spawn, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { connect, type Socket } from "node:net";

import { createTestDatabase, type TestDatabase } from "@todo/db/testing";
import { SignJWT } from "jose";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";

import {
  BUILT_ENTRY_POINT,
  buildServer,
  freePort,
  runEntryPoint,
  SERVER_DIR,
} from "./entry-point.js";
import { sendRaw } from "./raw-http.js";
import { startTcpProxy, type TcpProxy } from "./tcp-proxy.js";
import { TEST_SECRET } from "./test-app.js";

// The production build as `pnpm start` runs it, with WEB_CONCURRENCY=2: a
// primary and two workers sharing the port, and the faults it must survive.
// The workers need a real PostgreSQL (the embedded one serves one process).

/**
 * The faults' sizes, in one place. `pnpm test` keeps each fault test to
 * seconds; `pnpm test:faults` (FAULTS_LONG=1) runs the same tests longer and
 * bigger. Only the issue's own bounds are timings the tests assert: a killed
 * worker replaced within 2 s, a database back in service within 5 s, a slow
 * client cut at its timeout, and the fail-fast bound of database-outage.test.ts.
 */
const LONG = process.env.FAULTS_LONG === "1";
const pick = <T>(short: T, long: T): T => (LONG ? long : short);
const FAULTS = {
  /** Worker SIGKILLs under write load. */
  kills: pick(1, 5),
  /**
   * Between two kills. In the long run more than the supervisor's 10 s of
   * healthy uptime, so each replacement starts at once (quicker crashes back
   * off, by design, past the 2 s asserted).
   */
  killEveryMs: pick(1_000, 12_000),
  /** Writers sending their next POST as soon as answered, under kill -9 and SIGTERM. */
  killWriters: pick(4, 8),
  termWriters: pick(6, 12),
  /** Write load before SIGTERM. */
  loadBeforeTermMs: pick(500, 20_000),
  /**
   * How long PostgreSQL stays unreachable, and the load around it. More than
   * twice the 2 s query timeout, so that in a black hole a writer whose
   * request was caught by it still sends one more, answered while down.
   */
  outageMs: pick(5_000, 30_000),
  loadBeforeOutageMs: pick(1_000, 10_000),
  /** Write load after the restore, beyond the 5 s recovery bound. */
  loadAfterRecoveryMs: pick(1_000, 10_000),
  /**
   * The outage's load: writers each sending a POST every interval (80 a
   * second in all), more of them than the two pools' 10 connections, so a
   * black hole also fills the pools and requests wait for a connection.
   */
  outageWriters: pick(24, 24),
  outageWriteIntervalMs: 300,
  /** Slow clients: sockets, and the request timeout they meet. */
  slowloris: pick(200, 1_000),
  slowlorisTimeoutMs: pick(2_000, 10_000),
  idleConnections: pick(500, 1_000),
  /** Vitest's bound on each test of this file. */
  testTimeoutMs: pick(60_000, 300_000),
};

/** The bounds database-outage.test.ts asserts on one process; the same with workers. */
const FAIL_FAST_MS = 2_500;
const RECOVERY_MS = 5_000;
const REPLACEMENT_MS = 2_000;

const realDatabase = process.env.TEST_DATABASE_URL !== undefined;
if (LONG && !realDatabase) {
  // Skipped, the long run would pass having tested nothing.
  throw new Error(
    "FAULTS_LONG (pnpm test:faults) needs TEST_DATABASE_URL: the workers need a real PostgreSQL",
  );
}

let database: TestDatabase;
const children: ChildProcess[] = [];
const proxies: TcpProxy[] = [];

beforeAll(async () => {
  if (!realDatabase) return;
  const [db] = await Promise.all([createTestDatabase({ migrate: false }), buildServer()]);
  database = db;
}, 180_000);
afterEach(async () => {
  for (const child of children.splice(0)) {
    for (const pid of workersOf(child.pid!)) process.kill(pid, "SIGKILL");
    if (child.exitCode === null) child.kill("SIGKILL");
  }
  await Promise.all(proxies.splice(0).map((proxy) => proxy.close()));
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

/** The production build with `env`; `nodeArgs` go to node (and, through the cluster, to each worker). */
async function startCluster(
  env: Record<string, string> = {},
  nodeArgs: string[] = [],
): Promise<Cluster> {
  const port = await freePort();
  const workers = Number(env.WEB_CONCURRENCY ?? 2);
  const primary = spawn(process.execPath, [...nodeArgs, "dist/index.js"], {
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

/** When each worker started listening, by its log line's own time (ms since the epoch). */
function listeningTimes(cluster: Cluster): number[] {
  return [...cluster.log().matchAll(/"time":"([^"]+)"[^\n]*"msg":"listening"/g)].map((match) =>
    Date.parse(match[1]!),
  );
}

/** The log lines at level error (50) or above. Matched, not parsed: workers share one pipe. */
function errorLines(cluster: Cluster): string[] {
  return cluster
    .log()
    .split("\n")
    .filter((line) => Number(/"level":(\d+)/.exec(line)?.[1] ?? 0) >= 50);
}

const token = (user: string) =>
  new SignJWT({ sub: user })
    .setProtectedHeader({ alg: "HS256" })
    .setExpirationTime("1h")
    .sign(new TextEncoder().encode(TEST_SECRET));

interface Answer {
  status?: number;
  /** The network error's code, or TIMEOUT: no answer. */
  error?: string;
  headers: IncomingHttpHeaders;
  text: string;
}

/** One request on a connection of its own; resolves with the answer, or the network error's code. */
function send(
  url: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<Answer> {
  return new Promise((resolve) => {
    const req = httpRequest(`${url}${path}`, { method, headers, agent: false }, (res) => {
      let text = "";
      res.setEncoding("utf8").on("data", (chunk: string) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, text }));
      res.on("error", (error: NodeJS.ErrnoException) =>
        resolve({ error: error.code ?? "error", headers: res.headers, text }),
      );
    });
    // A request no one answers is a failure too, not a hang.
    req.setTimeout(10_000, () =>
      req.destroy(Object.assign(new Error("timeout"), { code: "TIMEOUT" })),
    );
    req.on("error", (error: NodeJS.ErrnoException) =>
      resolve({ error: error.code ?? error.message, headers: {}, text: "" }),
    );
    req.end(body);
  });
}

/** One POST of a write load: its unique title, when it was sent and answered, and the answer. */
interface Write extends Answer {
  title: string;
  /** performance.now() when sent and when answered (or failed). */
  sentAt: number;
  answeredAt: number;
  /** The created task's id, on a 201. */
  id?: string;
}

/**
 * Writers creating tasks, each with a title of its own, until `until()` is
 * true; each writer sends its next POST once answered, and at most one every
 * `intervalMs` (0: at once). Every write, its acknowledged ids, and the
 * status or network error of every other answer.
 */
async function writeUntil(
  url: string,
  user: string,
  until: () => boolean,
  { writers, intervalMs = 0 }: { writers: number; intervalMs?: number },
) {
  const auth = { authorization: `Bearer ${await token(user)}`, "content-type": "application/json" };
  const writes: Write[] = [];
  await Promise.all(
    Array.from({ length: writers }, async (_, writer) => {
      for (let n = 0; !until(); n++) {
        const title = `${user} ${writer}-${n}`;
        const sentAt = performance.now();
        const res = await send(url, "POST", `/api/${user}/tasks`, auth, JSON.stringify({ title }));
        const write: Write = { ...res, title, sentAt, answeredAt: performance.now() };
        if (res.status === 201) write.id = (JSON.parse(res.text) as { id: string }).id;
        writes.push(write);
        const wait = sentAt + intervalMs - performance.now();
        if (wait > 0 && !until()) await sleep(wait);
      }
    }),
  );
  return {
    writes,
    acked: writes.flatMap((write) => (write.id === undefined ? [] : [write.id])),
    failures: writes.flatMap((write) =>
      write.status === 201 ? [] : [write.error ?? String(write.status)],
    ),
  };
}

/** The user's tasks in the database, read directly (not through the server). */
async function storedTasks(user: string): Promise<Array<{ id: string; title: string }>> {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: string; title: string }>(
      "SELECT id, title FROM tasks WHERE user_id = $1",
      [user],
    );
    return rows;
  } finally {
    await client.end();
  }
}

async function storedIds(user: string): Promise<Set<string>> {
  return new Set((await storedTasks(user)).map((task) => task.id));
}

describe.skipIf(!realDatabase)("WEB_CONCURRENCY=2", { timeout: FAULTS.testTimeoutMs }, () => {
  it(`serves from two workers; one killed with SIGKILL under write load (${FAULTS.kills}×) is replaced within 2 s, and every acknowledged write is stored`, async () => {
    const cluster = await startCluster();
    expect(workersOf(cluster.primary.pid!)).toHaveLength(2);

    let done = false;
    const load = writeUntil(cluster.url, "kill-user", () => done, { writers: FAULTS.killWriters });
    const replacedInMs: number[] = [];
    try {
      for (let kill = 1; kill <= FAULTS.kills; kill++) {
        await sleep(FAULTS.killEveryMs / 2);
        const workers = workersOf(cluster.primary.pid!);
        expect(workers).toHaveLength(2);
        const killedAt = Date.now();
        process.kill(workers[0]!, "SIGKILL");
        // Its replacement: a "listening" line stamped after the kill. Its own
        // time, not when the test reads it: the production log is written in
        // batches, up to a second late. Waited for generously; the 2 s is
        // asserted below.
        let listeningAt: number | undefined;
        while (
          (listeningAt = listeningTimes(cluster).find((time) => time >= killedAt)) === undefined
        ) {
          if (Date.now() - killedAt > 10_000) throw new Error(`no replacement:\n${cluster.log()}`);
          await sleep(20);
        }
        replacedInMs.push(listeningAt - killedAt);
        await sleep(FAULTS.killEveryMs / 2);
      }
    } finally {
      done = true;
    }
    const { acked, failures } = await load;

    console.info(`kill -9 ×${FAULTS.kills}: replaced in ${replacedInMs.join(", ")} ms`);
    const starts = cluster
      .log()
      .split("\n")
      .filter((line) => /worker died|"listening"/.test(line));
    expect(
      replacedInMs.filter((ms) => ms >= REPLACEMENT_MS),
      starts.join("\n"),
    ).toEqual([]);
    expect(workersOf(cluster.primary.pid!)).toHaveLength(2);
    // The primary's log is written in batches too: its lines may come a second late.
    const deaths = () => cluster.log().match(/worker died; starting another/g)?.length ?? 0;
    for (const waitUntil = Date.now() + 5_000; deaths() < FAULTS.kills && Date.now() < waitUntil;) {
      await sleep(50);
    }
    expect(deaths()).toBe(FAULTS.kills);
    // The other worker keeps answering: only the requests in flight on the
    // killed one can fail, one per writer and kill at most: reset, or (a
    // connection the primary was handing to it) never answered.
    expect(failures.length).toBeLessThanOrEqual(FAULTS.killWriters * FAULTS.kills);
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
        await sleep(100);
      }
    })();
    const load = writeUntil(cluster.url, "term-user", () => !inRotation, {
      writers: FAULTS.termWriters,
    });
    await sleep(FAULTS.loadBeforeTermMs);
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

  it("answers what the HTTP parser refuses in JSON, from each worker", async () => {
    const cluster = await startCluster();
    // Connections go to the workers in turn: four of each reach both.
    for (let i = 0; i < 4; i++) {
      const nul = await sendRaw(
        cluster.url,
        "GET /health HTTP/1.1\r\nHost: a\r\nX-Note: \0\r\n\r\n",
      );
      expect([nul.status, JSON.parse(nul.body)]).toEqual([400, { detail: "Bad request" }]);
      const long = await sendRaw(
        cluster.url,
        `GET /health?${"x".repeat(17_000)} HTTP/1.1\r\nHost: a\r\n\r\n`,
      );
      expect([long.status, JSON.parse(long.body)]).toEqual([
        431,
        { detail: "Request header fields too large" },
      ]);
    }
    expect(errorLines(cluster)).toEqual([]);
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

  it("logs a refused CORS origin once for the server, not once per worker", async () => {
    const cluster = await startCluster();
    const origin = "https://refused.example.com";
    const refusals = () =>
      cluster
        .log()
        .split("\n")
        .filter((line) => line.includes(`"origin":"${origin}"`));
    // A connection of its own each: the primary hands them to the workers in turn.
    for (let i = 0; i < 6; i++) {
      const res = await send(cluster.url, "OPTIONS", "/api/alice/tasks", {
        origin,
        "access-control-request-method": "GET",
      });
      expect(res.headers["access-control-allow-origin"]).toBeUndefined();
    }
    // The production log is written in batches, up to a second late.
    await expect.poll(() => refusals().length, { timeout: 5_000, interval: 50 }).toBeGreaterThan(0);
    await sleep(2_000);
    expect(refusals()).toHaveLength(1);
    expect(refusals()[0]).toContain("CORS_ORIGINS");
  });
});

/** A write's outcome, for a failed assertion's message. */
describe.skipIf(!realDatabase)("when workers die", { timeout: FAULTS.testTimeoutMs }, () => {
  it("all at once, and their replacements too: new ones listen, and the primary neither exits nor stops serving", async () => {
    const cluster = await startCluster();
    // Twice: the second time, deaths in quick succession have grown the
    // restart delay, so for a while no worker runs and none is being started.
    for (let round = 1; round <= 2; round++) {
      const workers = workersOf(cluster.primary.pid!);
      expect(workers).toHaveLength(2);
      const killedAt = Date.now();
      for (const pid of workers) process.kill(pid, "SIGKILL");
      // Two "listening" lines stamped after the kills: both replaced.
      while (listeningTimes(cluster).filter((time) => time >= killedAt).length < 2) {
        if (cluster.primary.exitCode !== null) {
          throw new Error(`the primary exited with ${cluster.primary.exitCode}:\n${cluster.log()}`);
        }
        if (Date.now() - killedAt > 30_000) throw new Error(`not replaced:\n${cluster.log()}`);
        await sleep(50);
      }
    }
    expect(cluster.primary.exitCode).toBeNull();
    expect(workersOf(cluster.primary.pid!)).toHaveLength(2);
    expect((await fetch(`${cluster.url}/health`)).status).toBe(200);
  });

  it("before any was ready: the primary stops, exit code 1, with their one line said once", async () => {
    // DATABASE_URL answers the primary's check, then refuses every
    // connection: the workers cannot start. Migrations run over
    // DIRECT_DATABASE_URL, past the proxy.
    const target = new URL(database.directUrl);
    const proxy = await startTcpProxy(
      { host: target.hostname, port: Number(target.port || 5432) },
      { acceptOnly: 1 },
    );
    proxies.push(proxy);
    const exit = await runEntryPoint(
      {
        NODE_ENV: "production",
        WEB_CONCURRENCY: "2",
        PORT: String(await freePort()),
        BETTER_AUTH_SECRET: TEST_SECRET,
        DATABASE_URL: proxy.rewrite(database.directUrl),
        DIRECT_DATABASE_URL: database.directUrl,
      },
      { script: BUILT_ENTRY_POINT, timeoutMs: 60_000 },
    );
    expect({ code: exit.code, stderr: exit.stderr }).toEqual({
      code: 1,
      stderr:
        `Cannot start: DATABASE_URL points at 127.0.0.1:${proxy.port}, where no PostgreSQL is ` +
        "listening (connection refused). Start PostgreSQL there, correct the host or port, " +
        "or unset DATABASE_URL to use the embedded database.\n",
    });
    // The workers were started, and did not start: the line is theirs.
    expect(exit.stdout).toContain('"msg":"started the workers"');
    expect(exit.stdout).toContain('"msg":"worker could not start; no worker could"');
    expect(exit.elapsedMs).toBeLessThan(30_000);
  });
});

const summary = (write: Write) =>
  `${write.title}: ${write.status ?? write.error} after ${Math.round(write.answeredAt - write.sentAt)} ms`;

const outages = [
  { name: "cut", breakIt: (proxy: TcpProxy) => proxy.cut() },
  { name: "black-holed", breakIt: (proxy: TcpProxy) => proxy.blackHole() },
];

describe.skipIf(!realDatabase)(
  "PostgreSQL unreachable under write load, WEB_CONCURRENCY=2",
  { timeout: FAULTS.testTimeoutMs },
  () => {
    it.each(outages)(
      `the connection $name for ${FAULTS.outageMs / 1000} s: 503 only while down, no worker dies, recovery within 5 s, every acknowledged write stored once`,
      async ({ name, breakIt }) => {
        // The workers reach PostgreSQL through a proxy the test breaks. The
        // primary migrates through it at start, while it forwards.
        const target = new URL(database.url);
        const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port) });
        proxies.push(proxy);
        const cluster = await startCluster({ DATABASE_URL: proxy.rewrite(database.url) });
        const workers = workersOf(cluster.primary.pid!).sort();
        expect(workers).toHaveLength(2);
        const user = `outage-${name}`;

        let done = false;
        const load = writeUntil(cluster.url, user, () => done, {
          writers: FAULTS.outageWriters,
          intervalMs: FAULTS.outageWriteIntervalMs,
        });
        let brokeAt = Infinity;
        let restoredAt = Infinity;
        try {
          await sleep(FAULTS.loadBeforeOutageMs);
          brokeAt = performance.now();
          await breakIt(proxy);
          await sleep(FAULTS.outageMs);
          await proxy.restore();
          restoredAt = performance.now();
          // Past the recovery bound, to see every worker serve again.
          await sleep(RECOVERY_MS + FAULTS.loadAfterRecoveryMs);
        } finally {
          done = true;
        }
        const { writes } = await load;

        // Every write is answered, 201 or 503: no reset, no 500, no hang (a
        // request unanswered for 10 s fails as TIMEOUT).
        expect(writes.filter((w) => w.status !== 201 && w.status !== 503).map(summary)).toEqual([]);
        // Every 503 within the fail-fast bound, in the contract's shape. (A
        // 201 has no bound here: on a loaded machine a write may wait for a
        // connection and then for its query, each up to the 2 s timeout.)
        const unavailable = writes.filter((w) => w.status === 503);
        expect(
          unavailable.filter((w) => w.answeredAt - w.sentAt >= FAIL_FAST_MS).map(summary),
        ).toEqual([]);
        const contractual = (w: Write) =>
          /^\d+$/.test(String(w.headers["retry-after"])) &&
          JSON.stringify(JSON.parse(w.text)) === JSON.stringify({ detail: "Service unavailable" });
        expect(unavailable.filter((w) => !contractual(w)).map(summary)).toEqual([]);

        // 503 only while down: every write answered before the break is a
        // 201; every one sent after it and answered before the restore is a
        // 503; every one sent once the recovery bound has passed is a 201.
        const before = writes.filter((w) => w.answeredAt < brokeAt);
        const down = writes.filter((w) => w.sentAt > brokeAt && w.answeredAt < restoredAt);
        const after = writes.filter((w) => w.sentAt > restoredAt + RECOVERY_MS);
        expect(before.length).toBeGreaterThan(10);
        expect(down.length).toBeGreaterThan(0);
        expect(after.length).toBeGreaterThan(10);
        expect(before.filter((w) => w.status !== 201).map(summary)).toEqual([]);
        expect(down.filter((w) => w.status !== 503).map(summary)).toEqual([]);
        expect(after.filter((w) => w.status !== 201).map(summary)).toEqual([]);
        // Recovery: from the restore to the first 201 of a write sent after it.
        const recoveredAt = Math.min(
          ...writes
            .filter((w) => w.sentAt >= restoredAt && w.status === 201)
            .map((w) => w.answeredAt),
        );
        expect(recoveredAt - restoredAt).toBeLessThan(RECOVERY_MS);

        // No worker died, and nothing was logged as an error.
        expect(workersOf(cluster.primary.pid!).sort()).toEqual(workers);
        expect(cluster.log()).not.toContain("worker died");
        expect(errorLines(cluster)).toEqual([]);

        // Acknowledged = stored: every 201's task is in the database, once,
        // under its id; nothing is stored that was not sent, nor twice.
        const stored = await storedTasks(user);
        const sent = new Map(writes.map((w) => [w.title, w]));
        expect(stored.filter((task) => !sent.has(task.title))).toEqual([]);
        expect(new Set(stored.map((task) => task.title)).size).toBe(stored.length);
        const storedId = new Map(stored.map((task) => [task.title, task.id]));
        expect(
          writes.filter((w) => w.id !== undefined && storedId.get(w.title) !== w.id).map(summary),
        ).toEqual([]);
        // Stored without a 201: only writes whose outcome neither the client
        // nor the server could know. A 503 says the server could not confirm
        // the write, not that it was not made: a write that reached
        // PostgreSQL before a cut may be committed with its answer lost; in a
        // black hole, the bytes held are delivered at the restore (as TCP
        // delivers them when a partition heals), after the server gave up.
        const reachedPostgres = name === "cut" ? brokeAt : restoredAt;
        const unacked = stored.map((task) => sent.get(task.title)!).filter((w) => w.status !== 201);
        expect(
          unacked.filter((w) => !(w.status === 503 && w.sentAt < reachedPostgres)).map(summary),
        ).toEqual([]);

        console.info(
          `outage (${name}, ${FAULTS.outageMs} ms): ${writes.length} writes, ${writes.length - unavailable.length} acknowledged, ` +
            `${unavailable.length} answered 503 (slowest ${Math.round(Math.max(...unavailable.map((w) => w.answeredAt - w.sentAt)))} ms), ` +
            `${unacked.length} of them stored; first 201 ${Math.round(recoveredAt - restoredAt)} ms after the restore`,
        );
      },
    );
  },
);

describe.skipIf(!realDatabase)("slow clients", { timeout: FAULTS.testTimeoutMs }, () => {
  it(`${FAULTS.slowloris} slowloris sockets do not stop a normal client, and are cut at REQUEST_TIMEOUT_MS (within 2.5 s of it)`, async () => {
    const timeoutMs = FAULTS.slowlorisTimeoutMs;
    const cluster = await startCluster({
      WEB_CONCURRENCY: "1",
      REQUEST_TIMEOUT_MS: String(timeoutMs),
    });
    const port = Number(new URL(cluster.url).port);
    let open = FAULTS.slowloris;
    // Each socket's life, from its connection (not from the first socket's:
    // a thousand connections take a while to be accepted) to the server's cut.
    const slowlorisLives = Promise.all(
      Array.from(
        { length: FAULTS.slowloris },
        () =>
          new Promise<number>((resolve) => {
            let connectedAt: number | undefined;
            let drip: NodeJS.Timeout | undefined;
            const socket = connect(port, "127.0.0.1", () => {
              connectedAt = performance.now();
              socket.write("GET /health HTTP/1.1\r\nHost: x\r\n");
              drip = setInterval(() => socket.write("X-Slow: 1\r\n"), 300);
            });
            socket.on("error", () => undefined);
            // One that never connected lived 0 ms: a failure, not a hang.
            socket.on("close", () => {
              clearInterval(drip);
              open--;
              resolve(connectedAt === undefined ? 0 : performance.now() - connectedAt);
            });
          }),
      ),
    );
    // The normal client, asking every 200 ms while the slow ones hold on.
    const normal: Array<number | string | undefined> = [];
    const started = performance.now();
    while (open > 0 && performance.now() - started < timeoutMs + 20_000) {
      const res = await send(cluster.url, "GET", "/health", {});
      normal.push(res.status ?? res.error);
      await sleep(200);
    }
    const lives = await slowlorisLives;

    expect(normal.length).toBeGreaterThan(0);
    expect(normal.filter((status) => status !== 200)).toEqual([]);
    expect(Math.min(...lives)).toBeGreaterThanOrEqual(timeoutMs - 100);
    expect(Math.max(...lives)).toBeLessThan(timeoutMs + 2_500);
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

  it(`holds ${FAULTS.idleConnections} idle keep-alive connections and still answers`, async () => {
    const cluster = await startCluster({ WEB_CONCURRENCY: "1" });
    const port = Number(new URL(cluster.url).port);
    // Each connection answered once, then left idle; checked within Node's
    // 5 s keep-alive timeout, after which the server closes idle ones. One
    // reset or never answered counts as not held, rather than hanging the
    // test. Opened 250 at a time: a burst past the listen backlog (511)
    // would test the kernel's SYN queue, not the server.
    const connections: Array<{ socket: Socket; answered: boolean }> = [];
    while (connections.length < FAULTS.idleConnections) {
      const batch = Math.min(250, FAULTS.idleConnections - connections.length);
      connections.push(
        ...(await Promise.all(
          Array.from(
            { length: batch },
            () =>
              new Promise<{ socket: Socket; answered: boolean }>((resolve) => {
                const socket = connect(port, "127.0.0.1", () => {
                  socket.write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
                });
                const settle = (answered: boolean) => resolve({ socket, answered });
                socket.once("data", () => settle(true));
                socket.once("close", () => settle(false));
                socket.on("error", () => undefined);
                setTimeout(() => settle(false), 20_000).unref();
              }),
          ),
        )),
      );
    }
    const sockets = connections.map(({ socket }) => socket);
    expect(connections.filter(({ answered }) => !answered).length).toBe(0);
    expect(sockets.filter((socket) => socket.destroyed).length).toBe(0);
    expect((await send(cluster.url, "GET", "/health", {})).status).toBe(200);
    for (const socket of sockets) socket.destroy();
  });
});

describe.skipIf(!realDatabase)(
  "a failure outside any request",
  { timeout: FAULTS.testTimeoutMs },
  () => {
    // What nothing catches (a timer's exception, a promise no one awaits) ends
    // the process: one fatal JSON line, exit code 1, and the supervisor (the
    // cluster's primary, systemd, Docker) starts a clean one. SIGUSR2 makes the
    // process it is sent to fail so (test/fixtures/fail-outside-requests.mjs).
    const failOnSignal = ["--import", join(SERVER_DIR, "test/fixtures/fail-outside-requests.mjs")];
    const fatalLines = (cluster: Cluster) =>
      cluster
        .log()
        .split("\n")
        .filter((line) => line.includes('"level":60'))
        .map((line) => JSON.parse(line) as { msg: string; err: { message: string } });

    it.each([
      [
        "an unhandled rejection",
        "rejection",
        "unhandled promise rejection: exiting",
        "rejected outside any request",
      ],
      [
        "an uncaught exception",
        "exception",
        "uncaught exception: exiting",
        "thrown outside any request",
      ],
    ])("%s logs one fatal JSON line and exits 1", async (_name, kind, msg, message) => {
      const server = await startCluster(
        { WEB_CONCURRENCY: "1", FAIL_OUTSIDE_REQUESTS: kind },
        failOnSignal,
      );
      const exited = new Promise<number | null>((resolve) => server.primary.once("exit", resolve));
      server.primary.kill("SIGUSR2");
      expect(await exited).toBe(1);
      expect(fatalLines(server)).toEqual([
        expect.objectContaining({ msg, err: expect.objectContaining({ message }) }),
      ]);
    });

    it("in a worker: the worker exits 1, the primary replaces it, and the server serves meanwhile", async () => {
      const cluster = await startCluster({}, failOnSignal);
      const [failing, other] = workersOf(cluster.primary.pid!);
      process.kill(failing!, "SIGUSR2");
      // Waited for generously: this asserts what happens, not how fast.
      const generously = { timeout: 20_000, interval: 20 };
      await vi.waitFor(
        () => expect(workersOf(cluster.primary.pid!)).not.toContain(failing),
        generously,
      );
      expect((await send(cluster.url, "GET", "/health", {})).status).toBe(200);
      // The primary's lines are written in batches: they may come a second late.
      const died = await vi.waitFor(() => {
        const line = cluster
          .log()
          .split("\n")
          .find((text) => text.includes("worker died"));
        expect(line).toBeDefined();
        return JSON.parse(line!) as Record<string, unknown>;
      }, generously);
      expect(died).toMatchObject({ pid: failing, code: 1 });
      expect(fatalLines(cluster)).toEqual([
        expect.objectContaining({ msg: "unhandled promise rejection: exiting" }),
      ]);
      await vi.waitFor(() => expect(workersOf(cluster.primary.pid!)).toHaveLength(2), generously);
      expect(workersOf(cluster.primary.pid!)).toContain(other);
      expect(cluster.primary.exitCode).toBeNull();
    });
  },
);
