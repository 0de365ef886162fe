import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";

import { appRouter, createContext, createTokenVerifier } from "@todo/api";
import { createDatabase } from "@todo/db";
import { createTestDatabase } from "@todo/db/testing";
import { createHTTPServer } from "@trpc/server/adapters/standalone";
import { SignJWT } from "jose";

export interface ReceivedRequest {
  method: string | undefined;
  url: string | undefined;
  headers: Record<string, string | string[] | undefined>;
}

/**
 * The real router over HTTP on a random port, with a database of its own and
 * an HS256 secret to sign tokens with. `requests` records every HTTP request.
 */
export async function startLiveServer() {
  const database = await createTestDatabase();
  const db = createDatabase(database.url, { poolSize: 4 });
  const secret = randomBytes(32).toString("base64url");
  const verifier = createTokenVerifier({ secret });
  const requests: ReceivedRequest[] = [];

  const server = createHTTPServer({
    router: appRouter,
    basePath: "/trpc/",
    createContext: ({ req }) =>
      createContext({ db, verifier, authorization: req.headers.authorization }),
  });
  server.on("request", (req: ReceivedRequest) => {
    requests.push({ method: req.method, url: req.url, headers: req.headers });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  const key = new TextEncoder().encode(secret);
  return {
    url: `http://127.0.0.1:${port}/trpc`,
    requests,
    /** A token for `userId`; `expiresAt` in seconds since the epoch, default in 5 minutes. */
    tokenFor: (userId: string, expiresAt: number | string = "5m") =>
      new SignJWT({})
        .setProtectedHeader({ alg: "HS256" })
        .setSubject(userId)
        .setExpirationTime(expiresAt)
        .sign(key),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
      await db.$disconnect();
      await database.drop();
    },
  };
}
