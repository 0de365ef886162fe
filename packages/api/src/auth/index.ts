export { createTokenVerifier, MAX_TOKEN_BYTES } from "./verify-token.js";
export type {
  AuthFailure,
  TokenVerifier,
  TokenVerifierConfig,
  VerifyResult,
} from "./verify-token.js";
