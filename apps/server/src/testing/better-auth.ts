import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

import { createTestDatabase, type TestDatabase } from "@todo/db/testing";
import { betterAuth } from "better-auth";
import { getMigrations } from "better-auth/db/migration";
import { toNodeHandler } from "better-auth/node";
import { jwt, type JwtOptions } from "better-auth/plugins";
import cors from "cors";
import pg from "pg";

// A genuine Better Auth (the library the frontends use), on a database of its
// own, served over HTTP on loopback: email and password sign-up, and the JWT
// plugin at its defaults unless a test asks for key rotation or the session
// cookie cache. Other packages' tests import it as "@todo/server/testing".

export interface BetterAuthOptions {
  secret: string;
  /** The JWT plugin's `jwks` rotation settings, in seconds. */
  rotation?: { rotationInterval: number; gracePeriod: number };
  /** `session.cookieCache` with `strategy: "jwt"`, for this many seconds. */
  cookieCacheSeconds?: number;
  /**
   * The JWT plugin's `sessionCookieCache: true`: that cookie cache signed
   * with the key set instead of the secret (with `cookieCacheSeconds`).
   */
  cookieCacheSignedWithKeySet?: boolean;
  /**
   * Origins of web apps that call it from a browser (Better Auth's
   * `trustedOrigins`). They also get CORS answers with credentials, as a
   * Better Auth on another origin than its app needs.
   */
  trustedOrigins?: string[];
}

export interface SignedUp {
  userId: string;
  /** The session cookies, as a browser would send them back. */
  cookie: string;
  /** Every cookie Better Auth set, by name. */
  cookies: Map<string, string>;
}

export interface RunningBetterAuth {
  /** Its base URL, which is also its tokens' `iss` and `aud`. */
  url: string;
  /** How many times its key set (`/api/auth/jwks`) has been asked for. */
  readonly keySetRequests: number;
  signUp(email: string): Promise<SignedUp>;
  /** A JWT from the JWT plugin's `/api/auth/token`, for a signed-in session. */
  token(session: SignedUp): Promise<string>;
  /**
   * The same, as a Next.js server component gets it: `auth.api.getToken({
   * headers })` in the server's own process, with the request's cookies.
   */
  tokenOnServer(session: SignedUp): Promise<string>;
  stop(): Promise<void>;
}

export async function startBetterAuth(options: BetterAuthOptions): Promise<RunningBetterAuth> {
  const database: TestDatabase = await createTestDatabase({ migrate: false });
  // One connection: enough for a test, and all an embedded database serves.
  const pool = new pg.Pool({ connectionString: database.url, max: 1 });
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const auth = betterAuth({
    baseURL: url,
    secret: options.secret,
    database: pool,
    emailAndPassword: { enabled: true },
    trustedOrigins: options.trustedOrigins ?? [],
    plugins: [jwt(jwtPluginOptions(options))],
    ...(options.cookieCacheSeconds
      ? {
          session: {
            cookieCache: { enabled: true, strategy: "jwt", maxAge: options.cookieCacheSeconds },
          },
        }
      : {}),
    // Better Auth skips its Origin checks when NODE_ENV is "test", as it is
    // under vitest; a browser test must meet them as production does.
    advanced: { disableOriginCheck: false },
    telemetry: { enabled: false },
  });
  const { runMigrations } = await getMigrations(auth.options);
  await runMigrations();
  const handle = toNodeHandler(auth);
  const allowTrustedOrigins = cors({ origin: options.trustedOrigins ?? false, credentials: true });
  let keySetRequests = 0;
  server.on("request", (req, res) => {
    if (req.url?.split("?")[0] === "/api/auth/jwks") keySetRequests += 1;
    allowTrustedOrigins(req, res, () => void handle(req, res));
  });

  return {
    url,
    get keySetRequests() {
      return keySetRequests;
    },
    async signUp(email) {
      const res = await fetch(`${url}/api/auth/sign-up/email`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: url },
        body: JSON.stringify({ email, password: "a long enough password", name: "Test" }),
      });
      if (!res.ok) throw new Error(`Better Auth sign-up: ${res.status} ${await res.text()}`);
      const { user } = (await res.json()) as { user: { id: string } };
      const cookies = new Map<string, string>();
      for (const line of res.headers.getSetCookie()) {
        const [pair = ""] = line.split(";");
        const at = pair.indexOf("=");
        cookies.set(pair.slice(0, at), pair.slice(at + 1));
      }
      const cookie = [...cookies].map(([name, value]) => `${name}=${value}`).join("; ");
      return { userId: user.id, cookie, cookies };
    },
    async token(session) {
      const res = await fetch(`${url}/api/auth/token`, { headers: { cookie: session.cookie } });
      if (!res.ok) throw new Error(`Better Auth /api/auth/token: ${res.status}`);
      return ((await res.json()) as { token: string }).token;
    },
    async tokenOnServer(session) {
      const { token } = await auth.api.getToken({
        headers: new Headers({ cookie: session.cookie }),
      });
      return token;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await pool.end();
      await database.drop();
    },
  };
}

/** The JWT plugin at its defaults, unless a test asks for rotation or the keys' cookie cache. */
function jwtPluginOptions(options: BetterAuthOptions): JwtOptions | undefined {
  if (!options.rotation && !options.cookieCacheSignedWithKeySet) return undefined;
  return {
    ...(options.rotation ? { jwks: options.rotation } : {}),
    ...(options.cookieCacheSignedWithKeySet ? { sessionCookieCache: true } : {}),
  };
}
