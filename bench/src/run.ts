// `pnpm bench`: builds the server, creates and seeds a database, starts the
// server and the baseline (and in the workers mode a cluster beside them),
// loads them in rounds taking turns, and reports; the soak loads a fresh
// server for minutes and watches its memory. Every child process and
// database are removed however it ends.
import { randomBytes } from "node:crypto";
import { mkdirSync, readdirSync } from "node:fs";
import { availableParallelism, cpus, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";

import {
  applyProjectMigrations,
  createBenchDatabase,
  postgresVersion,
  type BenchDatabase,
} from "./bench-database.js";
import {
  CLUSTER_WORKERS,
  FULL_SOAK,
  parseBenchOptions,
  TASKS_PER_USER,
  USAGE,
  USER_COUNT,
  type BenchOptions,
  type SoakOptions,
} from "./cli-options.js";
import { signHs256Token } from "./hs256-token.js";
import { runLoadWorker, type LoadJob, type LoadResult } from "./load-run.js";
import { checkBaselineListMatchesServer, checkScenario } from "./preflight.js";
import {
  cpuSpentMs,
  goneProcesses,
  readMachineBusyMs,
  readPostgresCpuMs,
  readTreeCpuMs,
  readTreeRssMb,
  sampleRss,
  type CpuReading,
} from "./proc-readings.js";
import { buildServer } from "./production-build.js";
import { formatProfileSummary, summarizeCpuProfile } from "./profile-summary.js";
import {
  checkTargets,
  cpuPerRequestUs,
  resultsTable,
  scenariosSection,
  startupRows,
  summarize,
  TARGET_LABELS,
  targetsTable,
  type Round,
  type RunDescription,
  type Target,
} from "./report.js";
import { writeResultsSections, type ResultsSection } from "./results-file.js";
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
import {
  checkSoak,
  soakSection,
  soakSeriesLine,
  soakSummary,
  soakTable,
  type SoakResult,
} from "./soak-report.js";
import { Teardown } from "./teardown.js";
import {
  checkClusterTargets,
  headroomTable,
  workersSection,
  workersTable,
} from "./workers-report.js";

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

/** A process the rounds load, and what the report calls it. */
interface LoadTarget {
  id: Target;
  process: HttpProcess;
}

/** CPU time so far of the target's processes, of PostgreSQL for the bench, and of the machine. */
interface CpuReadings {
  at: number;
  target: CpuReading;
  postgres: CpuReading;
  machineMs: number;
}

function readCpu(pid: number, database: string): CpuReadings {
  return {
    at: performance.now(),
    target: readTreeCpuMs(pid),
    postgres: readPostgresCpuMs(database),
    machineMs: readMachineBusyMs(),
  };
}

/** What failed in a load run: the target (or one of its workers) died, or answers went wrong. */
function loadFailure(
  what: string,
  target: HttpProcess,
  load: LoadResult,
  start: CpuReadings,
  end: CpuReadings,
): string | undefined {
  const gone = goneProcesses(start.target, end.target);
  const died =
    target.exitReason() ??
    (gone.length > 0 ? `process ${gone.join(", ")} of the ${target.label} exited` : undefined);
  const errors = load.errors + load.non2xx;
  if (!died && errors === 0) return undefined;
  return (
    `${what}: ` +
    (died ? `${died}. ` : "") +
    `${load.non2xx} non-2xx answers and ${load.errors} socket errors/timeouts ` +
    `(answers by status: ${JSON.stringify(load.statusCodes)}). First failures:\n  ` +
    `${load.failures.join("\n  ") || "(none recorded)"}\nLast lines of ${target.logFile}:\n${logTail(target.logFile, 5)}`
  );
}

async function measureRound(
  options: BenchOptions,
  database: string,
  scenario: Scenario,
  target: LoadTarget,
  users: BenchUser[],
  round: number,
): Promise<Round> {
  const { pid } = target.process;
  const rss = sampleRss(pid);
  let start = readCpu(pid, database);
  let load: LoadResult;
  let peakRssMb: number;
  try {
    load = await runLoadWorker(
      BENCH_DIR,
      {
        url: target.process.url,
        scenarios: [scenario.name],
        connections: options.connections,
        warmupSeconds: round === 1 ? options.warmupSeconds : 0,
        durationSeconds: options.durationSeconds,
        users: users.slice(0, options.connections),
      },
      stopLoad.signal,
      () => (start = readCpu(pid, database)),
    );
  } finally {
    peakRssMb = rss.stop();
  }
  const end = readCpu(pid, database);
  const failure = loadFailure(
    `${scenario.name} against the ${target.process.label}, round ${round}`,
    target.process,
    load,
    start,
    end,
  );
  if (failure) throw new Error(failure);
  const measured: Round = {
    scenario: scenario.name,
    target: target.id,
    round,
    load,
    peakRssMb,
    windowSeconds: (end.at - start.at) / 1000,
    cpuMs: cpuSpentMs(start.target, end.target),
    dbCpuMs: cpuSpentMs(start.postgres, end.postgres),
    machineCpuMs: end.machineMs - start.machineMs,
  };
  const perRequest = (ms: number) => cpuPerRequestUs(ms, load).toFixed(0);
  step(
    `${scenario.name.padEnd(18)} ${TARGET_LABELS[target.id].padEnd(17)} round ${round}: ` +
      `${load.requestsPerSecond.toFixed(0).padStart(6)} req/s  p50 ${load.p50Ms.toFixed(1)} ms  ` +
      `p99 ${load.p99Ms.toFixed(1)} ms  CPU µs/req: ${perRequest(measured.cpuMs)}, ` +
      `PostgreSQL ${perRequest(measured.dbCpuMs)}, load ${perRequest(load.cpuMs)}  ` +
      `RSS ${peakRssMb.toFixed(0)} MB`,
  );
  return measured;
}

/** The targets take turns (A B C A B C …), so drift on a shared machine falls on each. */
async function runScenario(
  options: BenchOptions,
  database: string,
  scenario: Scenario,
  targets: LoadTarget[],
  users: BenchUser[],
): Promise<Round[]> {
  const user = users[0]!;
  for (const { process } of targets)
    await checkScenario(process.label, process.url, scenario, user);
  const server = targets.find((t) => t.id === "server")!.process;
  const baseline = targets.find((t) => t.id === "baseline")?.process;
  if (scenario.name === "rest-list" && baseline) {
    await checkBaselineListMatchesServer(server.url, baseline.url, scenario, user);
  }
  const rounds: Round[] = [];
  for (let round = 1; round <= options.rounds; round++) {
    for (const target of targets) {
      rounds.push(await measureRound(options, database, scenario, target, users, round));
    }
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

async function describeRun(
  options: BenchOptions,
  load: string,
  processes: string[][],
): Promise<RunDescription> {
  return {
    date: new Date().toISOString(),
    command: options.command,
    nproc: availableParallelism(),
    cpu: cpus()[0]?.model.trim() ?? "unknown CPU",
    memoryGb: totalmem() / 1024 ** 3,
    node: process.version,
    postgres: await postgresVersion(process.env.BENCH_DATABASE_URL ?? DEFAULT_POSTGRES),
    load,
    data: `${USER_COUNT} users × ${TASKS_PER_USER} tasks`,
    processes,
  };
}

/** The sections of RESULTS.md a run writes. */
type Sections = Partial<Record<ResultsSection, string>>;

/**
 * The scenarios, in rounds, against one server process and the baseline,
 * and in the workers mode a cluster of CLUSTER_WORKERS beside them.
 */
async function runScenarios(options: BenchOptions, cores: number): Promise<Sections> {
  const { db, users, secret } = await prepareDatabase();
  const scenarios = options.scenarios.map(scenarioNamed);
  const settings = { databaseUrl: db.url, secret, logDir: LOG_DIR };
  const profiling = options.profile ? { profileDir: PROFILE_DIR } : {};
  const server = await startProcess(() =>
    startTodoServer(REPO_ROOT, { ...settings, ...profiling }),
  );
  const idleRssMb = readTreeRssMb(server.pid);
  const cluster =
    options.clusterScenarios.length > 0
      ? await startProcess(() =>
          startTodoServer(REPO_ROOT, {
            ...settings,
            workers: CLUSTER_WORKERS,
            label: `server-${CLUSTER_WORKERS}-workers`,
          }),
        )
      : undefined;
  const clusterIdleRssMb = cluster ? readTreeRssMb(cluster.pid) : NaN;
  const baseline = scenarios.some((s) => s.baseline)
    ? await startProcess(() => startBaselineServer(BENCH_DIR, { ...settings, ...profiling }))
    : undefined;

  step(
    `load: ${options.connections} keep-alive connections (one user each), ` +
      `${options.warmupSeconds} s warm-up, ${options.durationSeconds} s × ${options.rounds} round(s)`,
  );
  const rounds: Round[] = [];
  for (const scenario of scenarios) {
    const targets: LoadTarget[] = [{ id: "server", process: server }];
    if (cluster && options.clusterScenarios.includes(scenario.name)) {
      targets.push({ id: "cluster", process: cluster });
    }
    if (baseline && scenario.baseline) targets.push({ id: "baseline", process: baseline });
    rounds.push(...(await runScenario(options, db.name, scenario, targets, users)));
  }

  // The server writes its CPU profile as it exits.
  await server.stop();
  await cluster?.stop();
  await baseline?.stop();

  const results = summarize(scenarios, rounds);
  const checks = checkTargets(results, server.startupMs);
  console.log(
    `\n${resultsTable(results)}\n\n${targetsTable(checks, { judged: !options.smoke })}\n`,
  );
  if (options.smoke) {
    console.log(
      "smoke run: 1-second rounds with no warm-up check the harness; they measure nothing.",
    );
  }
  console.log(
    `start → first 200 on /health: ${server.startupMs.toFixed(0)} ms; ` +
      `server RSS when idle after start: ${idleRssMb.toFixed(0)} MB`,
  );
  const clusterChecks = cluster ? checkClusterTargets(results, cores) : [];
  if (cluster) {
    console.log(
      `\nWorkers (${CLUSTER_WORKERS}-worker server: start → first 200 on /health ` +
        `${cluster.startupMs.toFixed(0)} ms, RSS of its processes when idle ${clusterIdleRssMb.toFixed(0)} MB)\n\n` +
        `${workersTable(results)}\n\n${headroomTable(results, cores)}\n\n${targetsTable(clusterChecks, { judged: !options.smoke })}\n`,
    );
  }

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

  const everyScenario = (names: readonly string[]) => names.length === SCENARIO_NAMES.length;
  if (options.smoke || options.profile || !everyScenario(options.scenarios)) return {};
  const turns = cluster
    ? `one server process, the ${CLUSTER_WORKERS}-worker server and the baseline taking turns`
    : "server and baseline alternating";
  const run = await describeRun(
    options,
    `autocannon in a separate process, ${options.connections} keep-alive connections (one user each), ` +
      `${options.warmupSeconds} s warm-up, then ${options.rounds} rounds of ${options.durationSeconds} s per process, ${turns}`,
    [
      ...startupRows("server", server.startupMs, idleRssMb),
      ...(cluster
        ? startupRows(`${CLUSTER_WORKERS} workers`, cluster.startupMs, clusterIdleRssMb)
        : []),
    ],
  );
  if (!cluster) return { scenarios: scenariosSection(run, results, checks, rounds) };
  if (!everyScenario(options.clusterScenarios)) return {};
  return { workers: workersSection(run, results, clusterChecks, rounds, cores) };
}

/**
 * The soak: a fresh database and server, one long load, its resident memory
 * early, at the end and after a rest. A leak shows as memory that keeps
 * growing after the early figure and does not come back when idle.
 */
async function runSoak(options: BenchOptions, soak: SoakOptions): Promise<Sections> {
  step(`soak: a fresh database and server (WEB_CONCURRENCY=${soak.workers})`);
  const { db, users, secret } = await prepareDatabase();
  const server = await startProcess(() =>
    startTodoServer(REPO_ROOT, {
      databaseUrl: db.url,
      secret,
      logDir: LOG_DIR,
      workers: soak.workers,
      label: "soak-server",
    }),
  );
  const startRssMb = readTreeRssMb(server.pid);
  for (const name of soak.scenarios) {
    await checkScenario(server.label, server.url, scenarioNamed(name), users[0]!);
  }
  step(
    `soak: ${options.connections} connections over ${soak.scenarios.join(", ")} for ${soak.seconds} s, ` +
      `then ${soak.idleSeconds} s idle`,
  );
  const series: SoakResult["series"] = [];
  let earlyRssMb = NaN;
  let start = readCpu(server.pid, db.name);
  const timers: NodeJS.Timeout[] = [];
  const job: LoadJob = {
    url: server.url,
    scenarios: soak.scenarios,
    connections: options.connections,
    warmupSeconds: 0,
    durationSeconds: soak.seconds,
    users: users.slice(0, options.connections),
  };
  const rss = sampleRss(server.pid);
  let load: LoadResult;
  let peakRssMb: number;
  try {
    load = await runLoadWorker(BENCH_DIR, job, stopLoad.signal, () => {
      start = readCpu(server.pid, db.name);
      const everyMs = soak.earlySeconds * 1000;
      timers.push(
        setTimeout(() => (earlyRssMb = readTreeRssMb(server.pid)), everyMs),
        setInterval(() => {
          const seconds = (series.length + 1) * soak.earlySeconds;
          series.push({ seconds, rssMb: readTreeRssMb(server.pid) });
        }, everyMs),
      );
    });
  } finally {
    for (const timer of timers) clearTimeout(timer);
    peakRssMb = rss.stop();
  }
  const endRssMb = readTreeRssMb(server.pid);
  const end = readCpu(server.pid, db.name);
  const failure = loadFailure("the soak", server, load, start, end);
  if (failure) throw new Error(failure);
  await sleep(soak.idleSeconds * 1000);
  const afterIdleRssMb = readTreeRssMb(server.pid);
  if (server.exitReason()) throw new Error(`the soak: ${server.exitReason()} while idle`);
  await server.stop();

  const result: SoakResult = {
    options: soak,
    connections: options.connections,
    load,
    cpuMs: cpuSpentMs(start.target, end.target),
    dbCpuMs: cpuSpentMs(start.postgres, end.postgres),
    machineCpuMs: end.machineMs - start.machineMs,
    windowSeconds: (end.at - start.at) / 1000,
    startRssMb,
    earlyRssMb,
    endRssMb,
    afterIdleRssMb,
    peakRssMb,
    series,
  };
  const check = checkSoak(result);
  console.log(
    `\nSoak: ${soakSummary(result)}\n\n${soakTable(result)}\n\n` +
      `During the load, MB: ${soakSeriesLine(result)}\n\n${targetsTable([check], { judged: !options.smoke })}\n`,
  );
  const full = soak.seconds >= FULL_SOAK.seconds && soak.idleSeconds >= FULL_SOAK.idleSeconds;
  if (options.smoke || !full) return {};
  const run = await describeRun(
    options,
    `autocannon in a separate process, ${options.connections} keep-alive connections (one user each, ` +
      `connection i sending scenario i mod ${soak.scenarios.length}), ${soak.seconds} s, then ${soak.idleSeconds} s idle`,
    startupRows("soaked server", server.startupMs, startRssMb),
  );
  return { soak: soakSection(run, result, check) };
}

async function bench(options: BenchOptions): Promise<void> {
  if (options.build) {
    await timed("built the server (turbo, cached when unchanged)", () => buildServer(REPO_ROOT));
  }
  teardown.add("stop the load worker", async () => stopLoad.abort());
  mkdirSync(LOG_DIR, { recursive: true });
  if (options.profile) mkdirSync(PROFILE_DIR, { recursive: true });
  const cores = availableParallelism();

  const sections: Sections = {
    ...(options.scenarios.length > 0 ? await runScenarios(options, cores) : {}),
    ...(options.soak ? await runSoak(options, options.soak) : {}),
  };
  const written = Object.keys(sections);
  if (written.length === 0) {
    console.log(
      "RESULTS.md not written (full runs only: every scenario, or a soak of the default length or longer; " +
        "not --smoke or --profile).",
    );
    return;
  }
  const file = join(BENCH_DIR, "RESULTS.md");
  writeResultsSections(file, sections);
  console.log(`wrote ${file} (section${written.length > 1 ? "s" : ""} ${written.join(", ")})`);
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
