import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createConnection, createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

// A PgBouncer of the tests' own, in transaction mode, in front of a real
// PostgreSQL: the pooler most deployments put between this server and its
// database (Neon, Supabase and Heroku run one). Tests start it from Debian's
// `pgbouncer` package; nothing here is used in production.

/** Where Debian puts the binary; /usr/sbin is not on a normal user's PATH. */
const SEARCH_PATH = ["/usr/sbin", "/usr/local/sbin"];

export interface PgBouncerBinary {
  path: string;
  /** e.g. "1.18.0" */
  version: string;
}

/** The installed `pgbouncer` and its version, or null when there is none. */
export function findPgBouncer(): PgBouncerBinary | null {
  for (const path of ["pgbouncer", ...SEARCH_PATH.map((dir) => join(dir, "pgbouncer"))]) {
    const run = spawnSync(path, ["--version"], { encoding: "utf8" });
    const version = /PgBouncer (\d+\.\d+\.\d+)/.exec(run.stdout ?? "")?.[1];
    if (run.status === 0 && version) return { path, version };
  }
  return null;
}

export interface RunningPgBouncer {
  /**
   * The pooler's URL, without a database: the same user, and the URL
   * parameter `pgbouncer=true` (this PgBouncer is older than 1.21 or has no
   * `max_prepared_statements`). Set its path to name a database.
   */
  url: string;
  /** Its port on 127.0.0.1. */
  port: number;
  stop(): Promise<void>;
}

export interface PgBouncerOptions {
  /**
   * Server connections per database and user. Fewer than the app's own pool,
   * so that one client connection's transactions land on different server
   * connections, as they do under load: what breaks session state shows.
   */
  poolSize?: number;
  binary?: PgBouncerBinary;
}

/**
 * Starts PgBouncer in transaction mode on a free port of 127.0.0.1, in front
 * of the server at `serverUrl`, for every database on it (a wildcard entry:
 * the tests' databases are made as they run). Resolves once it accepts
 * connections; `stop()` ends it and removes its files.
 */
export async function startPgBouncer(
  serverUrl: string,
  options: PgBouncerOptions = {},
): Promise<RunningPgBouncer> {
  const binary = options.binary ?? findPgBouncer();
  if (!binary) throw new Error("pgbouncer is not installed (Debian: apt-get install pgbouncer)");
  const server = new URL(serverUrl);
  const user = decodeURIComponent(server.username) || "postgres";
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), "todo-pgbouncer-"));
  const config = join(dir, "pgbouncer.ini");
  const target = [
    `host=${server.hostname.replace(/^\[|\]$/g, "")}`,
    `port=${server.port || "5432"}`,
    `user=${user}`,
    // Quoted, with ' doubled, as PgBouncer reads a connection string.
    ...(server.password
      ? [`password='${decodeURIComponent(server.password).replaceAll("'", "''")}'`]
      : []),
  ];
  await writeFile(
    config,
    [
      "[databases]",
      `* = ${target.join(" ")}`,
      "[pgbouncer]",
      "listen_addr = 127.0.0.1",
      `listen_port = ${port}`,
      "unix_socket_dir =",
      // Clients are the tests on this machine; PgBouncer logs in as `user`.
      "auth_type = any",
      "pool_mode = transaction",
      `default_pool_size = ${options.poolSize ?? 2}`,
      "max_client_conn = 1000",
      "log_connections = 0",
      "log_disconnections = 0",
      "",
    ].join("\n"),
    { mode: 0o600 },
  );
  // PgBouncer refuses to run as root; -u makes it drop to that user, after
  // reading its config.
  const asRoot = process.getuid?.() === 0 ? ["-u", "nobody"] : [];
  const child = spawn(binary.path, [...asRoot, config], { stdio: ["ignore", "ignore", "pipe"] });
  const output: string[] = [];
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => output.push(chunk));
  // A test run that dies without its teardown must not leave it running.
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));

  const stop = async () => {
    process.off("exit", killOnExit);
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await untilListening(port, child);
  } catch (error) {
    await stop();
    const log = output.join("").trim();
    throw new Error(`${(error as Error).message}${log ? `; its log:\n${log}` : ""}`, {
      cause: error,
    });
  }
  const url = new URL(`postgresql://127.0.0.1:${port}/`);
  url.username = server.username || "postgres";
  url.searchParams.set("pgbouncer", "true");
  return { url: url.toString(), port, stop };
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** Resolves once `port` accepts a connection; rejects if `child` exits first or 10 s pass. */
async function untilListening(port: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`pgbouncer exited at start (${child.exitCode ?? child.signalCode})`);
    }
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: "127.0.0.1", port });
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`pgbouncer did not listen on 127.0.0.1:${port} within 10 s`);
}
