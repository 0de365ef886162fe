import { parseArgs } from "node:util";

import { isScenarioName, SCENARIO_NAMES, type ScenarioName } from "./scenarios.js";

/** The soak: one long load on a fresh server, watching its resident memory. */
export interface SoakOptions {
  /** Its connections are spread over these, connection i sending scenarios[i % length]. */
  scenarios: ScenarioName[];
  /** Seconds of load. */
  seconds: number;
  /** When the first RSS figure is read, in seconds from the start of the load. */
  earlySeconds: number;
  /** Seconds without load after it, before the last RSS figure. */
  idleSeconds: number;
  /** WEB_CONCURRENCY of the soaked server. */
  workers: number;
}

export interface BenchOptions {
  smoke: boolean;
  profile: boolean;
  build: boolean;
  connections: number;
  warmupSeconds: number;
  durationSeconds: number;
  /** Rounds per target; the targets take turns within each. */
  rounds: number;
  /**
   * What the one-worker server (and the baseline, where it has the route)
   * runs, in run order (SCENARIO_NAMES order) whatever order they were given
   * in; empty for a soak alone.
   */
  scenarios: ScenarioName[];
  /** What a server with CLUSTER_WORKERS workers runs too (the workers mode); empty: none. */
  clusterScenarios: ScenarioName[];
  soak: SoakOptions | undefined;
  /** Exactly what was asked for, for the report. */
  command: string;
}

export const USER_COUNT = 200;
export const TASKS_PER_USER = 50;
/** The workers mode's second server: WEB_CONCURRENCY=2 beside 1 (issue 15). */
export const CLUSTER_WORKERS = 2;

const FULL = {
  connections: 64,
  warmupSeconds: 3,
  durationSeconds: 10,
  rounds: 3,
  soakSeconds: 180,
  soakIdleSeconds: 30,
};
const SMOKE = {
  connections: 64,
  warmupSeconds: 0,
  durationSeconds: 1,
  rounds: 1,
  soakSeconds: 2,
  soakIdleSeconds: 1,
};
/** The soak's first RSS figure: 10 s into the load, or a quarter of a shorter one. */
const SOAK_EARLY_SECONDS = 10;
export const FULL_SOAK = { seconds: FULL.soakSeconds, idleSeconds: FULL.soakIdleSeconds };

export const USAGE = `usage: pnpm bench [options]

  (no mode)            every scenario against one server process and the baseline
  --workers            the same, with a ${CLUSTER_WORKERS}-worker server (WEB_CONCURRENCY=${CLUSTER_WORKERS}) beside them
  --soak               only the soak: ${FULL.soakSeconds} s of load on a fresh server, its RSS at ${SOAK_EARLY_SECONDS} s,
                       at the end and after ${FULL.soakIdleSeconds} s idle (with --workers: after the scenarios)
  --smoke              about 25 s, for CI: 1-second rounds, no warm-up; with no mode, every part
                       (the ${CLUSTER_WORKERS}-worker server on the first scenario only, a ${SMOKE.soakSeconds} s soak);
                       does not write RESULTS.md
  --profile            run the server under node --cpu-prof and print its top functions
                       (not with --workers or --soak)
  --scenario <name>    only this scenario (repeatable, or comma-separated); the soak spreads
                       its connections over them (default: all):
                       ${SCENARIO_NAMES.join(", ")}
  --connections <n>    concurrent keep-alive connections, one user each (default ${FULL.connections}, at most ${USER_COUNT})
  --duration <s>       measured seconds per round (default ${FULL.durationSeconds}; smoke ${SMOKE.durationSeconds})
  --warmup <s>         unmeasured seconds before each scenario's first round per target (default ${FULL.warmupSeconds})
  --rounds <n>         rounds per target, the targets taking turns (default ${FULL.rounds})
  --soak-duration <s>  seconds of soak load (default ${FULL.soakSeconds}; smoke ${SMOKE.soakSeconds})
  --soak-idle <s>      seconds idle after the soak's load (default ${FULL.soakIdleSeconds}; smoke ${SMOKE.soakIdleSeconds})
  --soak-workers <n>   WEB_CONCURRENCY of the soaked server (default 1)
  --skip-build         use the existing build instead of running turbo's (cached) build
`;

function positive(name: string, text: string | undefined, fallback: number, min = 1): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < min)
    throw new Error(`--${name} must be a number ≥ ${min}`);
  return value;
}

/** Parses the bench's arguments; undefined for --help. */
export function parseBenchOptions(args: string[]): BenchOptions | undefined {
  const given = args.filter((arg) => arg !== "--");
  const { values } = parseArgs({
    args: given,
    options: {
      smoke: { type: "boolean", default: false },
      profile: { type: "boolean", default: false },
      workers: { type: "boolean", default: false },
      soak: { type: "boolean", default: false },
      "soak-duration": { type: "string" },
      "soak-idle": { type: "string" },
      "soak-workers": { type: "string" },
      "skip-build": { type: "boolean", default: false },
      scenario: { type: "string", multiple: true },
      connections: { type: "string" },
      duration: { type: "string" },
      warmup: { type: "string" },
      rounds: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  if (values.help) return undefined;
  const defaults = values.smoke ? SMOKE : FULL;
  const asked = (values.scenario ?? [])
    .flatMap((list) => list.split(","))
    .map((name) => name.trim());
  const unknown = asked.find((name) => !isScenarioName(name));
  if (unknown !== undefined) throw new Error(`unknown scenario "${unknown}"`);
  const connections = Math.floor(positive("connections", values.connections, defaults.connections));
  if (connections > USER_COUNT) {
    throw new Error(`--connections is at most ${USER_COUNT}: one user per connection`);
  }
  if (values.profile && (values.workers || values.soak)) {
    throw new Error("--profile profiles one server process: not with --workers or --soak");
  }
  const selected = SCENARIO_NAMES.filter((name) => asked.length === 0 || asked.includes(name));
  // With no mode, a full run is the scenarios alone; a smoke run touches every part.
  const everyPart = values.smoke && !values.workers && !values.soak;
  const scenarios = values.soak && !values.workers ? [] : selected;
  const clusterScenarios = values.workers ? selected : everyPart ? selected.slice(0, 1) : [];
  const soakSeconds = positive("soak-duration", values["soak-duration"], defaults.soakSeconds);
  const soak =
    values.soak || everyPart
      ? {
          scenarios: selected,
          seconds: soakSeconds,
          earlySeconds: Math.min(SOAK_EARLY_SECONDS, soakSeconds / 4),
          idleSeconds: positive("soak-idle", values["soak-idle"], defaults.soakIdleSeconds, 0),
          workers: Math.floor(positive("soak-workers", values["soak-workers"], 1)),
        }
      : undefined;
  const soakSetting = ["soak-duration", "soak-idle", "soak-workers"] as const;
  const stray = soakSetting.find((name) => values[name] !== undefined);
  if (!soak && stray) throw new Error(`--${stray} is a setting of the soak: add --soak`);
  return {
    smoke: values.smoke,
    profile: values.profile,
    build: !values["skip-build"],
    connections,
    warmupSeconds: positive("warmup", values.warmup, defaults.warmupSeconds, 0),
    durationSeconds: positive("duration", values.duration, defaults.durationSeconds),
    rounds: Math.floor(positive("rounds", values.rounds, defaults.rounds)),
    scenarios,
    clusterScenarios,
    soak,
    command: ["pnpm bench", ...given].join(" "),
  };
}
