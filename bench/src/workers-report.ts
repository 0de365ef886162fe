import { CLUSTER_WORKERS } from "./cli-options.js";
import { markdownTable } from "./markdown-table.js";
import {
  fixed,
  ratio,
  right,
  roundsTable,
  runTable,
  targetsTable,
  type Figures,
  type Round,
  type RunDescription,
  type ScenarioFigures,
  type TargetCheck,
} from "./report.js";

// The workers mode (issue 15): the same scenarios against one server process,
// a cluster of CLUSTER_WORKERS, and the baseline. On a machine whose cores
// the server shares with PostgreSQL and the load generator, a second worker
// can only use the CPU the first one left idle; the headroom figures say how
// much that was and how much of it the cluster turned into requests.

/** What the idle CPU left by one worker would allow, at one worker's CPU cost per request. */
export interface Headroom {
  scenario: string;
  /** µs of CPU per request with one worker: server + PostgreSQL + load generator. */
  costUs: number;
  /** Cores those three kept busy with one worker. */
  usedCores: number;
  /** Cores left: the machine's, less the three's (others' work counts as idle here). */
  idleCores: number;
  /** Requests/s if every core went to requests at that cost: one worker's, plus the idle CPU's. */
  boundRequestsPerSecond: number;
  clusterRequestsPerSecond: number;
  /** The cluster's requests/s as a fraction of the bound. */
  ofBound: number;
  /** Cores the rest of the machine (other work) kept busy during one worker's rounds. */
  otherCores: number;
  /** The same bound on the cores the rest of the machine left: what a busy machine allowed. */
  boundLeftByOthers: number;
  ofBoundLeftByOthers: number;
}

const perRequestUs = (f: Figures) =>
  f.cpuUsPerRequest + f.dbCpuUsPerRequest + f.loadCpuUsPerRequest;

export function headroom(result: ScenarioFigures, cores: number): Headroom | undefined {
  const { server, cluster } = result;
  if (!cluster) return undefined;
  const costUs = perRequestUs(server);
  const usedCores = (costUs * server.requestsPerSecond) / 1e6;
  // One worker's rate plus what the idle cores add at its cost per request
  // comes to cores ÷ cost: all of the machine at that cost.
  const boundRequestsPerSecond = (cores * 1e6) / costUs;
  const boundLeftByOthers = (Math.max(0, cores - server.otherCores) * 1e6) / costUs;
  return {
    scenario: result.scenario.name,
    costUs,
    usedCores,
    idleCores: cores - usedCores,
    boundRequestsPerSecond,
    clusterRequestsPerSecond: cluster.requestsPerSecond,
    ofBound: cluster.requestsPerSecond / boundRequestsPerSecond,
    otherCores: server.otherCores,
    boundLeftByOthers,
    ofBoundLeftByOthers: cluster.requestsPerSecond / boundLeftByOthers,
  };
}

export function workersTable(results: ScenarioFigures[]): string {
  const rows: string[][] = [];
  for (const { scenario, server, cluster, baseline } of results) {
    if (!cluster) continue;
    const processes: Array<[string, Figures | undefined]> = [
      ["1 worker", server],
      [`${CLUSTER_WORKERS} workers`, cluster],
      ["baseline", baseline],
    ];
    for (const [name, f] of processes) {
      if (!f) continue;
      rows.push([
        scenario.name,
        name,
        fixed(f.requestsPerSecond, 0),
        ratio(f.requestsPerSecond / server.requestsPerSecond),
        fixed(f.p50Ms),
        fixed(f.p99Ms),
        String(f.errors),
        fixed(f.cpuUsPerRequest, 0),
        fixed(f.dbCpuUsPerRequest, 0),
        fixed(f.loadCpuUsPerRequest, 0),
        fixed(f.otherCores, 2),
        fixed(f.peakRssMb, 0),
      ]);
    }
  }
  return markdownTable(
    [
      { title: "scenario" },
      { title: "process" },
      right("req/s"),
      right("vs 1 worker"),
      right("p50 ms"),
      right("p99 ms"),
      right("errors"),
      right("server CPU µs/req"),
      right("PostgreSQL CPU µs/req"),
      right("load generator CPU µs/req"),
      right("rest of the machine, cores"),
      right("peak RSS MB"),
    ],
    rows,
  );
}

