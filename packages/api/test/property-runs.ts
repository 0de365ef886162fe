import type fc from "fast-check";

// Every property test runs from a fixed seed, so a run is the same on every
// machine and a failure can be replayed. fast-check puts the seed and the
// path of a failure in the error it throws, which vitest prints:
//
//   FC_SEED=<seed> FC_PATH=<path> pnpm --filter @todo/api test <file>
//
// replays that one case (FC_SEED alone runs another sequence of cases).

const DEFAULT_SEED = 20_261_122;

function readSeed(): number {
  const text = process.env.FC_SEED;
  if (text === undefined || text === "") return DEFAULT_SEED;
  const seed = Number(text);
  if (!Number.isSafeInteger(seed)) throw new TypeError(`FC_SEED must be an integer, not ${text}`);
  return seed;
}

/** fast-check's parameters for `numRuns` cases from FC_SEED (default fixed), or a replay of FC_PATH. */
export function propertyRun<Ts>(numRuns: number): fc.Parameters<Ts> {
  const path = process.env.FC_PATH;
  return {
    seed: readSeed(),
    numRuns,
    ...(path ? { path, endOnFailure: true } : {}),
  };
}
