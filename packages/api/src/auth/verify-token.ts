import { decodeProtectedHeader, errors, jwtVerify } from "jose";
import type { CryptoKey, JWTPayload, JWTVerifyGetKey, ProtectedHeaderParameters } from "jose";
import { extractBearerToken } from "./bearer-header.js";
import { createKeySetResolver } from "./key-set.js";
import { userIdFromClaims } from "./token-user-id.js";
import { describeVerificationError } from "./verification-failure.js";

export interface TokenVerifierConfig {
  /** BETTER_AUTH_SECRET; HS256 tokens are verified with its UTF-8 bytes. Undefined: no HS256 accepted. */
  secret?: string;
  /** Key set URL (`${BETTER_AUTH_URL}/api/auth/jwks` or JWT_JWKS_URL). Undefined: no asymmetric tokens accepted. */
  jwksUrl?: string;
  /** Required `iss` for key-set tokens (the BETTER_AUTH_URL origin unless JWT_ISSUER). */
  issuer?: string;
  /** Required `aud` for key-set tokens (the BETTER_AUTH_URL origin unless JWT_AUDIENCE). */
  audience?: string;
  /** Leeway for exp/nbf, seconds. Default 5. */
  clockToleranceSeconds?: number;
  /** Minimum time between two fetches of the key set, ms. Default 5000. */
  jwksCooldownMs?: number;
}

export type AuthFailure = "missing" | "expired" | "invalid";

export type VerifyResult =
  { ok: true; userId: string } | { ok: false; failure: AuthFailure; reason: string };

export interface TokenVerifier {
  /** Takes the raw Authorization header value (or undefined). Never throws. */
  verifyBearerToken(authorization: string | undefined): Promise<VerifyResult>;
}

/**
 * Bounded work per request: a longer token is refused before any base64 or
 * JSON parsing or signature check. Real tokens are well under 1 kB.
 */
export const MAX_TOKEN_BYTES = 8192;

const DEFAULT_CLOCK_TOLERANCE_SECONDS = 5;
const DEFAULT_JWKS_COOLDOWN_MS = 5000;

/**
 * The secret only ever verifies HS256: it is what the FastAPI backends mint
 * with BETTER_AUTH_SECRET, and every extra alg accepted for one key (HS384,
 * HS512, `none`) is one more way to forge or downgrade a token, for nothing.
 */
const SECRET_ALGORITHM = "HS256";
const KEY_SET_ALGORITHMS: readonly string[] = ["EdDSA", "ES256", "RS256", "PS256"];

/** Registered JWS names; only these are quoted in a reason, as the header is client-controlled text. */
const NAMEABLE_ALGORITHMS = new Set([
  "none",
  ...["HS", "RS", "PS", "ES"].flatMap((family) =>
    ["256", "384", "512"].map((bits) => family + bits),
  ),
  "ES256K",
  "EdDSA",
  "Ed25519",
  "Ed448",
  "ML-DSA-44",
  "ML-DSA-65",
  "ML-DSA-87",
]);

