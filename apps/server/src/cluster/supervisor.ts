import cluster, { type Worker } from "node:cluster";
import { once } from "node:events";

import type { Logger } from "pino";

import type { Config } from "../env.js";
import { refusedOriginLogger } from "../refused-origins.js";
import { prepareDatabase } from "../server.js";
import { checkPortFree } from "../start-checks.js";
import { countHitsFor } from "./shared-rate-limits.js";
import { logRefusedOriginsOf } from "./shared-refused-origins.js";
import { isStartFailure, type StartFailureMessage } from "./start-failure.js";

// `WEB_CONCURRENCY` workers sharing the port, as `uvicorn --workers N`: the
// primary checks the port and the database (bounded, as one process does),
// applies the migrations once, forks the workers and starts a new one when
// one dies; on SIGTERM/SIGINT it has every worker drain and stop, then exits
// 0. The primary serves no request itself.
//
// Once a worker has been ready, the server has started: a worker that dies
// is replaced, for as long as it takes, and the primary never ends on its
// own (its restart timers keep it alive even when no worker is). Before
// then, a worker that dies failed to start: after START_FAILURES_ALLOWED of
// those the server did not start, and the primary stops the others and
// ends with exit code 1 and the workers' one line, so that a process manager
// sees a failure (systemd's Restart=on-failure starts it again).

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
/** Workers that may die before any has been ready, before the start counts as failed. */
const START_FAILURES_ALLOWED = 3;
/** How long to wait for a dead worker's last message (its reason) once it has exited. */
const LAST_WORDS_MS = 1_000;

export interface Supervisor {
  /** Resolves once every worker has stopped. */
  stop(signal: NodeJS.Signals): Promise<void>;
}

export interface SupervisorEvents {
  /**
   * No worker could start: every worker has stopped, and `line` says why (a
   * worker's own one line when it had one). The server has not started.
   */
  onStartFailed(line: string): void;
}

export async function startSupervisor(
  config: Config & { databaseUrl: string },
  logger: Logger,
  events: SupervisorEvents,
): Promise<Supervisor> {
  await checkPortFree(config.port, config.host);
  await prepareDatabase(config, config.databaseUrl, logger, { migrate: true });

  // Without Redis the primary counts the login and signup attempts of all.
  const rateLimits = config.localAuth.enabled && !config.redis.url ? countHitsFor() : undefined;
  // A refused CORS origin is logged here, once for the server, not once per worker.
  const logRefusedOrigin = refusedOriginLogger(logger, config.corsOrigins);
  let stopping = false;
  let started = false;
  let startFailures = 0;
  let restartDelayMs = FIRST_RESTART_DELAY_MS;
  const startedAt = new Map<Worker, number>();
  const restarts = new Set<NodeJS.Timeout>();

  const stopWorkers = (signal: NodeJS.Signals) => {
    stopping = true;
    for (const timer of restarts) clearTimeout(timer);
    const workers = [...startedAt.keys()];
    const exited = workers.map(
      (worker) => new Promise<void>((resolve) => worker.once("exit", () => resolve())),
    );
    for (const worker of workers) worker.process.kill(signal);
    // A worker that outlives its own drain and shutdown timeouts is stuck.
    const deadline = setTimeout(
      () => {
        for (const worker of workers) worker.process.kill("SIGKILL");
      },
      config.shutdownDrainMs + config.shutdownTimeoutMs + 5_000,
    );
    return Promise.all(exited).then(() => clearTimeout(deadline));
  };

  const fork = () => {
    const worker = cluster.fork({
      TODO_WORKER: "1",
      TODO_WORKER_RATE_LIMITS: rateLimits ? "primary" : "",
    });
    startedAt.set(worker, Date.now());
    if (rateLimits) rateLimits.serve(worker);
    logRefusedOriginsOf(worker, logRefusedOrigin);
    let failure: StartFailureMessage | undefined;
    worker.on("message", (message) => {
      if (isStartFailure(message)) failure = message;
    });
    let listened = false;
    worker.once("listening", () => {
      started = listened = true;
    });
    worker.once("exit", (code, signal) => {
      const uptimeMs = Date.now() - (startedAt.get(worker) ?? 0);
      startedAt.delete(worker);
      if (stopping) return;
      // Only a worker that never listened has last words: why it could not start.
      void (listened ? Promise.resolve() : lastWordsOf(worker)).then(() => {
        if (stopping) return;
        const died = { pid: worker.process.pid, code, signal, reason: failure?.line };
        if (!started && ++startFailures >= START_FAILURES_ALLOWED) {
          logger.error(died, "worker could not start; no worker could");
          const line = whyNoWorkerStarted(failure, { code, signal, tried: startFailures });
          void stopWorkers("SIGTERM").then(() => events.onStartFailed(line));
          return;
        }
        if (uptimeMs > HEALTHY_UPTIME_MS) restartDelayMs = FIRST_RESTART_DELAY_MS;
        logger.error({ ...died, restart_in_ms: restartDelayMs }, "worker died; starting another");
        // Not unref'd: while no worker runs, this timer is what keeps the
        // primary alive; an exit then would be a 0 for a server that is down.
        const timer = setTimeout(() => {
          restarts.delete(timer);
          if (!stopping) fork();
        }, restartDelayMs);
        restarts.add(timer);
        restartDelayMs = Math.min(
          Math.max(restartDelayMs * 2, SECOND_RESTART_DELAY_MS),
          MAX_RESTART_DELAY_MS,
        );
      });
    });
  };
  for (let i = 0; i < config.webConcurrency; i++) fork();
  logger.info({ workers: config.webConcurrency, port: config.port }, "started the workers");

  return {
    stop: (signal) => stopWorkers(signal === "SIGINT" ? "SIGINT" : "SIGTERM"),
  };
}

/** The line for a server none of whose workers could start: the last one's own, when it had one. */
function whyNoWorkerStarted(
  failure: StartFailureMessage | undefined,
  exit: { code: number; signal: string; tried: number },
): string {
  if (failure?.explained) return failure.line;
  const last = failure?.line ?? `the last exited with ${exit.signal || `code ${exit.code}`}`;
  return `no worker could start (${exit.tried} tried; ${last}). The log above says why.`;
}

/**
 * Resolves once a dead worker's message channel has closed too: a message
 * it sent just before exiting (why it could not start) may be read after
 * its exit is.
 */
async function lastWordsOf(worker: Worker): Promise<void> {
  if (!worker.isConnected()) return;
  const enough = AbortSignal.timeout(LAST_WORDS_MS);
  await once(worker, "disconnect", { signal: enough }).catch(() => undefined);
}
