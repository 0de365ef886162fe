// Runs the Prisma CLI for the commands that work offline (generate, validate,
// format). Prisma downloads a native schema engine before every command even
// though these use WASM; pointing PRISMA_SCHEMA_ENGINE_BINARY at any existing
// executable skips that download. Where the engine can be downloaded, run
// `pnpm exec prisma ...` directly instead.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const cli = require.resolve("prisma/build/index.js");
const env = { ...process.env };
env.PRISMA_SCHEMA_ENGINE_BINARY ??= process.execPath;
env.PRISMA_HIDE_UPDATE_MESSAGE ??= "1";
const result = spawnSync(process.execPath, [cli, ...process.argv.slice(2)], {
  stdio: "inherit",
  env,
});
process.exit(result.status ?? 1);
