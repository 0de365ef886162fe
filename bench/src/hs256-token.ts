import { createHmac, timingSafeEqual } from "node:crypto";

// HS256 JWTs with node:crypto alone: the bench signs its users' tokens with
// it, and the baseline server verifies them with it, which is the least
// work a Node server can do to check such a token.

const CLOCK_TOLERANCE_S = 5;

function base64url(data: string | Buffer): string {
  return Buffer.from(data).toString("base64url");
}

function signature(secret: string, signingInput: string): Buffer {
  return createHmac("sha256", secret).update(signingInput).digest();
}

export function signHs256Token(
  secret: string,
  claims: { sub: string; ttlSeconds: number },
): string {
  const now = Math.floor(Date.now() / 1000);
  const header = base64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const payload = base64url(
    JSON.stringify({ sub: claims.sub, iat: now, exp: now + claims.ttlSeconds }),
  );
  const signingInput = `${header}.${payload}`;
  return `${signingInput}.${base64url(signature(secret, signingInput))}`;
}

function parseJsonObject(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
    return value !== null && typeof value === "object" && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The token's `sub` when the token is a valid, unexpired HS256 JWT signed
 * with `secret`; undefined otherwise. The signature is checked before the
 * payload is read.
 */
export function verifyHs256Token(secret: string, token: string): string | undefined {
  const parts = token.split(".");
  if (parts.length !== 3) return undefined;
  const [header, payload, sent] = parts as [string, string, string];
  if (parseJsonObject(header)?.alg !== "HS256") return undefined;
  const expected = signature(secret, `${header}.${payload}`);
  const actual = Buffer.from(sent, "base64url");
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return undefined;
  const claims = parseJsonObject(payload);
  const now = Date.now() / 1000;
  if (typeof claims?.exp !== "number" || claims.exp + CLOCK_TOLERANCE_S <= now) return undefined;
  if (typeof claims.nbf === "number" && claims.nbf - CLOCK_TOLERANCE_S > now) return undefined;
  return typeof claims.sub === "string" && claims.sub !== "" ? claims.sub : undefined;
}
