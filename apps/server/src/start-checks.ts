import type { Server } from "node:http";
import { createServer as createNetServer } from "node:net";

import { DatabaseSetupError, MigrationError, type NamedDatabase } from "@todo/db";

import type { Config } from "./env.js";

// What stops the server from starting, found early and said in one line: the
// variable, what is wrong with it, and what to do. Everything here is a
// mistake of the setup (a port, a URL, a server not running), which no edit
// of the code fixes.

type StartConfig = Pick<Config, "port" | "host">;

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

/** DATABASE_URL, as the start-up checks name it. */
export function namedDatabaseUrl(
  config: Pick<Config, "databaseQueryTimeoutMs">,
  url: string,
): NamedDatabase {
  return { variable: "DATABASE_URL", url, timeoutMs: config.databaseQueryTimeoutMs };
}

/** Where migrations run: DIRECT_DATABASE_URL when set (DATABASE_URL may be a pooler's), else DATABASE_URL. */
export function migrationDatabase(
  config: Pick<Config, "directDatabaseUrl" | "databaseQueryTimeoutMs">,
  databaseUrl: string,
): NamedDatabase {
  return config.directDatabaseUrl
    ? {
        variable: "DIRECT_DATABASE_URL",
        url: config.directDatabaseUrl,
        timeoutMs: config.databaseQueryTimeoutMs,
      }
    : namedDatabaseUrl(config, databaseUrl);
}

/**
 * The one line for a start-up failure a person can fix, or undefined for
 * anything else (a bug: its stack trace is what helps then). The database's
 * lines are @todo/db's, the same `pnpm db:migrate` prints.
 */
export function explainStartFailure(error: unknown, config: StartConfig): string | undefined {
  if (error instanceof MigrationError || error instanceof DatabaseSetupError) return error.message;
  const { code, syscall } = (error ?? {}) as { code?: unknown; syscall?: unknown };
  return syscall === "listen" ? explainListenFailure(code, config) : undefined;
}

function explainListenFailure(code: unknown, config: StartConfig): string | undefined {
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

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Why the server did not start, in one line: the explanation, or for a
 * failure nobody foresaw (`explained` false) its message's first line, whose
 * stack trace should follow.
 */
export function startFailureLine(
  error: unknown,
  config: StartConfig,
): { line: string; explained: boolean } {
  const explained = explainStartFailure(error, config);
  return explained === undefined
    ? { line: messageOf(error).split("\n")[0] ?? "", explained: false }
    : { line: explained, explained: true };
}

/**
 * Says why the server did not start, on stderr: the one line first, then, for
 * a failure nobody foresaw, its stack trace. True when the line says it all.
 */
export function reportStartFailure(error: unknown, config: StartConfig): boolean {
  const { line, explained } = startFailureLine(error, config);
  process.stderr.write(`Cannot start: ${line}${explained ? "" : " (details follow)"}\n`);
  return explained;
}
