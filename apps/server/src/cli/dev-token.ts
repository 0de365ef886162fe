// `pnpm -s dev:token <user_id> [--ttl 1h]`: prints an HS256 token the server accepts,
// signed with BETTER_AUTH_SECRET or, when unset, this checkout's dev secret.
import { SignJWT } from "jose";

import { loadOrCreateDevSecret } from "../dev-secret.js";
import { loadConfig } from "../env.js";

async function main(): Promise<void> {
  const args = process.argv.slice(2).filter((arg) => arg !== "--");
  const ttlIndex = args.indexOf("--ttl");
  const ttl = ttlIndex >= 0 ? args.splice(ttlIndex, 2)[1] : "24h";
  const userId = args[0];
  if (!userId || !ttl) {
    console.error("usage: pnpm -s dev:token <user_id> [--ttl 24h]");
    process.exit(2);
  }
  const config = loadConfig();
  const secret = config.auth.secret ?? (await loadOrCreateDevSecret());
  const token = await new SignJWT({ sub: userId })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuedAt()
    .setExpirationTime(ttl)
    .sign(new TextEncoder().encode(secret));
  console.log(token);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
