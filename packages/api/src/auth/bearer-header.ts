export type BearerTokenExtraction =
  { found: true; token: string } | { found: false; reason: string };

/**
 * Reads `Authorization: Bearer <token>` the way FastAPI's HTTPBearer does: the
 * scheme is matched case-insensitively and the token is what follows it,
 * trimmed. The scheme is not echoed in the reason: it is client-controlled text.
 */
export function extractBearerToken(authorization: string | undefined): BearerTokenExtraction {
  const header = typeof authorization === "string" ? authorization.trim() : "";
  if (header === "") {
    return { found: false, reason: "no Authorization header" };
  }
  const schemeEnd = header.search(/\s/);
  const scheme = schemeEnd === -1 ? header : header.slice(0, schemeEnd);
  if (scheme.toLowerCase() !== "bearer") {
    return { found: false, reason: "Authorization scheme is not Bearer" };
  }
  const token = schemeEnd === -1 ? "" : header.slice(schemeEnd).trim();
  if (token === "") {
    return { found: false, reason: "Bearer token is empty" };
  }
  return { found: true, token };
}
