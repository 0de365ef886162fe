import { readFileSync } from "node:fs";

// Reads a V8 .cpuprofile (what `node --cpu-prof` writes) and says where the
// time went: self time per function, and per package.

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTime {
  name: string;
  selfMs: number;
  /** Share of the time the process was busy (everything but "(idle)"). */
  busyShare: number;
}

export interface ProfileSummary {
  busyMs: number;
  idleMs: number;
  functions: SelfTime[];
  packages: SelfTime[];
}

const IDLE = "(idle)";
const NODE_MODULES = "/node_modules/";

/** `file:///…/node_modules/.pnpm/x@1/node_modules/@scope/pkg/lib/a.js` → `@scope/pkg/lib/a.js`. */
function shortUrl(url: string, repoRoot: string): string {
  const path = url.replace(/^file:\/\//, "");
  const inModules = path.lastIndexOf(NODE_MODULES);
  if (inModules >= 0) return path.slice(inModules + NODE_MODULES.length);
  return path.startsWith(`${repoRoot}/`) ? path.slice(repoRoot.length + 1) : path;
}

/** The npm package a frame's code is in, or the workspace package (`apps/server`, `packages/db`). */
function packageOf(frame: ProfileNode["callFrame"], repoRoot: string): string {
  const { url, functionName } = frame;
  if (!url) return functionName.startsWith("(") ? functionName : "(V8 / native)";
  if (url.startsWith("node:")) return "node: built-ins";
  const path = url.replace(/^file:\/\//, "");
  const inModules = path.lastIndexOf(NODE_MODULES);
  if (inModules >= 0) {
    const [first = "", second = ""] = path.slice(inModules + NODE_MODULES.length).split("/");
    return first.startsWith("@") ? `${first}/${second}` : first;
  }
  if (path.startsWith(`${repoRoot}/`)) {
    return path
      .slice(repoRoot.length + 1)
      .split("/")
      .slice(0, 2)
      .join("/");
  }
  return path;
}

function functionKey(frame: ProfileNode["callFrame"], repoRoot: string): string {
  const name = frame.functionName || "(anonymous)";
  return frame.url ? `${name}  ${shortUrl(frame.url, repoRoot)}:${frame.lineNumber + 1}` : name;
}

function ranked(totals: Map<string, number>, busyMs: number, top: number): SelfTime[] {
  return [...totals]
    .filter(([name]) => name !== IDLE)
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, selfMs]) => ({ name, selfMs, busyShare: busyMs > 0 ? selfMs / busyMs : 0 }));
}

export function summarizeCpuProfile(file: string, repoRoot: string, top = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  let idleMs = 0;
  let totalMs = 0;
  // timeDeltas[i] is the time between sample i-1 and sample i; like Chrome's
  // DevTools, charge the interval that follows a sample to that sample.
  profile.samples.forEach((nodeId, i) => {
    const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    const frame = frames.get(nodeId);
    if (!frame) return;
    totalMs += ms;
    if (frame.functionName === IDLE) idleMs += ms;
    const fn = functionKey(frame, repoRoot);
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + ms);
    const pkg = packageOf(frame, repoRoot);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + ms);
  });
  const busyMs = totalMs - idleMs;
  return {
    busyMs,
    idleMs,
    functions: ranked(byFunction, busyMs, top),
    packages: ranked(byPackage, busyMs, 12),
  };
}

export function formatProfileSummary(summary: ProfileSummary): string {
  const line = ({ name, selfMs, busyShare }: SelfTime) =>
    `  ${(busyShare * 100).toFixed(1).padStart(5)}%  ${selfMs.toFixed(0).padStart(7)} ms  ${name}`;
  return [
    `busy ${(summary.busyMs / 1000).toFixed(1)} s, idle ${(summary.idleMs / 1000).toFixed(1)} s`,
    "",
    "Top functions by self time (share of busy time):",
    ...summary.functions.map(line),
    "",
    "Self time by package:",
    ...summary.packages.map(line),
  ].join("\n");
}
