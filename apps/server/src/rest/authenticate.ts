import { AuthenticationError, type TokenVerifier } from "@todo/api";
import type { RequestHandler } from "express";

import { forbidden, unauthorized } from "../http-errors.js";

/**
 * The REST task routes' first two checks, in the contract's order: a valid
 * token (401), then a path user equal to the token's user (403) — both before
 * the body is read and before the database is touched. Sets `req.userId`.
 */
export function authenticatePathUser(verifier: TokenVerifier): RequestHandler<{ user_id: string }> {
  return async (req, _res, next) => {
    const result = await verifier.verifyBearerToken(req.headers.authorization);
    if (!result.ok) {
      req.log.warn(
        { auth_failure: result.failure, reason: result.reason },
        "authentication failed",
      );
      throw unauthorized(new AuthenticationError(result.failure, result.reason));
    }
    req.userId = result.userId;
    if (req.params.user_id !== result.userId) throw forbidden();
    next();
  };
}
