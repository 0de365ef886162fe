import { CLUSTER_WORKERS } from "./cli-options.js";
import type { LoadResult } from "./load-run.js";
import { markdownTable, type Column } from "./markdown-table.js";
import type { Scenario, ScenarioName } from "./scenarios.js";

/** The one-worker server, the server with CLUSTER_WORKERS workers, the baseline. */
export type Target = "server" | "cluster" | "baseline";

export const TARGET_LABELS: Record<Target, string> = {
  server: "server",
  cluster: `server, ${CLUSTER_WORKERS} workers`,
  baseline: "baseline",
};

/** One measured run of one scenario against one target. */
export interface Round {
  scenario: ScenarioName;
  target: Target;
  round: number;
  load: LoadResult;
  /** Resident memory of the target's processes, summed: the highest sample. */
  peakRssMb: number;
  /** Wall time over which the CPU times below were read, in seconds. */
  windowSeconds: number;
  /** CPU time (user + system) the target's processes used during the measured seconds. */
  cpuMs: number;
  /** CPU time the local PostgreSQL server used meanwhile for the bench (NaN: not on this machine). */
  dbCpuMs: number;
  /** CPU time of every core of the machine busy meanwhile, whoever used it. */
  machineCpuMs: number;
}

/** CPU time per answered request, in µs: what a request costs the process, whatever the machine's load. */
export function cpuPerRequestUs(cpuMs: number, load: LoadResult): number {
  return load.requests > 0 ? (cpuMs * 1000) / load.requests : NaN;
}

/**
 * The CPU the rest of the machine used during a round, in cores: neither the
 * target, nor PostgreSQL for the bench, nor the load generator (the bench
 * itself, other databases' queries, anyone else's work).
 */
export function otherCores(
  round: Pick<Round, "cpuMs" | "dbCpuMs" | "machineCpuMs" | "windowSeconds"> & {
    load: Pick<LoadResult, "cpuMs">;
  },
): number {
  const ours = round.cpuMs + round.dbCpuMs + round.load.cpuMs;
  return round.windowSeconds > 0 ? (round.machineCpuMs - ours) / 1000 / round.windowSeconds : NaN;
}

/** A scenario's figures for one target: medians of its rounds (errors summed, RSS the peak). */
export interface Figures {
  rounds: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  peakRssMb: number;
  cpuUsPerRequest: number;
  dbCpuUsPerRequest: number;
  loadCpuUsPerRequest: number;
  otherCores: number;
}

export interface ScenarioFigures {
  scenario: Scenario;
  server: Figures;
  cluster: Figures | undefined;
  baseline: Figures | undefined;
}

export interface TargetCheck {
  target: string;
  goal: string;
  measured: string;
  /** undefined: not measured in this run. */
  pass: boolean | undefined;
}

