// `pnpm fuzz`: the hostile requests of test/fuzz.test.ts, by the ten
// thousand, over HTTP against the production build (dist/, started as
// `pnpm start` would), one at a time. Prints what was sent, statuses by class,
// 5xx and crashes; exits non-zero on any of either. Options:
//   --requests <n>  how many (default 10000)     --seed <n>  (default: random, printed)
// The database is a fresh one on TEST_DATABASE_URL, else an embedded PGlite.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

import { createTestDatabase } from "@todo/db/testing";
import fc from "fast-check";
import { SignJWT } from "jose";

import {
  hostileRequests,
  responseProblem,
  send,
  type FuzzTokens,
  type FuzzWorld,
} from "../test/fuzz/hostile-requests.js";

const serverDir = fileURLToPath(new URL("..", import.meta.url));
const { values } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== "--"),
  options: { requests: { type: "string", default: "10000" }, seed: { type: "string" } },
});
const total = Number(values.requests);
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

let server: ChildProcess | undefined;
let stderr = "";
async function startServer(): Promise<void> {
  stderr = "";
  server = spawn(process.execPath, ["dist/index.js"], {
    cwd: serverDir,
    env: {
      ...process.env,
      NODE_ENV: "production",
      PORT: String(port),
      HOST: "127.0.0.1",
      DATABASE_URL: database.url,
      BETTER_AUTH_SECRET: secret,
      LOG_LEVEL: "error",
      AUTH_RATE_LIMIT_PER_IP: "1000000",
      AUTH_RATE_LIMIT_PER_EMAIL: "1000000",
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  server.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4_000);
  });
  for (let i = 0; i < 600; i++) {
    if (server.exitCode !== null) throw new Error(`the server did not start:\n${stderr}`);
    const healthy = await fetch(`${url}/health`).then(
      (res) => res.status === 200,
      () => false,
    );
    if (healthy) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("the server did not answer /health within 60 s");
}

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

/** A request as a line of at most 600 characters, for the report. */
const shown = (request: unknown) => {
  const text = JSON.stringify(request);
  return text.length <= 600 ? text : `${text.slice(0, 600)}… (${text.length} characters)`;
};

const byClass = new Map<string, number>();
const problems: string[] = [];
let crashes = 0;
let sent = 0;
try {
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
  const started = Date.now();
  const requests = fc.sample(hostileRequests(world), { seed, numRuns: total });
  for (const request of requests) {
    sent++;
    try {
      const { status, text } = await send(url, request, tokens);
      const group = `${Math.floor(status / 100)}xx`;
      byClass.set(group, (byClass.get(group) ?? 0) + 1);
      const problem = responseProblem(request, status, text);
      if (problem && problems.length < 20) problems.push(`${problem}\n  ${shown(request)}`);
    } catch (error) {
      if (server?.exitCode === null && server.signalCode === null) {
        byClass.set("no answer", (byClass.get("no answer") ?? 0) + 1);
        problems.push(`no answer (${String(error)})\n  ${shown(request)}`);
        continue;
      }
      crashes++;
      problems.push(`the server died:\n${stderr}\n  ${shown(request)}`);
      await startServer();
    }
    if (sent % 1000 === 0) console.log(`fuzz: ${sent} / ${total}`);
  }
  const seconds = (Date.now() - started) / 1000;
  const fiveHundreds = byClass.get("5xx") ?? 0;
  console.log(`\nfuzz: seed ${seed}, ${sent} requests in ${seconds.toFixed(1)} s`);
  for (const [group, count] of [...byClass].sort()) console.log(`  ${group}: ${count}`);
  console.log(`  5xx: ${fiveHundreds}\n  crashes: ${crashes}`);
  for (const problem of problems) console.log(`\n${problem}`);
  process.exitCode = fiveHundreds > 0 || crashes > 0 || problems.length > 0 ? 1 : 0;
} finally {
  server?.kill("SIGTERM");
  await new Promise((resolve) => server?.once("exit", resolve));
  await database.drop();
}
