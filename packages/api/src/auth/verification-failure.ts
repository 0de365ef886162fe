import { errors } from "jose";

import { KeySetUnavailableError } from "./key-set.js";

const REASON_BY_JOSE_CODE: Readonly<Record<string, string>> = {
  [errors.JWSSignatureVerificationFailed.code]: "signature verification failed",
  [errors.JWKSNoMatchingKey.code]: "no key in the key set matches the token's kid",
  [errors.JWKSMultipleMatchingKeys.code]: "several keys in the key set match the token's kid",
  [errors.JWSInvalid.code]: "token is not a well-formed JWS",
  [errors.JWTInvalid.code]: "token payload is not a JSON object of claims",
};

/**
 * A log line for why verification failed. Built only from fixed text, jose's
 * error codes and claim names, never from library messages, which could one
 * day quote the token.
 */
export function describeVerificationError(error: unknown): string {
  if (error instanceof KeySetUnavailableError) return error.message;
  if (error instanceof errors.JWTClaimValidationFailed) return describeClaimFailure(error);
  if (error instanceof errors.JOSEError) {
    return REASON_BY_JOSE_CODE[error.code] ?? `token could not be verified (${error.code})`;
  }
  return `token could not be verified (${error instanceof Error ? error.name : "unknown error"})`;
}

function describeClaimFailure({ claim, reason }: errors.JWTClaimValidationFailed): string {
  if (reason === "missing") return `${claim} claim is missing`;
  if (reason === "invalid") return `${claim} claim is not a number`;
  switch (claim) {
    case "nbf":
      return "token is not valid yet (nbf is in the future)";
    case "iss":
      return "iss is not the expected issuer";
    case "aud":
      return "aud is not the expected audience";
    default:
      return `${claim} claim check failed`;
  }
}
