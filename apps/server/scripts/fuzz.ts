// `pnpm fuzz`: the hostile requests of test/fuzz.test.ts, by the ten
// thousand, over HTTP against the production build (dist/, started as
// `pnpm start` would, with WEB_CONCURRENCY workers), one at a time: first
// one of each kind, then drawn from the seed. Prints what was sent, statuses
// by class, the 5xx, the crashes (every worker death the server's own log
// reports, and every exit of the server itself) and the kinds reached; exits
// non-zero on any 5xx, crash, answer outside the contract, refused request
// that changed a row, error line in the server's log, or a server that does
// not answer /health after the last request or stop cleanly. Options:
//   --requests <n>  how many (default 10000)     --seed <n>  (default: random, printed)
//   --workers <n>   WEB_CONCURRENCY (default 2; 1 runs one process)
// The database is a fresh one on TEST_DATABASE_URL, else an embedded PGlite
// (which serves one process: --workers 1).
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

import { createTestDatabase } from "@todo/db/testing";
import fc from "fast-check";
import { SignJWT } from "jose";
import pg from "pg";

import {
  coverageOf,
  hostileRequests,
  kindsToReach,
  oneOfEachKind,
  responseProblem,
  send,
  type FuzzTokens,
  type FuzzWorld,
  type HostileRequest,
} from "../test/fuzz/hostile-requests.js";

const serverDir = fileURLToPath(new URL("..", import.meta.url));
const { values } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== "--"),
  options: {
    requests: { type: "string", default: "10000" },
    seed: { type: "string" },
    workers: { type: "string", default: "2" },
  },
});
const total = Number(values.requests);
const workers = Number(values.workers);
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);

