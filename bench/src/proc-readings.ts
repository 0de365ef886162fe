import { readdirSync, readFileSync } from "node:fs";

// What the bench reads from /proc: resident memory and CPU time of a process
// and of its children (a cluster's primary and its workers), of PostgreSQL's
// processes, and of the whole machine.

const SAMPLE_EVERY_MS = 100;
const CLOCK_TICKS_PER_SECOND = 100;

/** A `/proc/<pid>/status` field in kB (VmRSS: now; VmHWM: the lifetime peak). */
export function readMemoryKb(pid: number, field: "VmRSS" | "VmHWM"): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The process and every process below it, parents first. A cluster's
 * primary forks its workers, so the server's CPU and memory are those of
 * the whole tree; a single process is a tree of one.
 */
export function processTree(pid: number): number[] {
  const tree: number[] = [];
  const visit = (parent: number) => {
    tree.push(parent);
    let threads: string[];
    try {
      threads = readdirSync(`/proc/${parent}/task`);
    } catch {
      return;
    }
    // Each thread lists the children it started.
    for (const thread of threads) {
      let children: string;
      try {
        children = readFileSync(`/proc/${parent}/task/${thread}/children`, "utf8");
      } catch {
        continue;
      }
      for (const child of children.split(" ")) if (child.trim()) visit(Number(child));
    }
  };
  visit(pid);
  return tree;
}

/** Resident memory of the process and its children, summed, in MB (shared pages count once per process). */
export function readTreeRssMb(pid: number): number {
  return processTree(pid).reduce((sum, each) => sum + (readMemoryKb(each, "VmRSS") ?? 0), 0) / 1024;
}

/**
 * Samples the resident memory of a process and its children every 100 ms
 * until stopped; `stop()` gives the highest sample, in MB. (VmHWM is the
 * peak since the process started, so it cannot say which scenario reached
 * it, and it is per process, not per cluster.)
 */
export function sampleRss(pid: number): { stop(): number } {
  let peakMb = readTreeRssMb(pid);
  const timer = setInterval(() => {
    peakMb = Math.max(peakMb, readTreeRssMb(pid));
  }, SAMPLE_EVERY_MS);
  return {
    stop() {
      clearInterval(timer);
      peakMb = Math.max(peakMb, readTreeRssMb(pid));
      return peakMb;
    },
  };
}

function readStat(pid: number | string): { command: string; cpuMs: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name is in parentheses and may hold spaces; the fields follow it.
    const command = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const cpuMs = ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
    return { command, cpuMs };
  } catch {
    return undefined;
  }
}

/** CPU time (user + system) used so far by each process, in ms by pid. */
export type CpuReading = Map<string, number>;

/** CPU time used so far by the process and each of its children (`/proc/<pid>/stat`). */
export function readTreeCpuMs(pid: number): CpuReading {
  const byPid: CpuReading = new Map();
  for (const each of processTree(pid)) {
    const stat = readStat(each);
    if (stat) byPid.set(String(each), stat.cpuMs);
  }
  return byPid;
}

/**
 * CPU time spent between two readings, in ms (NaN: nothing was visible). A
 * process that started in between counts whole; one that ended in between
 * (an autovacuum worker) is left out rather than counted negative.
 */
export function cpuSpentMs(start: CpuReading, end: CpuReading): number {
  if (end.size === 0) return NaN;
  let spent = 0;
  for (const [pid, cpuMs] of end) spent += cpuMs - (start.get(pid) ?? 0);
  return spent;
}

/** Processes of the first reading that are gone in the second (a worker that died). */
export function goneProcesses(start: CpuReading, end: CpuReading): string[] {
  return [...start.keys()].filter((pid) => !end.has(pid));
}

/** A process's title as `ps` shows it (PostgreSQL rewrites its own). */
function readTitle(pid: string): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ").trim();
  } catch {
    return "";
  }
}

// Titles of PostgreSQL processes that work for one database:
// "postgres: 15/main: <user> <database> 127.0.0.1(51234) idle",
// "postgres: 15/main: autovacuum worker <database>",
// "postgres: 15/main: parallel worker for PID <leader>".
const CLIENT_BACKEND = /(\S+) (\S+) (?:\S+\(\d+\)|\[local\])(?: |$)/;
const AUTOVACUUM_WORKER = /autovacuum worker (\S+)/;
const PARALLEL_WORKER = /parallel worker for PID (\d+)/;

/**
 * CPU time used so far by this machine's PostgreSQL server, in ms by pid:
 * the backends serving `database` (all backends when it is not given),
 * their parallel and autovacuum workers, and the server's own background
 * processes. Backends of other databases are left out: on a machine shared
 * with other work, their queries are not the bench's. Empty when no
 * PostgreSQL process is visible (a database on another machine).
 */
export function readPostgresCpuMs(database?: string): CpuReading {
  const processes: Array<{ pid: string; title: string; cpuMs: number }> = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(entry);
    if (stat?.command === "postgres") {
      processes.push({ pid: entry, title: readTitle(entry), cpuMs: stat.cpuMs });
    }
  }
  // A parallel worker counts when its leader does, so it is decided last.
  const byPid: CpuReading = new Map();
  const parallelWorkers: Array<{ pid: string; leader: string; cpuMs: number }> = [];
  for (const { pid, title, cpuMs } of processes) {
    const leader = PARALLEL_WORKER.exec(title)?.[1];
    if (database !== undefined && leader !== undefined) {
      parallelWorkers.push({ pid, leader, cpuMs });
      continue;
    }
    // Background processes (checkpointer, WAL writer, …) serve every database.
    const served = AUTOVACUUM_WORKER.exec(title)?.[1] ?? CLIENT_BACKEND.exec(title)?.[2];
    if (database === undefined || served === undefined || served === database) {
      byPid.set(pid, cpuMs);
    }
  }
  for (const { pid, leader, cpuMs } of parallelWorkers) {
    if (byPid.has(leader)) byPid.set(pid, cpuMs);
  }
  return byPid;
}

/**
 * CPU time every core of the machine has spent busy so far, in ms, from
 * `/proc/stat`: whatever ran, the bench's processes or anyone else's.
 */
export function readMachineBusyMs(): number {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n", 1)[0]!;
    // cpu user nice system idle iowait irq softirq steal (guest time is inside user)
    const [user, nice, system, , , irq, softirq, steal] = line
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    const ticks = [user, nice, system, irq, softirq, steal].reduce<number>(
      (sum, value) => sum + (value ?? 0),
      0,
    );
    return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return NaN;
  }
}
