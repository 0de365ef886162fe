import { readdirSync, readFileSync } from "node:fs";

const SAMPLE_EVERY_MS = 100;

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
 * Samples a process's resident memory every 100 ms until stopped; `stop()`
 * gives the highest sample, in MB. (VmHWM is the peak since the process
 * started, so it cannot say which scenario reached it.)
 */
export function sampleRss(pid: number): { stop(): number } {
  let peakKb = readMemoryKb(pid, "VmRSS") ?? 0;
  const timer = setInterval(() => {
    peakKb = Math.max(peakKb, readMemoryKb(pid, "VmRSS") ?? 0);
  }, SAMPLE_EVERY_MS);
  return {
    stop() {
      clearInterval(timer);
      peakKb = Math.max(peakKb, readMemoryKb(pid, "VmRSS") ?? 0);
      return peakKb / 1024;
    },
  };
}

/**
 * CPU time the process has used so far (user + system), in ms, from
 * `/proc/<pid>/stat` (in clock ticks, 100 a second on Linux).
 */
export function readCpuMs(pid: number): number | undefined {
  return readStat(pid)?.cpuMs;
}

const CLOCK_TICKS_PER_SECOND = 100;

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

/**
 * CPU time used so far by each process of this machine's PostgreSQL server
 * (backends and its own workers), in ms by pid; empty when none is visible
 * (a database on another machine). On a shared machine, what the database
 * spends on a request is CPU the Node process cannot have.
 */
export function readPostgresCpuMs(): Map<string, number> {
  const byPid = new Map<string, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(entry);
    if (stat?.command === "postgres") byPid.set(entry, stat.cpuMs);
  }
  return byPid;
}

/**
 * PostgreSQL's CPU time between two readings, in ms (NaN: none visible).
 * A process that started in between counts whole; one that ended in
 * between (an autovacuum worker) is left out rather than counted negative.
 */
export function postgresCpuSpentMs(start: Map<string, number>, end: Map<string, number>): number {
  if (end.size === 0) return NaN;
  let spent = 0;
  for (const [pid, cpuMs] of end) spent += cpuMs - (start.get(pid) ?? 0);
  return spent;
}
