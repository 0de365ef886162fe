import { createHmac } from "node:crypto";

import { exportJWK, exportSPKI, generateKeyPair, SignJWT } from "jose";
import type { CryptoKey, JWK, JWTPayload } from "jose";

/** What BETTER_AUTH_SECRET is in these tests. */
export const SECRET = "test-better-auth-secret-of-a-realistic-length-0123456789";
/** The BETTER_AUTH_URL origin: default issuer and audience of key-set tokens. */
export const ORIGIN = "http://localhost:3000";

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);
export const inMinutes = (minutes: number): number => nowSeconds() + minutes * 60;

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

/** A token signed with an HMAC key (by default HS256 with the shared secret), as a FastAPI backend mints it. */
export function signWithSecret(
  claims: JWTPayload,
  {
    alg = "HS256",
    secret = SECRET,
    kid,
  }: { alg?: string; secret?: string | Uint8Array; kid?: string } = {},
): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg, typ: "JWT", ...(kid === undefined ? {} : { kid }) })
    .sign(typeof secret === "string" ? utf8(secret) : secret);
}

export type KeySetAlgorithm = "EdDSA" | "ES256" | "RS256" | "PS256";

export interface SigningKey {
  kid: string;
  alg: KeySetAlgorithm;
  privateKey: CryptoKey;
  /** The public key as Better Auth serves it: the JWK plus its kid and alg. */
  publishedJwk: JWK;
  /** The public key as PEM (SPKI), the material of the classic alg confusion attack. */
  publicPem: string;
}

export async function createSigningKey(alg: KeySetAlgorithm, kid: string): Promise<SigningKey> {
  const { publicKey, privateKey } = await generateKeyPair(
    alg,
    alg === "EdDSA" ? { crv: "Ed25519" } : undefined,
  );
  const publishedJwk = { ...(await exportJWK(publicKey)), kid, alg };
  return { kid, alg, privateKey, publishedJwk, publicPem: await exportSPKI(publicKey) };
}

/** A token as Better Auth's JWT plugin mints it: the key's alg and kid, iss and aud the origin. */
export function signWithKey(
  key: SigningKey,
  claims: JWTPayload,
  { kid = key.kid }: { kid?: string } = {},
): Promise<string> {
  return new SignJWT({ iss: ORIGIN, aud: ORIGIN, ...claims })
    .setProtectedHeader({ alg: key.alg, kid, typ: "JWT" })
    .sign(key.privateKey);
}

export const encodeSegment = (value: unknown): string =>
  Buffer.from(JSON.stringify(value)).toString("base64url");

/** header.payload.signature built by hand, HMAC-SHA256 over the raw segments, for tokens jose would not mint. */
export function hmacSignedByHand(
  headerSegment: string,
  payloadSegment: string,
  secret: string = SECRET,
): string {
  const signingInput = `${headerSegment}.${payloadSegment}`;
  return `${signingInput}.${createHmac("sha256", secret).update(signingInput).digest("base64url")}`;
}

export const withPayload = (token: string, payload: unknown): string => {
  const [header, , signature] = token.split(".");
  return `${header}.${encodeSegment(payload)}.${signature}`;
};
