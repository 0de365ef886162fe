// `pnpm db:migrate`: applies pending migrations to DIRECT_DATABASE_URL or else
// DATABASE_URL, or to the embedded database under EMBEDDED_DB_DIR when neither
// is set. A mistake of the setup (a variable, a database that is down,
// missing, refuses the user or the schema change) ends it within seconds with
// one line saying what to do, as the server's start does.
import { DatabaseSetupError, migrateNamedDatabase } from "../database-check.js";
import { startEmbeddedPostgres } from "../embedded.js";
import { DbEnvError, readDbEnv } from "../env.js";
import { applyMigrations, MigrationError } from "../migrate.js";

async function main(): Promise<string[]> {
  const env = readDbEnv();
  const log = (message: string) => console.log(message);
  const url = env.DIRECT_DATABASE_URL ?? env.DATABASE_URL;
  if (url) {
    const variable = env.DIRECT_DATABASE_URL ? "DIRECT_DATABASE_URL" : "DATABASE_URL";
    return migrateNamedDatabase(
      { variable, url, timeoutMs: env.DATABASE_QUERY_TIMEOUT_MS },
      { log },
    );
  }
  console.log(`No DATABASE_URL: migrating the embedded database in ${env.EMBEDDED_DB_DIR}`);
  const embedded = await startEmbeddedPostgres({ dataDir: env.EMBEDDED_DB_DIR, migrate: false });
  try {
    return await applyMigrations(embedded.url, { log });
  } finally {
    await embedded.stop();
  }
}

main().then(
  (applied) =>
    console.log(
      applied.length ? `${applied.length} migration(s) applied` : "Database is up to date",
    ),
  (error: unknown) => {
    process.exitCode = 1;
    if (error instanceof DbEnvError) {
      console.error(error.message);
    } else if (error instanceof DatabaseSetupError || error instanceof MigrationError) {
      console.error(`Cannot migrate: ${error.message}`);
    } else {
      // A failure nobody foresaw keeps its stack trace, after the line.
      const message = error instanceof Error ? error.message : String(error);
      console.error(`Cannot migrate: ${message.split("\n")[0]} (details follow)`);
      console.error(error);
    }
  },
);
