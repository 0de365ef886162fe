export { createDatabase, pingDatabase, type Database, type DatabaseOptions } from "./client.js";
export {
  checkDatabase,
  DatabaseSetupError,
  migrateNamedDatabase,
  type DatabaseVariable,
  type NamedDatabase,
} from "./database-check.js";
export { databaseTimeoutMs, postgresUrl } from "./env.js";
export { isDatabaseUnavailable } from "./errors.js";
export {
  claimIdempotencyKey,
  completeIdempotencyKey,
  purgeExpiredIdempotencyKeys,
  releaseIdempotencyKey,
  writeAndStoreAnswer,
  type ClaimedWrite,
  type ClaimHandle,
  type IdempotencyClaim,
} from "./idempotency.js";
export {
  startEmbeddedPostgres,
  type EmbeddedPostgres,
  type EmbeddedPostgresOptions,
} from "./embedded.js";
export {
  applyMigrations,
  MIGRATIONS_DIR,
  MigrationError,
  readMigrations,
  type ApplyMigrationsOptions,
  type Migration,
} from "./migrate.js";
export { Prisma, Priority, type Task, type User } from "./generated/prisma/client.js";
export {
  createTask,
  DEFAULT_ORDER,
  deleteTask,
  findTask,
  listTasks,
  setTaskCompleted,
  toggleTaskCompleted,
  updateTask,
  type NewTask,
  type SortOrder,
  type ExpectedVersions,
  type TaskChanges,
  type TaskListFilters,
  type TaskPage,
  type TaskRecord,
  type TaskSort,
  type TaskWrite,
} from "./tasks.js";
export type { TaskStore } from "./task-store.js";
export {
  createUser,
  findUserByEmail,
  findUserById,
  normalizeEmail,
  updatePasswordHash,
  type NewUser,
} from "./users.js";
