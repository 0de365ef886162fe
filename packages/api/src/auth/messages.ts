import type { AuthFailure } from "./verify-token.js";

/** The `detail` of each 401, word for word as the FastAPI backends say it. */
export const AUTH_FAILURE_MESSAGES: Record<AuthFailure, string> = {
  missing: "Not authenticated",
  expired: "Token expired",
  invalid: "Invalid token",
};

/** Carried as the `cause` of an UNAUTHORIZED error so the server can log why. */
export class AuthenticationError extends Error {
  constructor(
    readonly failure: AuthFailure,
    readonly reason: string,
  ) {
    super(AUTH_FAILURE_MESSAGES[failure]);
    this.name = "AuthenticationError";
  }
}