export function headroomTable(results: ScenarioFigures[], cores: number): string {
  const rows = results
    .map((result) => headroom(result, cores))
    .filter((h): h is Headroom => h !== undefined)
    .map((h) => [
      h.scenario,
      fixed(h.costUs, 0),
      fixed(h.usedCores, 2),
      fixed(h.idleCores, 2),
      fixed(h.boundRequestsPerSecond, 0),
      fixed(h.clusterRequestsPerSecond, 0),
      fixed(h.ofBound, 2),
      fixed(h.otherCores, 2),
      fixed(h.boundLeftByOthers, 0),
      fixed(h.ofBoundLeftByOthers, 2),
    ]);
  return markdownTable(
    [
      { title: "scenario" },
      right("1 worker: CPU µs/req, server + PostgreSQL + load generator"),
      right("1 worker: cores used"),
      right("idle cores left"),
      right(`req/s at that cost on ${cores} cores`),
      right(`${CLUSTER_WORKERS} workers: req/s`),
      right(`${CLUSTER_WORKERS} workers ÷ that`),
      right("1 worker: rest of the machine, cores"),
      right("req/s at that cost on the cores it left"),
      right(`${CLUSTER_WORKERS} workers ÷ that`),
    ],
    rows,
  );
}

/** Issue 15: REST list with the cluster ≥ 1.2× one worker, and the headroom beside it. */
export function checkClusterTargets(results: ScenarioFigures[], cores: number): TargetCheck[] {
  const list = results.find((r) => r.scenario.name === "rest-list");
  const cluster = list?.cluster;
  if (!list || !cluster) return [];
  const gain = cluster.requestsPerSecond / list.server.requestsPerSecond;
  const room = headroom(list, cores);
  return [
    {
      target: `rest-list, ${CLUSTER_WORKERS} workers vs 1`,
      goal: "≥ 1.20× one worker's req/s",
      measured: ratio(gain),
      pass: gain >= 1.2,
    },
    {
      target: `rest-list, ${CLUSTER_WORKERS} workers vs what 1 worker's idle CPU allows`,
      goal: "reported beside it",
      measured: room
        ? `${fixed(room.ofBound, 2)} of ${fixed(room.boundRequestsPerSecond, 0)} req/s ` +
          `(${fixed(room.ofBoundLeftByOthers, 2)} of ${fixed(room.boundLeftByOthers, 0)} on the cores others left)`
        : "—",
      pass: undefined,
    },
  ];
}

/** The workers mode: a section of RESULTS.md. */
export function workersSection(
  run: RunDescription,
  results: ScenarioFigures[],
  checks: TargetCheck[],
  rounds: Round[],
  cores: number,
): string {
  return `## Workers: WEB_CONCURRENCY=${CLUSTER_WORKERS} beside 1 and the baseline

${runTable(run)}

### Results

Medians of the rounds. CPU per request of the server (all of its processes:
the primary and its workers), of PostgreSQL (the bench database's backends and
the server's background processes) and of the load generator; the rest of the
machine is every other process's CPU meanwhile, in cores (on a quiet machine,
about 0).

${workersTable(results)}

### Headroom

With one worker, the cores not used by the server, PostgreSQL and the load
generator could serve more requests at one worker's CPU cost per request:
at most ${cores} cores ÷ that cost; the next columns say how much of that the
${CLUSTER_WORKERS} workers reached. Other work on the machine is counted as idle
there; the last three columns count it as taken (on a quiet machine the two
agree).

${headroomTable(results, cores)}

### Targets (issue 15)

${targetsTable(checks)}

### Every round

In the order they ran.

${roundsTable(rounds)}`;
}
