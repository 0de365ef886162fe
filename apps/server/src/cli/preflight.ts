// `pnpm dev`'s first step: what no edit of the code can fix (the variables,
// the port, the database), checked before the watcher starts. After a failed
// start, `tsx watch` waits for a change to the code, so without this step a
// port in use or a wrong DATABASE_URL would leave `pnpm dev` running with a
// dead API behind a live web app. With it, the same one line the server
// prints ends `pnpm dev` as a whole: turbo stops every task when one fails.
import { checkDatabase } from "@todo/db";

import { loadConfigOrExit, type Config } from "../env.js";
import {
  checkPortFree,
  migrationDatabase,
  namedDatabaseUrl,
  reportStartFailure,
} from "../start-checks.js";

async function checkStartPrerequisites(config: Config): Promise<void> {
  await checkPortFree(config.port, config.host);
  if (!config.databaseUrl) return;
  await checkDatabase(namedDatabaseUrl(config, config.databaseUrl));
  const migrations = migrationDatabase(config, config.databaseUrl);
  if (migrations.variable !== "DATABASE_URL") await checkDatabase(migrations);
}

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  try {
    await checkStartPrerequisites(config);
  } catch (error) {
    if (!reportStartFailure(error, config)) console.error(error);
    process.exit(1);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
