import type { Server } from "node:http";
import { createServer as createNetServer } from "node:net";

import { createDatabase, MigrationError, type Database, type DatabaseOptions } from "@todo/db";

import type { Config } from "./env.js";

// What stops the server from starting, found early and said in one line: the
// variable, what is wrong with it, and what to do. Everything here is a
// mistake of the setup (a port, a URL, a server not running), which no edit
// of the code fixes.

type StartConfig = Pick<
  Config,
  "port" | "host" | "databaseUrl" | "directDatabaseUrl" | "databaseQueryTimeoutMs"
>;

/** Listens on the port, or rejects with the listen error (EADDRINUSE, …). */
export function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const fail = (error: Error) => reject(error);
    server.once("error", fail);
    server.listen(port, host, () => {
      server.off("error", fail);
      resolve();
    });
  });
}

/** Takes the port for a moment and lets it go: the listen error, if any, is the server's. */
export async function checkPortFree(port: number, host: string): Promise<void> {
  const probe = createNetServer();
  await listen(probe as unknown as Server, port, host);
  await new Promise<void>((resolve) => probe.close(() => resolve()));
}

/**
 * A database whose first connection has been made: the connection errors a
 * wrong DATABASE_URL causes arrive here, within the pool's connection timeout,
 * instead of in the first request.
 */
export async function openCheckedDatabase(
  url: string,
  options: DatabaseOptions,
  variable: DatabaseConnectError["variable"] = "DATABASE_URL",
): Promise<Database> {
  const db = createDatabase(url, options);
  try {
    await db.tasks.query("SELECT 1", []);
    return db;
  } catch (error) {
    await closeDatabase(db).catch(() => undefined);
    throw new DatabaseConnectError(error, variable);
  }
}

/** Closes the client and its pool. */
export async function closeDatabase(db: Database): Promise<void> {
  await db.$disconnect();
}

/**
 * Connects once to DIRECT_DATABASE_URL, where migrations run, bounded as
 * DATABASE_URL's first connection is: the migrator's own connection would
 * wait for TCP to give up on a dead network.
 */
export async function checkDirectDatabase(url: string, timeoutMs: number): Promise<void> {
  const db = await openCheckedDatabase(
    url,
    { poolSize: 1, connectionTimeoutMs: timeoutMs, queryTimeoutMs: timeoutMs },
    "DIRECT_DATABASE_URL",
  );
  await closeDatabase(db);
}

/** The first connection to DATABASE_URL (or DIRECT_DATABASE_URL) failed; `cause` says how. */
export class DatabaseConnectError extends Error {
  override name = "DatabaseConnectError";
  constructor(
    cause: unknown,
    readonly variable: "DATABASE_URL" | "DIRECT_DATABASE_URL" = "DATABASE_URL",
  ) {
    super(`could not connect to the database: ${messageOf(cause)}`, { cause });
  }
}

/**
 * The one line for a start-up failure a person can fix, or undefined for
 * anything else (a bug: its stack trace is what helps then).
 */
export function explainStartFailure(error: unknown, config: StartConfig): string | undefined {
  if (error instanceof MigrationError) return error.message;
  if (error instanceof DatabaseConnectError) {
    const url = error.variable === "DATABASE_URL" ? config.databaseUrl : config.directDatabaseUrl;
    if (url)
      return explainConnectFailure(error.cause, error.variable, describeDatabaseUrl(url), config);
  }
  const { code, syscall } = errorFields(error);
  return syscall === "listen" ? explainListenFailure(code, config) : undefined;
}

function explainListenFailure(code: string | undefined, config: StartConfig): string | undefined {
  const { port, host } = config;
  switch (code) {
    case "EADDRINUSE":
      return (
        `PORT ${port} is already in use on ${host}: another process is listening there ` +
        "(another `pnpm dev` or `pnpm start`?). Stop it, or set PORT to a free port."
      );
    case "EACCES":
      return `PORT ${port} needs privileges this process does not have. Set PORT above 1023 (the default is 8000).`;
    case "EADDRNOTAVAIL":
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `HOST ${host} is not an address of this machine. Set HOST to 0.0.0.0 (every interface) or 127.0.0.1.`;
    default:
      return undefined;
  }
}

/** node-postgres's words for a connection attempt that got no answer in time. */
const TIMEOUT_MESSAGES = new Set([
  "timeout exceeded when trying to connect",
  "Connection terminated due to connection timeout",
]);

function explainConnectFailure(
  error: unknown,
  variable: DatabaseConnectError["variable"],
  target: DatabaseTarget,
  config: StartConfig,
): string {
  const where = `${target.host}:${target.port}`;
  const orEmbedded =
    variable === "DATABASE_URL"
      ? "or unset DATABASE_URL to use the embedded database"
      : "or unset DIRECT_DATABASE_URL to migrate over DATABASE_URL";
  const { code, severity } = errorFields(error);
  switch (code) {
    case "ECONNREFUSED":
      return (
        `${variable} points at ${where}, where no PostgreSQL is listening (connection refused). ` +
        `Start PostgreSQL there, correct the host or port, ${orEmbedded}.`
      );
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `${variable} names the host "${target.host}", which cannot be found. Correct the host name, ${orEmbedded}.`;
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
      `${variable} points at ${where}, which gave no PostgreSQL answer within ${config.databaseQueryTimeoutMs} ms. ` +
      "Check the host and port, and that no firewall is in between."
    );
  }
  if (messageOf(error) === "Connection terminated unexpectedly") {
    return (
      `${variable} points at ${where}, which closed the connection before PostgreSQL answered. ` +
      "Check the host and port, and that nothing in between cuts the connection."
    );
  }
  return (
    `${variable} points at ${where}, which did not answer as PostgreSQL does (${messageOf(error)}). ` +
    `Check the host and port, ${orEmbedded}.`
  );
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

/**
 * Says why the server did not start, on stderr: the one line first, then, for
 * a failure nobody foresaw, its stack trace. True when the line says it all.
 */
export function reportStartFailure(error: unknown, config: StartConfig): boolean {
  const explained = explainStartFailure(error, config);
  const line = explained ?? `${messageOf(error).split("\n")[0]} (details follow)`;
  process.stderr.write(`Cannot start: ${line}\n`);
  return explained !== undefined;
}
