import { spawn, type SpawnOptions } from "node:child_process";

/**
 * Runs a command to its end, its output kept quiet; rejects with that output
 * when it fails. `what` names it in the error ("migrations", "pnpm build").
 */
export function runCommand(
  what: string,
  command: string,
  args: string[],
  options: Pick<SpawnOptions, "cwd" | "env">,
): Promise<void> {
  const child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`${what} failed (exit ${code}):\n${output.trim()}`)),
    );
  });
}
