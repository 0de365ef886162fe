// A JWT's claims, read without checking its signature: only the server can
// verify a token. The app reads them to show who is signed in and to know
// when a token needs renewing.

/** The user id a JWT names (`sub`, or `user_id` in older tokens). */
export function tokenUserId(token: string): string | null {
  const claims = readClaims(token);
  const id = claims?.sub ?? claims?.user_id;
  return typeof id === "string" || typeof id === "number" ? String(id) : null;
}

/** When a JWT expires (its `exp`), in milliseconds since the epoch; null without one. */
export function tokenExpiresAt(token: string): number | null {
  const exp = readClaims(token)?.exp;
  return typeof exp === "number" && Number.isFinite(exp) ? exp * 1000 : null;
}

function readClaims(token: string): Record<string, unknown> | null {
  const payload = token.split(".")[1];
  if (!payload) return null;
  try {
    const binary = atob(payload.replace(/-/g, "+").replace(/_/g, "/"));
    const json = new TextDecoder().decode(Uint8Array.from(binary, (char) => char.charCodeAt(0)));
    const claims: unknown = JSON.parse(json);
    return typeof claims === "object" && claims !== null
      ? (claims as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}
