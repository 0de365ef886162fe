import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { get } from "node:http";
import { createServer } from "node:net";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";

/** A server the bench started, listening and healthy. */
export interface HttpProcess {
  /** What the bench calls it in its messages, and its log file's name. */
  label: string;
  /** The process the bench started (a cluster's primary). */
  pid: number;
  url: string;
  /** From spawn to the first 200 on /health, in ms. */
  startupMs: number;
  logFile: string;
  /** Why the process is gone, when it died before `stop()`. */
  exitReason(): string | undefined;
  /** SIGTERM, then SIGKILL after a grace period; resolves once the process has exited. */
  stop(): Promise<void>;
}

const HEALTH_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 15_000;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

function healthStatus(url: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const request = get(`${url}/health`, { agent: false }, (response) => {
      response.resume();
      resolve(response.statusCode);
    });
    request.setTimeout(1_000, () => request.destroy());
    request.once("error", () => resolve(undefined));
  });
}

export function logTail(logFile: string, lines = 20): string {
  try {
    return readFileSync(logFile, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

async function startHttpProcess(options: {
  label: HttpProcess["label"];
  args: string[];
  cwd: string;
  env: Record<string, string>;
  logFile: string;
}): Promise<HttpProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // The child's output goes to a file: the terminal stays readable, and the
  // process writes its log at full speed as it would in production.
  const log = openSync(options.logFile, "w");
  const started = performance.now();
  const child = spawn(process.execPath, options.args, {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? "", ...options.env, PORT: String(port), HOST: "127.0.0.1" },
    stdio: ["ignore", log, log],
  });
  closeSync(log);
  let exitReason: string | undefined;
  child.once("exit", (code, signal) => {
    exitReason = `${options.label} exited (${signal ?? `code ${code}`})`;
  });
  child.once("error", (error) => {
    exitReason = `${options.label} could not start: ${error.message}`;
  });

  const stop = async () => {
    if (exitReason) return;
    child.kill("SIGTERM");
    if (!(await waitForExit(child, STOP_GRACE_MS))) {
      child.kill("SIGKILL");
      await waitForExit(child, STOP_GRACE_MS);
    }
  };

  while ((await healthStatus(url)) !== 200) {
    if (exitReason || performance.now() - started > HEALTH_TIMEOUT_MS) {
      await stop();
      throw new Error(
        `${exitReason ?? `${options.label}: no 200 on /health within ${HEALTH_TIMEOUT_MS} ms`}; ` +
          `last lines of ${options.logFile}:\n${logTail(options.logFile)}`,
      );
    }
    await sleep(10);
  }
  return {
    label: options.label,
    pid: child.pid!,
    url,
    startupMs: performance.now() - started,
    logFile: options.logFile,
    exitReason: () => exitReason,
    stop,
  };
}

export interface ServerSettings {
  databaseUrl: string;
  secret: string;
  logDir: string;
}

/**
 * The arguments after `node` in apps/server's `start` script (its V8 flags
 * and the entry point), so the bench runs exactly what `pnpm start` runs.
 * The script may `exec` node (so that signals reach it); the bench starts
 * node itself.
 */
export function startScriptArgs(serverDir: string): string[] {
  const manifest = JSON.parse(readFileSync(join(serverDir, "package.json"), "utf8")) as {
    scripts?: Record<string, string>;
  };
  const words = (manifest.scripts?.start ?? "").trim().split(/\s+/);
  const [command, ...args] = words[0] === "exec" ? words.slice(1) : words;
  if (command !== "node" || args.length === 0 || args.some((arg) => /[$"'`&|;<>]/.test(arg))) {
    throw new Error(`apps/server's start script is not a plain "node …" command: ${command}`);
  }
  return args;
}

/** Node's arguments to write a CPU profile into `dir` on exit. */
const profiling = (dir: string | undefined) => (dir ? ["--cpu-prof", `--cpu-prof-dir=${dir}`] : []);

/**
 * The production build, as `pnpm start` runs it: NODE_ENV=production and the
 * default `info` log level (one line per request — a cost every user pays).
 * Nothing else from the caller's environment reaches it, so every setting
 * not given here is the server's default (a pool of 10 per process, …), but
 * for the workers: one process, as the baseline is, unless `workers` says
 * otherwise. `label` names it in messages and names its log file.
 */
export function startTodoServer(
  repoRoot: string,
  settings: ServerSettings & { profileDir?: string; workers?: number; label?: string },
): Promise<HttpProcess> {
  const serverDir = join(repoRoot, "apps/server");
  const label = settings.label ?? "server";
  return startHttpProcess({
    label,
    args: [...profiling(settings.profileDir), ...startScriptArgs(serverDir)],
    cwd: serverDir,
    env: {
      NODE_ENV: "production",
      DATABASE_URL: settings.databaseUrl,
      BETTER_AUTH_SECRET: settings.secret,
      LOG_LEVEL: "info",
      WEB_CONCURRENCY: String(settings.workers ?? 1),
      SHUTDOWN_DRAIN_MS: "0",
    },
    logFile: join(settings.logDir, `${label.replaceAll(/[^\w.-]+/g, "-")}.log`),
  });
}

/** The bench's own plain node:http server (baseline-server.ts), through tsx. */
export function startBaselineServer(
  benchDir: string,
  settings: ServerSettings & { profileDir?: string },
): Promise<HttpProcess> {
  return startHttpProcess({
    label: "baseline",
    args: [
      ...profiling(settings.profileDir),
      "--import",
      "tsx",
      join(benchDir, "src/baseline-server.ts"),
    ],
    cwd: benchDir,
    env: { DATABASE_URL: settings.databaseUrl, BETTER_AUTH_SECRET: settings.secret },
    logFile: join(settings.logDir, "baseline.log"),
  });
}
