import pg from "pg";

import { applyMigrations, type ApplyMigrationsOptions } from "./migrate.js";

// A wrong database URL is the commonest mistake of a setup, and the server,
// its cluster's primary and `pnpm db:migrate` all meet it the same way: one
// connection first, bounded, and a failure said in one line that names the
// variable, what is wrong and what to do. No edit of the code fixes any of
// these, so none needs a stack trace.

export type DatabaseVariable = "DATABASE_URL" | "DIRECT_DATABASE_URL";

/** A database as the environment names it: the variable, its URL, and how long to wait for it. */
export interface NamedDatabase {
  variable: DatabaseVariable;
  url: string;
  /** For the connection, and for the first query's answer, in ms. */
  timeoutMs: number;
}

/** The database a variable names cannot be used; the message is the one line to print. */
export class DatabaseSetupError extends Error {
  override name = "DatabaseSetupError";
  constructor(
    readonly variable: DatabaseVariable,
    message: string,
    options: { cause: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Connects and runs `SELECT 1`, each within `timeoutMs`: a server that is
 * down, missing, refuses the login, or never answers is a DatabaseSetupError.
 */
export async function checkDatabase(database: NamedDatabase): Promise<void> {
  const client = new pg.Client({
    connectionString: database.url,
    connectionTimeoutMillis: database.timeoutMs,
    query_timeout: database.timeoutMs,
  });
  // A connection lost after connecting is reported here as well as to the
  // query; without a listener it would end the process.
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.query("SELECT 1");
  } catch (error) {
    throw new DatabaseSetupError(database.variable, explainConnectFailure(error, database), {
      cause: error,
    });
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Checks the database, then applies the pending migrations to it. A role that
 * may not change the schema is a DatabaseSetupError too; a migration's own
 * failure stays a MigrationError, which names it.
 */
export async function migrateNamedDatabase(
  database: NamedDatabase,
  options: ApplyMigrationsOptions = {},
): Promise<string[]> {
  await checkDatabase(database);
  try {
    return await applyMigrations(database.url, {
      ...options,
      connectionTimeoutMs: database.timeoutMs,
    });
  } catch (error) {
    const denied = findPermissionDenied(error);
    if (!denied) throw error;
    throw new DatabaseSetupError(database.variable, explainPermissionDenied(denied, database), {
      cause: error,
    });
  }
}

/** node-postgres's words for a connection attempt or a query that got no answer in time. */
const TIMEOUT_MESSAGES = new Set([
  "timeout expired",
  "timeout exceeded when trying to connect",
  "Connection terminated due to connection timeout",
  "Query read timeout",
]);

function explainConnectFailure(error: unknown, database: NamedDatabase): string {
  const { variable } = database;
  const target = describeDatabaseUrl(database.url);
  const where = `${target.host}:${target.port}`;
  const orElse =
    variable === "DATABASE_URL"
      ? "or unset DATABASE_URL to use the embedded database"
      : "or unset DIRECT_DATABASE_URL to migrate over DATABASE_URL";
  const { code, severity } = errorFields(error);
  switch (code) {
    case "ECONNREFUSED":
      return (
        `${variable} points at ${where}, where no PostgreSQL is listening (connection refused). ` +
        `Start PostgreSQL there, correct the host or port, ${orElse}.`
      );
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `${variable} names the host "${target.host}", which cannot be found. Correct the host name, ${orElse}.`;
    case "3D000":
      return (
        `${variable} names the database "${target.database}", which does not exist on ${where}. ` +
        `Create it (createdb -h ${target.host} -p ${target.port} -U ${target.user} ${target.database}), ` +
        `or point ${variable} at a database that exists.`
      );
    case "28P01":
      return `${variable}: ${where} refused the password of user "${target.user}". Correct the user and password in ${variable}.`;
    case "28000":
      return `${variable}: ${where} refused user "${target.user}" (${messageOf(error)}). Correct the user in ${variable}, or let it in (pg_hba.conf).`;
  }
  if (severity !== undefined) {
    return `${variable}: PostgreSQL at ${where} refused the connection (${messageOf(error)}). Try again once it accepts connections, or check its settings.`;
  }
  if (TIMEOUT_MESSAGES.has(messageOf(error)) || code === "ETIMEDOUT") {
    return (
      `${variable} points at ${where}, which gave no PostgreSQL answer within ${database.timeoutMs} ms. ` +
      "Check the host and port, and that no firewall is in between."
    );
  }
  if (messageOf(error).startsWith("Connection terminated")) {
    return (
      `${variable} points at ${where}, which closed the connection before PostgreSQL answered. ` +
      "Check the host and port, and that nothing in between cuts the connection."
    );
  }
  return (
    `${variable} points at ${where}, which did not answer as PostgreSQL does (${messageOf(error)}). ` +
    `Check the host and port, ${orElse}.`
  );
}

function explainPermissionDenied(denied: Error, database: NamedDatabase): string {
  const { variable } = database;
  const { user, database: name } = describeDatabaseUrl(database.url);
  const fix =
    variable === "DATABASE_URL"
      ? "Set DIRECT_DATABASE_URL to a URL of the database's owner, where migrations then run, or"
      : "Point DIRECT_DATABASE_URL at the database's owner, or";
  return (
    `${variable}: user "${user}" may not change the schema of database "${name}" ` +
    `(${denied.message}), and the migrations run as that user. ${fix} let the user ` +
    `create tables (as the owner: GRANT CREATE ON SCHEMA public TO "${user}").`
  );
}

/** PostgreSQL's insufficient_privilege (42501), the error itself or what a MigrationError wraps. */
function findPermissionDenied(error: unknown): Error | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 4; depth++) {
    if (errorFields(current).code === "42501") return current;
    current = current.cause;
  }
  return undefined;
}

interface DatabaseTarget {
  host: string;
  port: string;
  user: string;
  database: string;
}

/** The parts of the URL worth saying; never its password. */
function describeDatabaseUrl(url: string): DatabaseTarget {
  const parsed = new URL(url);
  return {
    host: parsed.hostname || parsed.searchParams.get("host") || "localhost",
    port: parsed.port || "5432",
    user: decodeURIComponent(parsed.username) || "postgres",
    database: decodeURIComponent(parsed.pathname.slice(1)) || decodeURIComponent(parsed.username),
  };
}

/**
 * What kind of error it is: node-postgres passes Node's socket errors (`code`,
 * `syscall`) and PostgreSQL's (SQLSTATE `code`, `severity`) through as they
 * are; a host with several addresses fails as an AggregateError whose first
 * error says why.
 */
function errorFields(error: unknown): { code?: string; syscall?: string; severity?: string } {
  if (typeof error !== "object" || error === null) return {};
  const { code, syscall, severity, errors } = error as Record<string, unknown>;
  if (code === undefined && Array.isArray(errors) && errors.length > 0) {
    return errorFields(errors[0]);
  }
  const text = (value: unknown) => (typeof value === "string" ? value : undefined);
  return { code: text(code), syscall: text(syscall), severity: text(severity) };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
