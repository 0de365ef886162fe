import { execFile, spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

export const SERVER_DIR = fileURLToPath(new URL("..", import.meta.url));
export const REPO_ROOT = join(SERVER_DIR, "..", "..");

/** The production build's entry point, as `pnpm start` runs it (see buildServer). */
export const BUILT_ENTRY_POINT = "dist/index.js";

/** Brings the production build up to date (turbo's cache makes this quick when it is). */
export async function buildServer(): Promise<void> {
  await promisify(execFile)(
    "pnpm",
    ["exec", "turbo", "run", "build", "--filter=@todo/server", "--output-logs=errors-only"],
    { cwd: REPO_ROOT },
  );
}

/**
 * The server's `src/index.ts` (or another of its scripts) as `pnpm dev` runs
 * it, or the build (BUILT_ENTRY_POINT) as `pnpm start` runs it, with only the
 * variables given.
 */
export function spawnEntryPoint(
  env: Record<string, string>,
  script = "src/index.ts",
): ChildProcess {
  const args = script.startsWith("dist/")
    ? [script]
    : ["--import", "tsx", "--conditions=@todo/source", script];
  return spawn(process.execPath, args, {
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
export { closedPort as freePort } from "@todo/db/testing";
