import { runCommand } from "./run-command.js";

/**
 * `turbo run build` for the server and the packages it depends on: a cache
 * hit (about a second) when nothing changed, so the bench never measures a
 * stale build.
 */
export function buildServer(repoRoot: string): Promise<void> {
  return runCommand(
    "pnpm build",
    "pnpm",
    ["exec", "turbo", "run", "build", "--filter=@todo/server...", "--output-logs=errors-only"],
    { cwd: repoRoot },
  );
}
