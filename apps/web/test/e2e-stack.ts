import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { createTaskClient, isTaskClientError } from "@todo/client";
import { createTestDatabase } from "@todo/db/testing";
import { startBetterAuth } from "@todo/server/testing";
import { preview } from "vite";

export const webDir = fileURLToPath(new URL("..", import.meta.url));
const serverDir = join(webDir, "..", "server");

/**
 * What the browser tests run against, on free ports: a genuine Better Auth,
 * the API server (which takes that Better Auth's tokens as well as its own),
 * and two builds of the app: one on the API's built-in accounts, one on
 * Better Auth.
 */
export interface E2eStack {
  apiUrl: string;
  webUrl: string;
  /** Better Auth's base URL (also its tokens' `iss` and `aud`). */
  betterAuthUrl: string;
  /** The app built with VITE_BETTER_AUTH_URL. */
  betterAuthWebUrl: string;
  /** The API's BETTER_AUTH_SECRET, for minting tokens as another frontend would. */
  authSecret: string;
  /** Whether the server offers the built-in accounts (auth.signup, auth.login). */
  accountsAvailable: boolean;
  stop(): Promise<void>;
}

export async function startE2eStack(): Promise<E2eStack> {
  const [apiPort, webPort, betterAuthWebPort] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
  ]);
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const webUrl = `http://127.0.0.1:${webPort}`;
  const betterAuthWebUrl = `http://127.0.0.1:${betterAuthWebPort}`;
  const authSecret = randomBytes(30).toString("base64url");
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const close of stops.reverse()) await close().catch(() => undefined);
  };
  try {
    // The app that signs in with Better Auth calls it from its own origin.
    const betterAuth = await startBetterAuth({
      secret: authSecret,
      trustedOrigins: [betterAuthWebUrl],
    });
    stops.push(betterAuth.stop);
    const startApi = async () => {
      const database = await createTestDatabase();
      stops.push(() => database.drop());
      const api = await startApiServer({
        port: apiPort,
        databaseUrl: database.url,
        authSecret,
        betterAuthUrl: betterAuth.url,
        webOrigins: [webUrl, betterAuthWebUrl],
      });
      stops.push(api.stop);
    };
    const startWeb = async (port: number, env: Record<string, string>) => {
      const web = await startBuiltApp({ port, env: { VITE_API_URL: apiUrl, ...env } });
      stops.push(web.stop);
    };
    // The builds need only the addresses, so they run while the API starts.
    const started = await Promise.allSettled([
      startApi(),
      startWeb(webPort, {}),
      startWeb(betterAuthWebPort, { VITE_BETTER_AUTH_URL: betterAuth.url }),
    ]);
    const failure = started.find((result) => result.status === "rejected");
    if (failure) throw failure.reason;
    return {
      apiUrl,
      webUrl,
      betterAuthUrl: betterAuth.url,
      betterAuthWebUrl,
      authSecret,
      accountsAvailable: await offersAccounts(apiUrl),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The server's own `src/index.ts`, as `pnpm dev` runs it, in a child process. */
async function startApiServer(options: {
  port: number;
  databaseUrl: string;
  authSecret: string;
  betterAuthUrl: string;
  webOrigins: string[];
}): Promise<{ stop: () => Promise<void> }> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "--conditions=@todo/source", "src/index.ts"],
    {
      // tsx is the server's dependency, resolvable from its folder.
      cwd: serverDir,
      // Only what the test means: a developer's BETTER_AUTH_URL or
      // DATABASE_URL must not leak into the server under test.
      env: {
        PATH: process.env.PATH,
        PORT: String(options.port),
        HOST: "127.0.0.1",
        DATABASE_URL: options.databaseUrl,
        BETTER_AUTH_SECRET: options.authSecret,
        // Its JWT plugin's tokens: key set at ${BETTER_AUTH_URL}/api/auth/jwks,
        // and that origin as their `iss` and `aud`.
        BETTER_AUTH_URL: options.betterAuthUrl,
        CORS_ORIGINS: options.webOrigins.join(","),
        LOG_LEVEL: "warn",
        NODE_ENV: "test",
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    output.push(chunk.toString());
    if (output.length > 200) output.shift();
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const stop = () => stopChild(child);
  try {
    await waitForHealth(`http://127.0.0.1:${options.port}/health`, child);
  } catch (error) {
    await stop();
    throw new Error(`the API server did not start:\n${output.join("")}`, { cause: error });
  }
  return { stop };
}

async function waitForHealth(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`it exited with code ${child.exitCode}`);
    const healthy = await fetch(url).then(
      (response) => response.ok,
      () => false,
    );
    if (healthy) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not answer within 60 s`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}

/**
 * A production build of the app, served by `vite preview`: no dependency
 * optimizing or reloading mid-test as the dev server may do, and the bundle
 * users get is the one tested. The build runs as `pnpm build` does, in a
 * process of its own: under Vitest's NODE_ENV=test it would be a development
 * build.
 */
async function startBuiltApp(options: {
  port: number;
  /** The VITE_* variables of the build. */
  env: Record<string, string>;
}): Promise<{ stop: () => Promise<void> }> {
  const outDir = await mkdtemp(join(tmpdir(), "todo-web-e2e-"));
  const removeOutDir = () => rm(outDir, { recursive: true, force: true });
  try {
    await run(process.execPath, [viteCli, "build", "--outDir", outDir, "--emptyOutDir"], {
      cwd: webDir,
      env: { PATH: process.env.PATH, ...options.env },
    });
    const server = await preview({
      root: webDir,
      configFile: join(webDir, "vite.config.ts"),
      logLevel: "warn",
      build: { outDir },
      preview: { host: "127.0.0.1", port: options.port, strictPort: true, open: false },
    });
    return {
      stop: async () => {
        await server.close();
        await removeOutDir();
      },
    };
  } catch (error) {
    await removeOutDir();
    throw error;
  }
}

const viteCli = join(
  dirname(createRequire(import.meta.url).resolve("vite/package.json")),
  "bin/vite.js",
);

function run(command: string, args: string[], options: SpawnOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("error", reject);
    child.once("exit", (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`${args.join(" ")} exited with ${code}\n${output}`)),
    );
  });
}

/** Asks without a token: a server with accounts says UNAUTHORIZED, one without NOT_FOUND. */
async function offersAccounts(apiUrl: string): Promise<boolean> {
  const client = createTaskClient({ url: `${apiUrl}/trpc`, getToken: () => null });
  try {
    await client.auth.me.query();
    return true;
  } catch (error) {
    return isTaskClientError(error) && error.data?.code === "UNAUTHORIZED";
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address
          ? resolve(address.port)
          : reject(new Error("no port")),
      );
    });
  });
}
