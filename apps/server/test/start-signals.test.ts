import { execFile, spawn, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { promisify } from "node:util";

import { createTestDatabase, type TestDatabase } from "@todo/db/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

import { buildServer, freePort, REPO_ROOT } from "./entry-point.js";
import { TEST_SECRET } from "./test-app.js";

// `pnpm start` stopped the way Docker and systemd stop it: SIGTERM to pnpm's
// own process, nothing else. Without a terminal pnpm signals the script's
// whole process group; in one (`docker run -t`, a shell, tmux) it signals its
// child alone, which is why every `start` script in the chain execs the next.

const run = promisify(execFile);

let database: TestDatabase;
const started: ChildProcess[] = [];
const seen = new Set<number>();

beforeAll(async () => {
  // What `pnpm start` runs is the build.
  const [db] = await Promise.all([createTestDatabase(), buildServer()]);
  database = db;
}, 180_000);
afterEach(() => {
  for (const pid of seen) if (isAlive(pid)) process.kill(pid, "SIGKILL");
  for (const child of started.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
  seen.clear();
});
afterAll(() => database?.drop());

/** Each process's parent and arguments, from /proc (Linux). */
function processTable(): Map<number, { ppid: number; argv: string[] }> {
  const table = new Map<number, { ppid: number; argv: string[] }>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const argv = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0").filter(Boolean);
      table.set(Number(entry), { ppid, argv });
    } catch {
      // gone meanwhile
    }
  }
  return table;
}

/** The process and every process under it. */
function processTree(root: number): Array<{ pid: number; argv: string[] }> {
  const table = processTable();
  const found = [{ pid: root, argv: table.get(root)?.argv ?? [] }];
  const visit = (parent: number) => {
    for (const [pid, { ppid, argv }] of table) {
      if (ppid !== parent) continue;
      found.push({ pid, argv });
      visit(pid);
    }
  };
  visit(root);
  return found;
}

/** Running: in the process table, and not a zombie waiting to be reaped. */
function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

function isPnpmStart(argv: string[]): boolean {
  return /pnpm(\.c?js|\.mjs)?$/.test(argv[1] ?? "") && argv[2] === "start";
}

async function healthStatus(url: string): Promise<number | undefined> {
  return fetch(`${url}/health`).then(
    (res) => res.status,
    () => undefined,
  );
}

const hasScript = await run("script", ["--version"]).then(
  () => true,
  () => false,
);

describe("SIGTERM to `pnpm start`'s own process", () => {
  it.for<[string, boolean]>([
    ["without a terminal (Docker, systemd)", false],
    ["in a terminal (docker run -t, a shell, tmux)", true],
  ])(
    "%s: the server drains and stops, the port is freed, no process is left",
    // Two pnpm processes and the server start on a machine busy with the
    // other suites: the default 30 s is not always enough.
    { timeout: 120_000 },
    async ([, tty], { skip }) => {
      skip(tty && !hasScript, "needs util-linux's `script` for a terminal");
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const env = {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        NODE_ENV: "production",
        PORT: String(port),
        HOST: "127.0.0.1",
        DATABASE_URL: database.url,
        BETTER_AUTH_SECRET: TEST_SECRET,
      };
      // In a terminal, a shell stays after pnpm, as an interactive one does,
      // so that nothing is ended by the terminal closing.
      const child = tty
        ? spawn("script", ["-qfec", "pnpm start; sleep 60", "/dev/null"], {
            cwd: REPO_ROOT,
            env,
            detached: true,
          })
        : spawn("pnpm", ["start"], { cwd: REPO_ROOT, env, detached: true });
      started.push(child);
      let output = "";
      child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
      child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));

      await expect.poll(() => healthStatus(url), { timeout: 60_000, interval: 100 }).toBe(200);
      const tree = processTree(child.pid!);
      for (const { pid } of tree) seen.add(pid);
      const pnpm = tree.find(({ argv }) => isPnpmStart(argv));
      expect(pnpm, JSON.stringify(tree)).toBeDefined();
      const underPnpm = processTree(pnpm!.pid).slice(1);
      expect(underPnpm.some(({ argv }) => argv.includes("dist/index.js"))).toBe(true);

      process.kill(pnpm!.pid, "SIGTERM");

      await expect.poll(() => isAlive(pnpm!.pid), { timeout: 15_000, interval: 50 }).toBe(false);
      expect(await healthStatus(url)).toBeUndefined();
      // pnpm's own helper (an `sh` that kills its process groups once pnpm's
      // pipe closes) ends a moment after pnpm: waited for, not raced.
      await expect
        .poll(() => underPnpm.filter(({ pid }) => isAlive(pid)), { timeout: 5_000, interval: 50 })
        .toEqual([]);
      expect(output).toContain('"msg":"stopped"');
    },
  );
});