if (!existsSync(`${serverDir}/dist/index.js`)) {
  console.error("fuzz: no build of the server; run `pnpm fuzz` from the repository root");
  process.exit(1);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

const secret = randomBytes(32).toString("base64url");
const port = await freePort();
const url = `http://127.0.0.1:${port}`;
const database = await createTestDatabase();

/** A request as a line of at most 600 characters, for the report. */
const shown = (request: unknown) => {
  const text = JSON.stringify(request);
  return text.length <= 600 ? text : `${text.slice(0, 600)}… (${text.length} characters)`;
};

const problems: string[] = [];
const report = (problem: string) => {
  if (problems.length < 30) problems.push(problem);
};
/** The requests sent so far, the last few kept to say what a crash followed. */
let sent = 0;
const recent: HostileRequest[] = [];
const lastSent = () =>
  recent.map((request, i) => `  #${sent - recent.length + i + 1} ${shown(request)}`).join("\n");

/** What the server's log said that a run must not see: worker deaths and errors. */
let workerDeaths = 0;
let serverExits = 0;
let errorLines = 0;
function readLog(line: string): void {
  let entry: { level?: number; msg?: string };
  try {
    entry = JSON.parse(line) as typeof entry;
  } catch {
    return;
  }
  if ((entry.level ?? 0) < 50) return;
  // A line said after request #n (the log is written in batches, up to a second late).
  const said = `after request #${sent}: ${line.slice(0, 1_000)}`;
  if (entry.msg?.startsWith("worker died")) {
    workerDeaths++;
    report(`a worker died ${said}\n${lastSent()}`);
  } else {
    errorLines++;
    report(`the server logged an error ${said}\n${lastSent()}`);
  }
}

let server: ChildProcess | undefined;
let stderr = "";
async function startServer(): Promise<void> {
  stderr = "";
  const started = spawn(process.execPath, ["dist/index.js"], {
    cwd: serverDir,
    env: {
      ...process.env,
      NODE_ENV: "production",
      PORT: String(port),
      HOST: "127.0.0.1",
      DATABASE_URL: database.url,
      BETTER_AUTH_SECRET: secret,
      WEB_CONCURRENCY: String(workers),
      LOG_LEVEL: "error",
      SHUTDOWN_DRAIN_MS: "0",
      AUTH_RATE_LIMIT_PER_IP: "1000000",
      AUTH_RATE_LIMIT_PER_EMAIL: "1000000",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  server = started;
  createInterface({ input: started.stdout! }).on("line", readLog);
  started.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4_000);
  });
  for (let i = 0; i < 600; i++) {
    if (started.exitCode !== null) throw new Error(`the server did not start:\n${stderr}`);
    const healthy = await fetch(`${url}/health`).then(
      (res) => res.status === 200,
      () => false,
    );
    if (healthy) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("the server did not answer /health within 60 s");
}
const running = () => server?.exitCode === null && server.signalCode === null;

/** A digest of every table a refused request could write to. */
const db = new pg.Client({ connectionString: database.url });
const snapshot = async () =>
  JSON.stringify(
    (
      await db.query(`SELECT
        (SELECT md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) FROM tasks t) AS tasks,
        (SELECT md5(coalesce(string_agg(u::text, ',' ORDER BY u::text), '')) FROM users u) AS users,
        (SELECT md5(coalesce(string_agg(k::text, ',' ORDER BY k::text), '')) FROM idempotency_keys k)
          AS idempotency_keys`)
    ).rows[0],
  );

const token = (sub: string) =>
  new SignJWT({ sub })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuedAt()
    .setExpirationTime("2h")
    .sign(new TextEncoder().encode(secret));

const world: FuzzWorld = { user: "fuzz-user", otherUser: "other-user", taskIds: [] };
const tokens: FuzzTokens = {
  token: await token(world.user),
  otherToken: await token(world.otherUser),
};

const byClass = new Map<string, number>();
const count = (group: string) => byClass.set(group, (byClass.get(group) ?? 0) + 1);
const reached = new Set<string>();
try {
  await db.connect();
  await startServer();
  for (const [user, bearer] of [
    [world.user, tokens.token],
    [world.otherUser, tokens.otherToken],
  ] as const) {
    const res = await fetch(`${url}/api/${user}/tasks`, {
      method: "POST",
      headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json" },
      body: JSON.stringify({ title: "seed" }),
    });
    world.taskIds.push(((await res.json()) as { id: string }).id);
  }
  await fetch(`${url}/auth/signup`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: "fuzz@example.com", password: "a long enough password" }),
  });

  const started = Date.now();
  const tour = oneOfEachKind(world, seed).slice(0, total);
  const drawn = fc.sample(hostileRequests(world), {
    seed,
    numRuns: Math.max(0, total - tour.length),
  });
  for (const request of [...tour, ...drawn]) {
    sent++;
    recent.push(request);
    if (recent.length > 3) recent.shift();
    for (const kind of coverageOf(request)) reached.add(kind);
    const before = await snapshot();
    try {
      const answer = await send(url, request, tokens);
      count(`${Math.floor(answer.status / 100)}xx`);
      const problem = responseProblem(request, answer);
      if (problem) report(`${problem}\n  #${sent} ${shown(request)}`);
      if (answer.status >= 400 && (await snapshot()) !== before) {
        report(`a refused request (${answer.status}) changed a row\n  #${sent} ${shown(request)}`);
      }
    } catch (error) {
      count("no answer");
      if (running()) {
        report(`no answer (${String(error)})\n  #${sent} ${shown(request)}`);
        continue;
      }
      serverExits++;
      report(`the server exited:\n${stderr}\n${lastSent()}`);
      await startServer();
    }
    if (sent % 1000 === 0) console.log(`fuzz: ${sent} / ${total}`);
  }
  const seconds = (Date.now() - started) / 1000;

  const healthyAtEnd = await fetch(`${url}/health`).then(
    (res) => res.status === 200,
    () => false,
  );
  if (!healthyAtEnd) report("/health did not answer 200 after the last request");
  // Stopped, the server writes out the rest of its log: every death is counted.
  const exited = new Promise<number | null>((resolve) => server!.once("exit", resolve));
  server!.kill("SIGTERM");
  const stopCode = await exited;
  if (stopCode !== 0) report(`the server exited ${stopCode} on SIGTERM, not 0:\n${stderr}`);
  const missed = kindsToReach().filter((kind) => !reached.has(kind));
  if (missed.length > 0) report(`never reached: ${missed.join(", ")}`);

  const fiveHundreds = byClass.get("5xx") ?? 0;
  const crashes = workerDeaths + serverExits;
  const mode = workers > 1 ? `${workers} workers` : "one process";
  console.log(`\nfuzz: seed ${seed}, ${sent} requests in ${seconds.toFixed(1)} s (${mode})`);
  const statuses = [...byClass].sort().map(([group, n]) => `${group} ${n}`);
  console.log(`  statuses: ${statuses.join(", ")}`);
  console.log(`  5xx: ${fiveHundreds}`);
  console.log(`  crashes: ${crashes} (worker deaths ${workerDeaths}, server exits ${serverExits})`);
  console.log(`  error lines in the server's log: ${errorLines}`);
  console.log(
    `  kinds reached: ${kindsToReach().length - missed.length} of ${kindsToReach().length}`,
  );
  console.log(
    `  /health after the last request: ${healthyAtEnd ? 200 : "no"}; exit on SIGTERM: ${stopCode}`,
  );
  for (const problem of problems) console.log(`\n${problem}`);
  process.exitCode =
    fiveHundreds > 0 || crashes > 0 || errorLines > 0 || problems.length > 0 ? 1 : 0;
} finally {
  if (running()) {
    server!.kill("SIGTERM");
    await new Promise((resolve) => server?.once("exit", resolve));
  }
  await db.end().catch(() => undefined);
  await database.drop();
}