export function createTokenVerifier(config: TokenVerifierConfig): TokenVerifier {
  const clockTolerance = readNonNegative(
    config.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS,
    "clockToleranceSeconds",
  );
  const cooldownMs = readNonNegative(
    config.jwksCooldownMs ?? DEFAULT_JWKS_COOLDOWN_MS,
    "jwksCooldownMs",
  );
  const secretKey = config.secret === undefined ? undefined : importSecretKey(config.secret);
  const recentlyVerified = new VerifiedTokenCache(clockTolerance);
  const keySet =
    config.jwksUrl === undefined
      ? undefined
      : createKeySetResolver(new URL(config.jwksUrl), cooldownMs);

  const verifyWithSecret = async (token: string, key: Promise<CryptoKey>) =>
    jwtVerify(token, await key, {
      algorithms: [SECRET_ALGORITHM],
      requiredClaims: ["exp"],
      clockTolerance,
    });

  const verifyWithKeySet = (token: string, resolveKey: JWTVerifyGetKey) =>
    jwtVerify(token, resolveKey, {
      algorithms: [...KEY_SET_ALGORITHMS],
      issuer: config.issuer,
      audience: config.audience,
      requiredClaims: ["exp"],
      clockTolerance,
    });

  // The path is chosen from the header's alg before anything is verified, so a
  // symmetric alg never meets the key set and an asymmetric one never meets the
  // secret (no alg confusion with the public key used as an HMAC secret).
  function chooseVerification(
    header: ProtectedHeaderParameters,
  ): Verification | { refused: string } {
    const { alg, kid } = header;
    if (alg === SECRET_ALGORITHM) {
      if (secretKey === undefined) {
        return { refused: `alg ${alg} is not accepted: no secret is configured` };
      }
      return (token) => verifyWithSecret(token, secretKey);
    }
    if (alg !== undefined && KEY_SET_ALGORITHMS.includes(alg)) {
      if (keySet === undefined) {
        return { refused: `alg ${alg} is not accepted: no key set is configured` };
      }
      if (typeof kid !== "string" || kid === "") return { refused: `${alg} token has no kid` };
      return (token) => verifyWithKeySet(token, keySet);
    }
    return { refused: describeRefusedAlgorithm(alg) };
  }

  async function verifyToken(token: string): Promise<VerifyResult> {
    const size = Buffer.byteLength(token, "utf8");
    if (size > MAX_TOKEN_BYTES) {
      return invalid(`token is ${size} bytes, over the ${MAX_TOKEN_BYTES} limit`);
    }
    const cached = recentlyVerified.get(token);
    if (cached) return cached;
    const header = readProtectedHeader(token);
    if (!header.ok) return invalid(header.reason);
    const verification = chooseVerification(header.header);
    if ("refused" in verification) return invalid(verification.refused);
    const { payload } = await verification(token);
    const reading = userIdFromClaims(payload);
    if (!reading.ok) return invalid(reading.reason);
    if (header.header.alg === SECRET_ALGORITHM) recentlyVerified.remember(token, reading, payload);
    return reading;
  }

  return {
    async verifyBearerToken(authorization) {
      const extraction = extractBearerToken(authorization);
      if (!extraction.found) return { ok: false, failure: "missing", reason: extraction.reason };
      try {
        return await verifyToken(extraction.token);
      } catch (error) {
        // jose checks the signature before any claim, so JWTExpired means a
        // validly signed token whose time is up.
        if (error instanceof errors.JWTExpired) {
          return { ok: false, failure: "expired", reason: "token has expired" };
        }
        return invalid(describeVerificationError(error));
      }
    },
  };
}

type Verification = (token: string) => Promise<{ payload: JWTPayload }>;

/**
 * HS256 tokens verified in the last minute, so a client sending the same
 * token with every request pays for the signature check once a minute instead
 * of every time (measured in bench/README.md). The key is the whole
 * token, so any changed byte misses; exp and nbf are checked again on every
 * hit; only accepted tokens are kept, at most MAX_ENTRIES (oldest out first).
 * Only the secret's tokens: the secret cannot change while the process runs,
 * whereas a key removed from the key set must stop its tokens at once.
 */
class VerifiedTokenCache {
  private static readonly MAX_ENTRIES = 10_000;
  private static readonly TTL_MS = 60_000;
  private readonly entries = new Map<
    string,
    { result: VerifyResult & { ok: true }; expMs: number; nbfMs: number; until: number }
  >();

  constructor(private readonly clockToleranceSeconds: number) {}

  get(token: string): (VerifyResult & { ok: true }) | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    const now = Date.now();
    const tolerance = this.clockToleranceSeconds * 1000;
    if (now >= entry.until || now > entry.expMs + tolerance || now < entry.nbfMs - tolerance) {
      this.entries.delete(token);
      return undefined;
    }
    return entry.result;
  }

  remember(token: string, result: VerifyResult & { ok: true }, payload: JWTPayload): void {
    if (typeof payload.exp !== "number") return;
    if (this.entries.size >= VerifiedTokenCache.MAX_ENTRIES) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(token, {
      result,
      expMs: payload.exp * 1000,
      nbfMs: typeof payload.nbf === "number" ? payload.nbf * 1000 : -Infinity,
      until: Date.now() + VerifiedTokenCache.TTL_MS,
    });
  }
}

function invalid(reason: string): VerifyResult {
  return { ok: false, failure: "invalid", reason };
}

function readProtectedHeader(
  token: string,
): { ok: true; header: ProtectedHeaderParameters } | { ok: false; reason: string } {
  if (token.split(".").length !== 3) {
    return { ok: false, reason: "token is not three dot-separated segments" };
  }
  try {
    return { ok: true, header: decodeProtectedHeader(token) };
  } catch {
    return { ok: false, reason: "token header is not a base64url-encoded JSON object" };
  }
}

function describeRefusedAlgorithm(alg: unknown): string {
  if (typeof alg !== "string") return "token header has no alg";
  return NAMEABLE_ALGORITHMS.has(alg)
    ? `alg ${alg} is not accepted`
    : "alg is not one the server accepts";
}

function importSecretKey(secret: string): Promise<CryptoKey> {
  if (secret === "") {
    throw new TypeError("secret must not be empty: an empty HMAC key lets anyone sign tokens");
  }
  return crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["verify"],
  );
}

function readNonNegative(value: number, name: string): number {
  if (!Number.isFinite(value) || value < 0) {
    throw new RangeError(`${name} must be a finite number >= 0`);
  }
  return value;
}
