import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

// src/ and dist/ sit at the same depth: this is the repository's .data/.
const DEV_SECRET_FILE = fileURLToPath(new URL("../../../.data/dev-secret", import.meta.url));

/**
 * Development without BETTER_AUTH_SECRET: a random secret of this checkout,
 * made once and kept in .data/ (never committed), so `pnpm token` and the
 * server agree and tokens survive restarts. Never used in production, where
 * the secret is required.
 */
export async function loadOrCreateDevSecret(file = DEV_SECRET_FILE): Promise<string> {
  const path = resolve(file);
  try {
    const existing = (await readFile(path, "utf8")).trim();
    if (existing.length >= 32) return existing;
  } catch {
    // not made yet
  }
  const secret = randomBytes(32).toString("base64url");
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${secret}\n`, { mode: 0o600 });
  return secret;
}
