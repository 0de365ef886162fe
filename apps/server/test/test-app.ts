import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";

import { createTokenVerifier } from "@todo/api";
import { createDatabase, type Database } from "@todo/db";
import { createTestDatabase, type TestDatabase } from "@todo/db/testing";
import { SignJWT } from "jose";

import { createApp } from "../src/app.js";
import { createLogger } from "../src/logging.js";

export const TEST_SECRET = "test-secret-that-is-at-least-32-characters-long";

export interface TestApp {
  url: string;
  db: Database;
  /** Every log line the app wrote, parsed. */
  logs: Array<Record<string, unknown>>;
  /** Raw log output, to check nothing secret was written. */
  rawLogs: () => string;
  token: (
    userId: string,
    options?: { expiresAt?: string | number; secret?: string },
  ) => Promise<string>;
  close: () => Promise<void>;
}

/** The app as `createApp` builds it, over a test database of its own, on a free port. */
export async function startTestApp(
  options: { corsOrigins?: string[]; bodyLimitBytes?: number; db?: Database } = {},
): Promise<TestApp> {
  let database: TestDatabase | undefined;
  let db = options.db;
  if (!db) {
    database = await createTestDatabase();
    db = createDatabase(database.url, { poolSize: 8, connectionTimeoutMs: 2_000 });
  }
  const chunks: string[] = [];
  const logs: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      const text = chunk.toString();
      chunks.push(text);
      for (const line of text.split("\n").filter(Boolean)) logs.push(JSON.parse(line));
      callback();
    },
  });
  const app = createApp({
    db,
    verifier: createTokenVerifier({ secret: TEST_SECRET }),
    logger: createLogger({ level: "debug" }, sink),
    config: {
      corsOrigins: options.corsOrigins ?? ["http://localhost:3000"],
      bodyLimitBytes: options.bodyLimitBytes ?? 100_000,
    },
  });
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, "127.0.0.1", () => resolve(listening));
  });
  const { port } = server.address() as AddressInfo;
  const ownDb = db;
  return {
    url: `http://127.0.0.1:${port}`,
    db,
    logs,
    rawLogs: () => chunks.join(""),
    token: (userId, tokenOptions = {}) =>
      new SignJWT({ sub: userId })
        .setProtectedHeader({ alg: "HS256", typ: "JWT" })
        .setIssuedAt()
        .setExpirationTime(tokenOptions.expiresAt ?? "1h")
        .sign(new TextEncoder().encode(tokenOptions.secret ?? TEST_SECRET)),
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      if (database) {
        await ownDb.$disconnect();
        await database.drop();
      }
    },
  };
}
