import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createServer, type Server, type Socket } from "node:net";
import { fileURLToPath } from "node:url";

export const SERVER_DIR = fileURLToPath(new URL("..", import.meta.url));

/**
 * The server's `src/index.ts` (or another of its scripts) as `pnpm dev` runs
 * it, with only the variables given.
 */
export function spawnEntryPoint(
  env: Record<string, string>,
  script = "src/index.ts",
): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", "--conditions=@todo/source", script], {
    cwd: SERVER_DIR,
    stdio: ["ignore", "pipe", "pipe"],
    env: { PATH: process.env.PATH, HOST: "127.0.0.1", ...env },
  });
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** From the spawn to the exit. */
  elapsedMs: number;
}

/** Runs the entry point until it exits; killed (and the test failed) after `timeoutMs` (20 s). */
export async function runEntryPoint(
  env: Record<string, string>,
  options: { script?: string; timeoutMs?: number } = {},
): Promise<Exit> {
  const started = performance.now();
  const child = spawnEntryPoint(env, options.script);
  let stdout = "";
  let stderr = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 20_000);
  const [code, signal] = (await once(child, "exit")) as [number | null, NodeJS.Signals | null];
  clearTimeout(timer);
  return { code, signal, stdout, stderr, elapsedMs: performance.now() - started };
}

/** A port nothing listens on (free a moment ago). */
export async function freePort(): Promise<number> {
  const server = await listening(createServer());
  const port = portOf(server);
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A TCP server that holds its port and never says a word: a database behind a dead network. */
export async function silentServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = await listening(
    createServer((socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
    }),
  );
  return {
    port: portOf(server),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

async function listening(server: Server): Promise<Server> {
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return server;
}

function portOf(server: Server): number {
  const address = server.address();
  if (typeof address !== "object" || address === null) throw new Error("not listening");
  return address.port;
}

/**
 * A stand-in PostgreSQL that refuses every connection as PostgreSQL does: an
 * ErrorResponse with this SQLSTATE after the startup message (protocol 3.0).
 */
export async function refusingPostgres(
  sqlstate: string,
  message: string,
): Promise<{ port: number; close: () => Promise<void> }> {
  const server = await listening(
    createServer((socket) => {
      socket.once("data", () => {
        const fields = Buffer.concat([
          ...[`SFATAL`, `VFATAL`, `C${sqlstate}`, `M${message}`].map((field) =>
            Buffer.from(`${field}\0`, "utf8"),
          ),
          Buffer.from([0]),
        ]);
        const header = Buffer.alloc(5);
        header.write("E", 0, "ascii");
        header.writeInt32BE(fields.length + 4, 1);
        socket.end(Buffer.concat([header, fields]));
      });
      socket.on("error", () => undefined);
    }),
  );
  return {
    port: portOf(server),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
