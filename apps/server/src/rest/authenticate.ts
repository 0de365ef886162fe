import type { IncomingMessage } from "node:http";

import { AuthenticationError, type TokenVerifier } from "@todo/api";

import { forbidden, unauthorized } from "../http-errors.js";

/**
 * The REST routes' first two checks, in the contract's order: a valid token
 * (401), then a path user equal to the token's user (403) — both before the
 * body is read and before the database is touched.
 */
export async function authenticatePathUser(
  req: IncomingMessage,
  pathUser: string,
  verifier: TokenVerifier,
): Promise<string> {
  const result = await verifier.verifyBearerToken(req.headers.authorization);
  if (!result.ok) {
    req.log.warn({ auth_failure: result.failure, reason: result.reason }, "authentication failed");
    throw unauthorized(new AuthenticationError(result.failure, result.reason));
  }
  req.userId = result.userId;
  if (pathUser !== result.userId) throw forbidden();
  return result.userId;
}
