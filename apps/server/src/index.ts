// The server's entry point: the only place that reads the environment,
// listens, and handles signals.
import { ConfigError, loadConfig } from "./env.js";
import { createStdoutLogger } from "./logging.js";
import { startServer } from "./server.js";
import { reportStartFailure } from "./start-checks.js";

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const { logger, flushSync } = createStdoutLogger({
    level: config.logLevel,
    format: config.logFormat,
    buffered: config.env === "production",
  });
  const exit = (code: number) => {
    flushSync();
    process.exit(code);
  };
  let running;
  try {
    running = await startServer(config, logger);
  } catch (error) {
    // One plain line on stderr first; a stack trace only for what nobody foresaw.
    if (!reportStartFailure(error, config)) logger.fatal({ err: error }, "could not start");
    exit(1);
    return;
  }

  const shutdown = (signal: NodeJS.Signals) => {
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
  process.once("SIGTERM", shutdown);
  process.once("SIGINT", shutdown);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
