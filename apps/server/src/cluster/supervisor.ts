import cluster, { type Worker } from "node:cluster";

import type { Logger } from "pino";

import type { Config } from "../env.js";
import { prepareDatabase } from "../server.js";
import { checkPortFree } from "../start-checks.js";
import { countHitsFor } from "./shared-rate-limits.js";

// `WEB_CONCURRENCY` workers sharing the port, as `uvicorn --workers N`: the
// primary checks the port and the database (bounded, as one process does),
// applies the migrations once, forks the workers and starts a new one when
// one dies; on SIGTERM/SIGINT it has every worker drain and stop, then exits
// 0. The primary serves no request itself.

/**
 * A worker that dies is replaced at once; while crashes follow quickly, the
 * wait doubles from 100 ms up to 5 s, so a worker that cannot start does not
 * spin.
 */
const FIRST_RESTART_DELAY_MS = 0;
const SECOND_RESTART_DELAY_MS = 100;
const MAX_RESTART_DELAY_MS = 5_000;
/** A worker that ran this long before dying was healthy: the delay starts over. */
const HEALTHY_UPTIME_MS = 10_000;

export interface Supervisor {
  /** Resolves once every worker has stopped. */
  stop(signal: NodeJS.Signals): Promise<void>;
}

export async function startSupervisor(
  config: Config & { databaseUrl: string },
  logger: Logger,
): Promise<Supervisor> {
  await checkPortFree(config.port, config.host);
  await prepareDatabase(config, config.databaseUrl, logger, { migrate: true });

  // Without Redis the primary counts the login and signup attempts of all.
  const rateLimits = config.localAuth.enabled && !config.redis.url ? countHitsFor() : undefined;
  let stopping = false;
  let restartDelayMs = FIRST_RESTART_DELAY_MS;
  const startedAt = new Map<Worker, number>();

  const fork = () => {
    const worker = cluster.fork({
      TODO_WORKER: "1",
      TODO_WORKER_RATE_LIMITS: rateLimits ? "primary" : "",
    });
    startedAt.set(worker, Date.now());
    if (rateLimits) rateLimits.serve(worker);
    worker.on("exit", (code, signal) => {
      const uptimeMs = Date.now() - (startedAt.get(worker) ?? 0);
      startedAt.delete(worker);
      if (stopping) return;
      if (uptimeMs > HEALTHY_UPTIME_MS) restartDelayMs = FIRST_RESTART_DELAY_MS;
      logger.error(
        { pid: worker.process.pid, code, signal, restart_in_ms: restartDelayMs },
        "worker died; starting another",
      );
      setTimeout(() => {
        if (!stopping) fork();
      }, restartDelayMs).unref();
      restartDelayMs = Math.min(
        Math.max(restartDelayMs * 2, SECOND_RESTART_DELAY_MS),
        MAX_RESTART_DELAY_MS,
      );
    });
  };
  for (let i = 0; i < config.webConcurrency; i++) fork();
  logger.info({ workers: config.webConcurrency, port: config.port }, "started the workers");

  return {
    stop(signal) {
      stopping = true;
      const workers = [...startedAt.keys()];
      const exited = workers.map(
        (worker) => new Promise<void>((resolve) => worker.once("exit", () => resolve())),
      );
      for (const worker of workers) worker.process.kill(signal === "SIGINT" ? "SIGINT" : "SIGTERM");
      // A worker that outlives its own drain and shutdown timeouts is stuck.
      const deadline = setTimeout(
        () => {
          for (const worker of workers) worker.process.kill("SIGKILL");
        },
        config.shutdownDrainMs + config.shutdownTimeoutMs + 5_000,
      );
      return Promise.all(exited).then(() => clearTimeout(deadline));
    },
  };
}
