// `pnpm db:migrate`: applies pending migrations to DIRECT_DATABASE_URL or else
// DATABASE_URL, or to the embedded database under EMBEDDED_DB_DIR when neither
// is set.
import { startEmbeddedPostgres } from "../embedded.js";
import { readDbEnv } from "../env.js";
import { applyMigrations } from "../migrate.js";

async function main(): Promise<void> {
  const env = readDbEnv();
  const log = (message: string) => console.log(message);
  const url = env.DIRECT_DATABASE_URL ?? env.DATABASE_URL;
  if (url) {
    const applied = await applyMigrations(url, { log });
    console.log(
      applied.length ? `${applied.length} migration(s) applied` : "Database is up to date",
    );
    return;
  }
  console.log(`No DATABASE_URL: migrating the embedded database in ${env.EMBEDDED_DB_DIR}`);
  const embedded = await startEmbeddedPostgres({ dataDir: env.EMBEDDED_DB_DIR, migrate: false });
  try {
    const applied = await applyMigrations(embedded.url, { log });
    console.log(
      applied.length ? `${applied.length} migration(s) applied` : "Database is up to date",
    );
  } finally {
    await embedded.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
