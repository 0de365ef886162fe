import { parseArgs } from "node:util";

import { isScenarioName, SCENARIO_NAMES, type ScenarioName } from "./scenarios.js";

export interface BenchOptions {
  smoke: boolean;
  profile: boolean;
  build: boolean;
  connections: number;
  warmupSeconds: number;
  durationSeconds: number;
  /** Rounds per target; server and baseline alternate within each. */
  rounds: number;
  /** In run order (SCENARIO_NAMES order), whatever order they were given in. */
  scenarios: ScenarioName[];
  /** Exactly what was asked for, for the report. */
  command: string;
}

export const USER_COUNT = 200;
export const TASKS_PER_USER = 50;

const FULL = { connections: 64, warmupSeconds: 3, durationSeconds: 10, rounds: 3 };
const SMOKE = { connections: 64, warmupSeconds: 0, durationSeconds: 1, rounds: 1 };

export const USAGE = `usage: pnpm bench [options]

  --smoke              about 15 s: 1-second rounds, no warm-up (CI); does not write RESULTS.md
  --profile            run the server under node --cpu-prof and print its top functions
  --scenario <name>    only this scenario (repeatable, or comma-separated):
                       ${SCENARIO_NAMES.join(", ")}
  --connections <n>    concurrent keep-alive connections, one user each (default ${FULL.connections}, at most ${USER_COUNT})
  --duration <s>       measured seconds per round (default ${FULL.durationSeconds}; smoke ${SMOKE.durationSeconds})
  --warmup <s>         unmeasured seconds before each scenario's first round per target (default ${FULL.warmupSeconds})
  --rounds <n>         rounds per target, alternating server and baseline (default ${FULL.rounds})
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
  return {
    smoke: values.smoke,
    profile: values.profile,
    build: !values["skip-build"],
    connections,
    warmupSeconds: positive("warmup", values.warmup, defaults.warmupSeconds, 0),
    durationSeconds: positive("duration", values.duration, defaults.durationSeconds),
    rounds: Math.floor(positive("rounds", values.rounds, defaults.rounds)),
    scenarios: SCENARIO_NAMES.filter((name) => asked.length === 0 || asked.includes(name)),
    command: ["pnpm bench", ...given].join(" "),
  };
}
