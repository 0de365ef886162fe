import { SignJWT } from "jose";

export interface IssuedToken {
  token: string;
  /** Seconds until it expires. */
  expiresIn: number;
}

export interface TokenIssuer {
  issue(user: { id: string; email: string }): Promise<IssuedToken>;
}

/**
 * Mints the HS256 tokens the verifier already accepts for BETTER_AUTH_SECRET
 * (`sub`, `email`, `iat`, `exp`, as the FastAPI backends' tokens), so a local
 * account's token works on every route a Better Auth token does.
 */
export function createTokenIssuer(options: { secret: string; ttlSeconds: number }): TokenIssuer {
  if (options.secret === "") throw new TypeError("secret must not be empty");
  if (!Number.isInteger(options.ttlSeconds) || options.ttlSeconds < 1) {
    throw new RangeError("ttlSeconds must be a whole number of seconds >= 1");
  }
  const key = new TextEncoder().encode(options.secret);
  return {
    async issue(user) {
      const issuedAt = Math.floor(Date.now() / 1000);
      const token = await new SignJWT({ email: user.email })
        .setProtectedHeader({ alg: "HS256", typ: "JWT" })
        .setSubject(user.id)
        .setIssuedAt(issuedAt)
        .setExpirationTime(issuedAt + options.ttlSeconds)
        .sign(key);
      return { token, expiresIn: options.ttlSeconds };
    },
  };
}
