import { spawn } from "node:child_process";

/**
 * `turbo run build` for the server and the packages it depends on: a cache
 * hit (about a second) when nothing changed, so the bench never measures a
 * stale build.
 */
export function buildServer(repoRoot: string): Promise<void> {
  const child = spawn(
    "pnpm",
    ["exec", "turbo", "run", "build", "--filter=@todo/server...", "--output-logs=errors-only"],
    { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`pnpm build failed (exit ${code}):\n${output.trim()}`)),
    );
  });
}