export interface RunDescription {
  date: string;
  command: string;
  nproc: number;
  cpu: string;
  memoryGb: number;
  node: string;
  postgres: string;
  load: string;
  data: string;
  /** Rows about the servers started: start-up time, idle memory, … */
  processes: string[][];
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function figures(rounds: Round[]): Figures {
  return {
    rounds: rounds.length,
    requestsPerSecond: median(rounds.map((r) => r.load.requestsPerSecond)),
    p50Ms: median(rounds.map((r) => r.load.p50Ms)),
    p99Ms: median(rounds.map((r) => r.load.p99Ms)),
    errors: rounds.reduce((sum, r) => sum + r.load.errors + r.load.non2xx, 0),
    peakRssMb: Math.max(...rounds.map((r) => r.peakRssMb)),
    cpuUsPerRequest: median(rounds.map((r) => cpuPerRequestUs(r.cpuMs, r.load))),
    dbCpuUsPerRequest: median(rounds.map((r) => cpuPerRequestUs(r.dbCpuMs, r.load))),
    loadCpuUsPerRequest: median(rounds.map((r) => cpuPerRequestUs(r.load.cpuMs, r.load))),
    otherCores: median(rounds.map(otherCores)),
  };
}

export function summarize(scenarios: Scenario[], rounds: Round[]): ScenarioFigures[] {
  return scenarios.map((scenario) => {
    const of = (target: Target) =>
      rounds.filter((r) => r.scenario === scenario.name && r.target === target);
    const clusterRounds = of("cluster");
    const baselineRounds = of("baseline");
    return {
      scenario,
      server: figures(of("server")),
      cluster: clusterRounds.length > 0 ? figures(clusterRounds) : undefined,
      baseline: baselineRounds.length > 0 ? figures(baselineRounds) : undefined,
    };
  });
}

export const fixed = (value: number, digits = 1) =>
  Number.isNaN(value) ? "—" : value.toFixed(digits);
/** Seconds as a person writes them: 10, 0.8. */
export const seconds = (value: number) =>
  Number.isInteger(value) ? String(value) : value.toFixed(1);
export const ratio = (value: number) => (Number.isNaN(value) ? "—" : `${value.toFixed(2)}×`);

export const right = (title: string): Column => ({ title, align: "right" });

export function resultsTable(results: ScenarioFigures[]): string {
  const rows: string[][] = [];
  for (const { scenario, server, baseline } of results) {
    const vsBaseline = (figure: (f: Figures) => number) =>
      baseline ? ratio(figure(server) / figure(baseline)) : "—";
    rows.push([
      scenario.name,
      "server",
      fixed(server.requestsPerSecond, 0),
      fixed(server.p50Ms),
      fixed(server.p99Ms),
      String(server.errors),
      vsBaseline((f) => f.requestsPerSecond),
      vsBaseline((f) => f.p99Ms),
      fixed(server.cpuUsPerRequest, 0),
      vsBaseline((f) => f.cpuUsPerRequest),
      fixed(server.dbCpuUsPerRequest, 0),
      fixed(server.loadCpuUsPerRequest, 0),
      fixed(server.peakRssMb, 0),
    ]);
    if (baseline) {
      rows.push([
        scenario.name,
        "baseline",
        fixed(baseline.requestsPerSecond, 0),
        fixed(baseline.p50Ms),
        fixed(baseline.p99Ms),
        String(baseline.errors),
        "1.00×",
        "1.00×",
        fixed(baseline.cpuUsPerRequest, 0),
        "1.00×",
        fixed(baseline.dbCpuUsPerRequest, 0),
        fixed(baseline.loadCpuUsPerRequest, 0),
        fixed(baseline.peakRssMb, 0),
      ]);
    }
  }
  return markdownTable(
    [
      { title: "scenario" },
      { title: "process" },
      right("req/s"),
      right("p50 ms"),
      right("p99 ms"),
      right("errors"),
      right("req/s vs baseline"),
      right("p99 vs baseline"),
      right("CPU µs/req"),
      right("CPU vs baseline"),
      right("PostgreSQL CPU µs/req"),
      right("load generator CPU µs/req"),
      right("peak RSS MB"),
    ],
    rows,
  );
}

/** The issue's targets, each judged on this run's figures. */
export function checkTargets(results: ScenarioFigures[], startupMs: number): TargetCheck[] {
  const find = (name: ScenarioName) => results.find((r) => r.scenario.name === name);
  const checks: TargetCheck[] = [];
  // The one-stack issue's floors: REST list 0.75×, create 0.6×.
  const floors = { "rest-list": 0.75, "rest-create": 0.6 } as const;
  for (const name of ["rest-list", "rest-create"] as const) {
    const floor = floors[name];
    const result = find(name);
    const baseline = result?.baseline;
    const rps =
      result && baseline ? result.server.requestsPerSecond / baseline.requestsPerSecond : undefined;
    const p99 = result && baseline ? result.server.p99Ms / baseline.p99Ms : undefined;
    checks.push(
      {
        target: `${name} throughput`,
        goal: `≥ ${floor.toFixed(2)}× baseline req/s`,
        measured: rps === undefined ? "not run" : ratio(rps),
        pass: rps === undefined ? undefined : rps >= floor,
      },
      {
        target: `${name} p99`,
        goal: "≤ 2.00× baseline p99",
        measured: p99 === undefined ? "not run" : ratio(p99),
        pass: p99 === undefined ? undefined : p99 <= 2,
      },
    );
  }
  const trpc = find("trpc-list");
  const restBaseline = find("rest-list")?.baseline;
  const trpcRatio =
    trpc && restBaseline
      ? trpc.server.requestsPerSecond / restBaseline.requestsPerSecond
      : undefined;
  checks.push({
    target: "trpc-list throughput",
    goal: "≥ 0.60× baseline rest-list req/s",
    measured: trpcRatio === undefined ? "not run" : ratio(trpcRatio),
    pass: trpcRatio === undefined ? undefined : trpcRatio >= 0.6,
  });
  const errors = results.reduce((sum, r) => sum + r.server.errors + (r.baseline?.errors ?? 0), 0);
  checks.push({ target: "errors", goal: "0", measured: String(errors), pass: errors === 0 });
  const rss = Math.max(...results.map((r) => r.server.peakRssMb));
  checks.push({
    target: "server RSS under load",
    goal: "< 200 MB",
    measured: `${fixed(rss, 0)} MB`,
    pass: rss < 200,
  });
  checks.push({
    target: "start → first 200 on /health",
    goal: "< 1500 ms",
    measured: `${fixed(startupMs, 0)} ms`,
    pass: startupMs < 1500,
  });
  return checks;
}

/**
 * The targets, measured against their goals. A smoke run's 1-second rounds
 * measure nothing, so `judged: false` prints no verdict that could be read as one.
 */
export function targetsTable(checks: TargetCheck[], { judged = true } = {}): string {
  const verdict = (pass: boolean | undefined) =>
    !judged ? "not judged (smoke)" : pass === undefined ? "—" : pass ? "PASS" : "FAIL";
  return markdownTable(
    [{ title: "target" }, { title: "goal" }, right("measured"), { title: "verdict" }],
    checks.map((check) => [check.target, check.goal, check.measured, verdict(check.pass)]),
  );
}

export function roundsTable(rounds: Round[]): string {
  return markdownTable(
    [
      { title: "scenario" },
      right("round"),
      { title: "process" },
      right("requests"),
      right("seconds"),
      right("req/s"),
      right("p50 ms"),
      right("p99 ms"),
      right("errors"),
      right("CPU µs/req"),
      right("PostgreSQL CPU µs/req"),
      right("load generator CPU µs/req"),
      right("rest of the machine, cores"),
      right("peak RSS MB"),
    ],
    rounds.map((r) => [
      r.scenario,
      String(r.round),
      TARGET_LABELS[r.target],
      String(r.load.requests),
      fixed(r.load.seconds, 2),
      fixed(r.load.requestsPerSecond, 0),
      fixed(r.load.p50Ms),
      fixed(r.load.p99Ms),
      String(r.load.errors + r.load.non2xx),
      fixed(cpuPerRequestUs(r.cpuMs, r.load), 0),
      fixed(cpuPerRequestUs(r.dbCpuMs, r.load), 0),
      fixed(cpuPerRequestUs(r.load.cpuMs, r.load), 0),
      fixed(otherCores(r), 2),
      fixed(r.peakRssMb, 0),
    ]),
  );
}

/** The run's settings, as the first table of each section of RESULTS.md. */
export function runTable(run: RunDescription): string {
  return markdownTable(
    [{ title: "run" }, { title: "" }],
    [
      ["date", run.date],
      ["command", `\`${run.command}\``],
      ["machine", `nproc ${run.nproc}, ${run.cpu}, ${fixed(run.memoryGb)} GB RAM`],
      ["Node.js", run.node],
      ["PostgreSQL", `${run.postgres} (same machine)`],
      ["load", run.load],
      ["data", run.data],
      [
        "server",
        "production build (`node apps/server/dist/index.js`), NODE_ENV=production, default " +
          "settings, LOG_LEVEL=info writing one line per request to a file",
      ],
      ...run.processes,
    ],
  );
}

/** Start-up time and idle memory of a server the run started, as rows of the run table. */
export function startupRows(name: string, startupMs: number, idleRssMb: number): string[][] {
  return [
    [
      `${name}: start → first 200 on /health`,
      `${fixed(startupMs, 0)} ms (migrations already applied)`,
    ],
    [`${name}: RSS when idle after start`, `${fixed(idleRssMb, 0)} MB`],
  ];
}

/** The one-worker server against the baseline: a section of RESULTS.md. */
export function scenariosSection(
  run: RunDescription,
  results: ScenarioFigures[],
  checks: TargetCheck[],
  rounds: Round[],
): string {
  return `## One server process against the baseline

${runTable(run)}

### Results

Each figure is the median of the rounds (errors: the sum; RSS: the highest
sample, every 100 ms, of the process's resident memory during the scenario).

${resultsTable(results)}

Scenarios:

${results.map(({ scenario }) => `- \`${scenario.name}\`: ${scenario.request}`).join("\n")}

### Targets (issue 5)

${targetsTable(checks)}

### Every round

In the order they ran.

${roundsTable(rounds)}`;
}
