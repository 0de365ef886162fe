/** What Better Auth answered instead of what was asked, e.g. a taken email. */
export class BetterAuthError extends Error {
  override name = "BetterAuthError";
  /** The HTTP status; 0 when Better Auth did not answer at all. */
  readonly status: number;
  /** Better Auth's error code, e.g. "INVALID_EMAIL_OR_PASSWORD". */
  readonly code: string | undefined;

  constructor(status: number, code: string | undefined, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}
