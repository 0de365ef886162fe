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
 * CPU time used so far by every process of this machine's PostgreSQL server
 * (backends and its own workers), in ms; undefined when none is visible (a
 * database on another machine). On a shared machine, what the database
 * spends on a request is CPU the Node process cannot have.
 */
export function readPostgresCpuMs(): number | undefined {
  let total: number | undefined;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(entry);
    if (stat?.command === "postgres") total = (total ?? 0) + stat.cpuMs;
  }
  return total;
}

const CLOCK_TICKS_PER_SECOND = 100;
