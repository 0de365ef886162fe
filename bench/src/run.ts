// `pnpm bench`: builds the server, creates and seeds a database, starts the
// server and the baseline, loads them in alternating rounds, and reports.
// Every child process and the database are removed however it ends.
import { randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";

import {
  applyProjectMigrations,
  createBenchDatabase,
  postgresVersion,
  type BenchDatabase,
} from "./bench-database.js";
import {
  parseBenchOptions,
  TASKS_PER_USER,
  USAGE,
  USER_COUNT,
  type BenchOptions,
} from "./cli-options.js";
import { signHs256Token } from "./hs256-token.js";
import { runLoadWorker, type LoadResult } from "./load-run.js";
import { checkBaselineListMatchesServer, checkScenario } from "./preflight.js";
import { buildServer } from "./production-build.js";
import { formatProfileSummary, summarizeCpuProfile } from "./profile-summary.js";
import {
  checkTargets,
  resultsMarkdown,
  resultsTable,
  summarize,
  targetsTable,
  cpuPerRequestUs,
  type Round,
} from "./report.js";
import {
  postgresCpuSpentMs,
  readCpuMs,
  readMemoryKb,
  readPostgresCpuMs,
  sampleRss,
} from "./rss-sampler.js";
import {
  SCENARIO_NAMES,
  scenario as scenarioNamed,
  type BenchUser,
  type Scenario,
} from "./scenarios.js";
import { seedTasks } from "./seed.js";
import {
  logTail,
  startBaselineServer,
  startTodoServer,
  type HttpProcess,
} from "./server-process.js";
import { Teardown } from "./teardown.js";

const BENCH_DIR = resolve(import.meta.dirname, "..");
const REPO_ROOT = resolve(BENCH_DIR, "..");
const LOG_DIR = join(BENCH_DIR, "logs");
const PROFILE_DIR = join(BENCH_DIR, "profiles");
const DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres";
const TOKEN_TTL_SECONDS = 6 * 3600;

const teardown = new Teardown();
const stopLoad = new AbortController();
let interrupted = false;

function step(message: string): void {
  console.log(`▸ ${message}`);
}

async function timed<T>(message: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await work();
  step(`${message} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  return result;
}

async function prepareDatabase(): Promise<{
  db: BenchDatabase;
  users: BenchUser[];
  secret: string;
}> {
  const serverUrl = process.env.BENCH_DATABASE_URL ?? DEFAULT_POSTGRES;
  const db = await createBenchDatabase(serverUrl);
  teardown.add(`drop database ${db.name}`, db.drop);
  step(`created database ${db.name} on ${new URL(serverUrl).host}`);
  await timed("applied the migrations", () => applyProjectMigrations(REPO_ROOT, db.url));
  const seeded = await timed(`seeded ${USER_COUNT} users × ${TASKS_PER_USER} tasks`, () =>
    seedTasks(db.url, { userCount: USER_COUNT, tasksPerUser: TASKS_PER_USER }),
  );
  // 48 characters, as a real BETTER_AUTH_SECRET.
  const secret = randomBytes(36).toString("base64url");
  const users = seeded.map((user) => ({
    ...user,
    token: signHs256Token(secret, { sub: user.id, ttlSeconds: TOKEN_TTL_SECONDS }),
  }));
  return { db, users, secret };
}

async function startProcess(start: () => Promise<HttpProcess>): Promise<HttpProcess> {
  const child = await start();
  teardown.add(`stop the ${child.label}`, child.stop);
  step(
    `${child.label} up: pid ${child.pid}, ${child.url}, healthy ${child.startupMs.toFixed(0)} ms after spawn (log: ${child.logFile})`,
  );
  return child;
}

async function measureRound(
  options: BenchOptions,
  scenario: Scenario,
  target: HttpProcess,
  users: BenchUser[],
  round: number,
): Promise<Round> {
  const rss = sampleRss(target.pid);
  let cpuAtStart = readCpuMs(target.pid);
  let dbCpuAtStart = readPostgresCpuMs();
  let load: LoadResult;
  let peakRssMb: number;
  try {
    load = await runLoadWorker(
      BENCH_DIR,
      {
        url: target.url,
        scenario: scenario.name,
        connections: options.connections,
        warmupSeconds: round === 1 ? options.warmupSeconds : 0,
        durationSeconds: options.durationSeconds,
        users: users.slice(0, options.connections),
      },
      stopLoad.signal,
      () => {
        cpuAtStart = readCpuMs(target.pid);
        dbCpuAtStart = readPostgresCpuMs();
      },
    );
  } finally {
    peakRssMb = rss.stop();
  }
  const cpuAtEnd = readCpuMs(target.pid);
  const dbCpuAtEnd = readPostgresCpuMs();
  const cpuMs = cpuAtStart !== undefined && cpuAtEnd !== undefined ? cpuAtEnd - cpuAtStart : NaN;
  const dbCpuMs = postgresCpuSpentMs(dbCpuAtStart, dbCpuAtEnd);
  const died = target.exitReason();
  const errors = load.errors + load.non2xx;
  if (died || errors > 0) {
    throw new Error(
      `${scenario.name} against the ${target.label}, round ${round}: ` +
        (died ? `${died}. ` : "") +
        `${load.non2xx} non-2xx answers and ${load.errors} socket errors/timeouts ` +
        `(answers by status: ${JSON.stringify(load.statusCodes)}). First failures:\n  ` +
        `${load.failures.join("\n  ") || "(none recorded)"}\nLast lines of ${target.logFile}:\n${logTail(target.logFile, 5)}`,
    );
  }
  step(
    `${scenario.name.padEnd(18)} ${target.label.padEnd(8)} round ${round}: ` +
      `${load.requestsPerSecond.toFixed(0).padStart(6)} req/s  p50 ${load.p50Ms.toFixed(1)} ms  ` +
      `p99 ${load.p99Ms.toFixed(1)} ms  CPU ${cpuPerRequestUs(cpuMs, load).toFixed(0)} µs/req  ` +
      `PostgreSQL ${cpuPerRequestUs(dbCpuMs, load).toFixed(0)} µs/req  ` +
      `RSS ${peakRssMb.toFixed(0)} MB`,
  );
  return { scenario: scenario.name, target: target.label, round, load, peakRssMb, cpuMs, dbCpuMs };
}

/** Server and baseline take turns (A B A B …), so drift on a shared machine falls on both. */
async function runScenario(
  options: BenchOptions,
  scenario: Scenario,
  server: HttpProcess,
  baseline: HttpProcess | undefined,
  users: BenchUser[],
): Promise<Round[]> {
  const targets = scenario.baseline && baseline ? [server, baseline] : [server];
  const user = users[0]!;
  for (const target of targets) await checkScenario(target.label, target.url, scenario, user);
  if (scenario.name === "rest-list" && baseline) {
    await checkBaselineListMatchesServer(server.url, baseline.url, scenario, user);
  }
  const rounds: Round[] = [];
  for (let round = 1; round <= options.rounds; round++) {
    for (const target of targets)
      rounds.push(await measureRound(options, scenario, target, users, round));
  }
  return rounds;
}

/** The main thread's profile (`CPU.<date>.<time>.<pid>.0.<seq>`), not a loader thread's. */
function newestProfileOf(pid: number): string | undefined {
  const name = readdirSync(PROFILE_DIR)
    .filter((file) => file.endsWith(".cpuprofile") && file.includes(`.${pid}.0.`))
    .sort()
    .at(-1);
  return name && join(PROFILE_DIR, name);
}

async function bench(options: BenchOptions): Promise<void> {
  if (options.build) {
    await timed("built the server (turbo, cached when unchanged)", () => buildServer(REPO_ROOT));
  }
  teardown.add("stop the load worker", async () => stopLoad.abort());
  const { db, users, secret } = await prepareDatabase();
  mkdirSync(LOG_DIR, { recursive: true });
  if (options.profile) mkdirSync(PROFILE_DIR, { recursive: true });

  const scenarios = options.scenarios.map(scenarioNamed);
  const settings = { databaseUrl: db.url, secret, logDir: LOG_DIR };
  const profiling = options.profile ? { profileDir: PROFILE_DIR } : {};
  const server = await startProcess(() =>
    startTodoServer(REPO_ROOT, { ...settings, ...profiling }),
  );
  const idleRssMb = (readMemoryKb(server.pid, "VmRSS") ?? 0) / 1024;
  const baseline = scenarios.some((s) => s.baseline)
    ? await startProcess(() => startBaselineServer(BENCH_DIR, { ...settings, ...profiling }))
    : undefined;

  step(
    `load: ${options.connections} keep-alive connections (one user each), ` +
      `${options.warmupSeconds} s warm-up, ${options.durationSeconds} s × ${options.rounds} round(s)`,
  );
  const rounds: Round[] = [];
  for (const scenario of scenarios) {
    rounds.push(...(await runScenario(options, scenario, server, baseline, users)));
  }

  // The server writes its CPU profile as it exits.
  await server.stop();
  await baseline?.stop();

  const results = summarize(scenarios, rounds);
  const checks = checkTargets(results, server.startupMs);
  console.log(`\n${resultsTable(results)}\n\n${targetsTable(checks)}\n`);
  if (options.smoke) {
    console.log(
      "smoke run: 1-second rounds with no warm-up check the harness; they measure nothing.",
    );
  }
  console.log(
    `start → first 200 on /health: ${server.startupMs.toFixed(0)} ms; ` +
      `server RSS when idle after start: ${idleRssMb.toFixed(0)} MB`,
  );

  if (options.profile) {
    for (const [label, process] of [
      ["server", server],
      ["baseline", baseline],
    ] as const) {
      if (!process) continue;
      const file = newestProfileOf(process.pid);
      if (!file) throw new Error(`the ${label} wrote no CPU profile in ${PROFILE_DIR}`);
      console.log(`\nCPU profile of the ${label}: ${file}`);
      console.log(formatProfileSummary(summarizeCpuProfile(file, REPO_ROOT)));
    }
  }

  const complete = scenarios.length === SCENARIO_NAMES.length;
  if (options.smoke || options.profile || !complete) {
    console.log(
      "RESULTS.md not written (only a full run of every scenario without --profile writes it).",
    );
    return;
  }
  const markdown = resultsMarkdown(
    {
      date: new Date().toISOString(),
      command: options.command,
      nproc: availableParallelism(),
      cpu: cpus()[0]?.model.trim() ?? "unknown CPU",
      memoryGb: totalmem() / 1024 ** 3,
      node: process.version,
      postgres: await postgresVersion(process.env.BENCH_DATABASE_URL ?? DEFAULT_POSTGRES),
      load:
        `autocannon in a separate process, ${options.connections} keep-alive connections (one user each), ` +
        `${options.warmupSeconds} s warm-up, then ${options.rounds} rounds of ${options.durationSeconds} s per process, ` +
        `server and baseline alternating`,
      data: `${USER_COUNT} users × ${TASKS_PER_USER} tasks`,
      startupMs: server.startupMs,
      idleRssMb,
    },
    results,
    checks,
    rounds,
  );
  writeFileSync(join(BENCH_DIR, "RESULTS.md"), markdown);
  console.log(`wrote ${join(BENCH_DIR, "RESULTS.md")}`);
}

async function main(): Promise<number> {
  let options: BenchOptions | undefined;
  try {
    options = parseBenchOptions(process.argv.slice(2));
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return 2;
  }
  if (!options) {
    console.log(USAGE);
    return 0;
  }
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      interrupted = true;
      console.error(`\n${signal}: stopping the children and dropping the database…`);
      void teardown.run().finally(() => process.exit(130));
    });
  }
  try {
    await bench(options);
    return 0;
  } catch (error) {
    if (interrupted) return 130;
    console.error(`\nbench failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    await teardown.run();
  }
}

process.exit(await main());
