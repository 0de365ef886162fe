export { createDatabase, type Database, type DatabaseOptions } from "./client.js";
export {
  startEmbeddedPostgres,
  type EmbeddedPostgres,
  type EmbeddedPostgresOptions,
} from "./embedded.js";
export {
  applyMigrations,
  checksumOf,
  MIGRATIONS_DIR,
  MigrationError,
  readMigrations,
  type ApplyMigrationsOptions,
  type Migration,
} from "./migrate.js";
export { Prisma, Priority, type Task } from "./generated/prisma/client.js";
