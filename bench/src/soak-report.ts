import type { SoakOptions } from "./cli-options.js";
import type { LoadResult } from "./load-run.js";
import { markdownTable } from "./markdown-table.js";
import {
  cpuPerRequestUs,
  fixed,
  otherCores,
  ratio,
  seconds,
  right,
  runTable,
  targetsTable,
  type RunDescription,
  type TargetCheck,
} from "./report.js";

/** No leak (issue 15): RSS at the end of the soak at most this many times the early figure. */
export const SOAK_GROWTH_LIMIT = 1.2;

/** What the soak measured: resident memory of the server's processes, summed, in MB. */
export interface SoakResult {
  options: SoakOptions;
  connections: number;
  load: LoadResult;
  cpuMs: number;
  dbCpuMs: number;
  /** Every core's busy time during the load, whoever used it. */
  machineCpuMs: number;
  windowSeconds: number;
  /** Once healthy, before any load. */
  startRssMb: number;
  /** At `options.earlySeconds` into the load. */
  earlyRssMb: number;
  /** As the load ended. */
  endRssMb: number;
  /** After `options.idleSeconds` without load. */
  afterIdleRssMb: number;
  peakRssMb: number;
  /** Every `options.earlySeconds` of the load. */
  series: Array<{ seconds: number; rssMb: number }>;
}

export function checkSoak(soak: SoakResult): TargetCheck {
  const growth = soak.endRssMb / soak.earlyRssMb;
  return {
    target: "soak: RSS at the end vs early",
    goal: `end ≤ ${SOAK_GROWTH_LIMIT.toFixed(2)}× RSS at ${seconds(soak.options.earlySeconds)} s`,
    measured: ratio(growth),
    pass: growth <= SOAK_GROWTH_LIMIT,
  };
}

const serverName = (soak: SoakResult) =>
  soak.options.workers === 1 ? "1 worker" : `${soak.options.workers} workers`;

export function soakTable(soak: SoakResult): string {
  const { options } = soak;
  return markdownTable(
    [{ title: "when" }, right("RSS MB")],
    [
      ["idle after start", fixed(soak.startRssMb, 0)],
      [`${seconds(options.earlySeconds)} s into the load`, fixed(soak.earlyRssMb, 0)],
      [`end of the load (${seconds(options.seconds)} s)`, fixed(soak.endRssMb, 0)],
      [`after ${seconds(options.idleSeconds)} s idle`, fixed(soak.afterIdleRssMb, 0)],
      ["peak under load", fixed(soak.peakRssMb, 0)],
    ],
  );
}

/** One line of what the soak's load did, for the terminal and the section. */
export function soakSummary(soak: SoakResult): string {
  const { load } = soak;
  return (
    `${serverName(soak)}, ${soak.connections} connections over ${soak.options.scenarios.join(", ")}: ` +
    `${load.requests} requests in ${fixed(load.seconds)} s (${fixed(load.requestsPerSecond, 0)} req/s), ` +
    `${load.errors + load.non2xx} errors, p99 ${fixed(load.p99Ms)} ms; CPU µs/req: server ` +
    `${fixed(cpuPerRequestUs(soak.cpuMs, load), 0)}, PostgreSQL ${fixed(cpuPerRequestUs(soak.dbCpuMs, load), 0)}, ` +
    `load generator ${fixed(cpuPerRequestUs(load.cpuMs, load), 0)}; rest of the machine ` +
    `${fixed(otherCores(soak), 2)} cores`
  );
}

export function soakSeriesLine(soak: SoakResult): string {
  return soak.series
    .map((point) => `${seconds(point.seconds)} s: ${fixed(point.rssMb, 0)}`)
    .join(", ");
}

/** The soak: a section of RESULTS.md. */
export function soakSection(run: RunDescription, soak: SoakResult, check: TargetCheck): string {
  return `## Soak

${runTable(run)}

${soakSummary(soak)}.

Resident memory of the server's processes, summed:

${soakTable(soak)}

During the load, MB: ${soakSeriesLine(soak)}.

### Target (issue 15)

${targetsTable([check])}`;
}
