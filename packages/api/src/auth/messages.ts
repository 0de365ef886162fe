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

/** The one answer to a failed login, whichever part was wrong. */
export const INVALID_CREDENTIALS_MESSAGE = "Invalid email or password";

/**
 * Carried as the `cause` of a failed login's UNAUTHORIZED, so the server can
 * log which part was wrong; the client is never told.
 */
export class InvalidCredentialsError extends Error {
  constructor(readonly reason: "unknown email" | "wrong password") {
    super(INVALID_CREDENTIALS_MESSAGE);
    this.name = "InvalidCredentialsError";
  }
}
