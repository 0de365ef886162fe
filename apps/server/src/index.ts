// The server's entry point: the only place that reads the environment,
// listens, and handles signals. With WEB_CONCURRENCY > 1 this process is the
// primary of a cluster (cluster/supervisor.ts) and each worker runs this file
// again, as one server.
import cluster from "node:cluster";

import { createPrimaryRateLimitStore } from "./cluster/shared-rate-limits.js";
import { reportRefusedOriginsTo } from "./cluster/shared-refused-origins.js";
import { tellPrimaryWhyNotStarted } from "./cluster/start-failure.js";
import { startSupervisor } from "./cluster/supervisor.js";
import { loadConfigOrExit } from "./env.js";
import { createStdoutLogger } from "./logging.js";
import { startServer } from "./server.js";
import { reportStartFailure, startFailureLine } from "./start-checks.js";

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const { logger, flushSync } = createStdoutLogger({
    level: config.logLevel,
    format: config.logFormat,
    buffered: config.env === "production",
  });
  const exit = (code: number) => {
    flushSync();
    process.exit(code);
  };
  // Outside any request nothing catches a failure (a request's own failures
  // end in the error handler): log it and exit non-zero, so the cluster's
  // primary or the process manager starts a clean process.
  process.on("uncaughtException", (error) => {
    logger.fatal({ err: error }, "uncaught exception: exiting");
    exit(1);
  });
  process.on("unhandledRejection", (reason) => {
    logger.fatal({ err: reason }, "unhandled promise rejection: exiting");
    exit(1);
  });

  const inCluster = cluster.isPrimary && config.webConcurrency > 1;
  if (inCluster && !config.databaseUrl) {
    logger.warn("the embedded database serves one process: WEB_CONCURRENCY is taken as 1");
  }
  let running: { close(): Promise<void> };
  try {
    running =
      inCluster && config.databaseUrl
        ? await startSupervisor({ ...config, databaseUrl: config.databaseUrl }, logger, {
            // No worker could start: the server did not, and says so as one process would.
            onStartFailed: (line) => {
              process.stderr.write(`Cannot start: ${line}\n`);
              exit(1);
            },
          }).then((supervisor) => ({ close: () => supervisor.stop("SIGTERM") }))
        : await startServer(config, logger, {
            // A worker: the primary checked the port and migrated, and may
            // count the rate limits and log the refused origins.
            migrate: cluster.isPrimary,
            listenFirst: cluster.isPrimary,
            rateLimitStore:
              process.env.TODO_WORKER_RATE_LIMITS === "primary"
                ? createPrimaryRateLimitStore(
                    process as Parameters<typeof createPrimaryRateLimitStore>[0],
                  )
                : undefined,
            onRefusedOrigin: cluster.isWorker ? reportRefusedOriginsTo(process) : undefined,
          });
  } catch (error) {
    if (cluster.isWorker) {
      // The primary says it, once for the server (cluster/supervisor.ts).
      const failure = startFailureLine(error, config);
      if (!failure.explained) logger.fatal({ err: error }, "could not start");
      await tellPrimaryWhyNotStarted(process, failure);
    } else if (!reportStartFailure(error, config)) {
      // One plain line on stderr first; a stack trace only for what nobody foresaw.
      logger.fatal({ err: error }, "could not start");
    }
    exit(1);
    return;
  }

  // Every signal after the first is ignored: Ctrl-C reaches the primary and
  // its workers at once, and the primary then passes it on again.
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down");
    running.close().then(
      () => {
        logger.info("stopped");
        exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, "shutdown failed");
        exit(1);
      },
    );
  };
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
