import { spawn } from "node:child_process";
import { join } from "node:path";

import type { BenchUser, ScenarioName } from "./scenarios.js";

/** What the parent asks one load worker to do (sent as JSON on its stdin). */
export interface LoadJob {
  url: string;
  /** Connection i sends scenarios[i % length]: one scenario, or a mix. */
  scenarios: ScenarioName[];
  connections: number;
  /** Load that is not measured, first: JIT, pools and caches warm up. */
  warmupSeconds: number;
  durationSeconds: number;
  /** Connection i is users[i]: one user per connection. */
  users: BenchUser[];
}

/** What a load worker measured (printed as JSON on its stdout). */
export interface LoadResult {
  requests: number;
  seconds: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  /** Socket errors and timeouts. */
  errors: number;
  statusCodes: Record<string, number>;
  /** The first few non-2xx answers and socket errors, to say what went wrong. */
  failures: string[];
  /** CPU time (user + system) the load worker itself used meanwhile, in ms. */
  cpuMs: number;
}

/** The line a load worker writes on stderr when its measured run begins. */
export const MEASURING = "measuring";

/**
 * Runs one load worker (load-worker.ts) in a process of its own, so the load
 * generator never shares an event loop with the bench or a server. It is
 * killed when `signal` aborts.
 */
export function runLoadWorker(
  benchDir: string,
  job: LoadJob,
  signal: AbortSignal,
  onMeasuring: () => void = () => {},
): Promise<LoadResult> {
  const child = spawn(process.execPath, ["--import", "tsx", join(benchDir, "src/load-worker.ts")], {
    cwd: benchDir,
    stdio: ["pipe", "pipe", "pipe"],
    signal,
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  let marked = false;
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
    if (!marked && stderr.includes(`${MEASURING}\n`)) {
      marked = true;
      onMeasuring();
    }
  });
  child.stdin.end(JSON.stringify(job));
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      if (code !== 0) {
        reject(new Error(`load worker failed (${signal ?? `exit ${code}`}):\n${stderr.trim()}`));
        return;
      }
      try {
        resolve(JSON.parse(stdout) as LoadResult);
      } catch {
        reject(new Error(`load worker printed no result:\n${stdout}\n${stderr}`));
      }
    });
  });
}
