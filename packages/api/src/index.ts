import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";

import type { AppRouter } from "./root.js";

export { appRouter, createCaller, type AppRouter } from "./root.js";
export { VersionMismatchError } from "./router/task.js";
export { createContext, createContextInner, type Context } from "./trpc.js";
export { type RequestIdentity } from "./router/request-fingerprint.js";
export * from "./auth/index.js";
export {
  AUTH_FAILURE_MESSAGES,
  AuthenticationError,
  INVALID_CREDENTIALS_MESSAGE,
  InvalidCredentialsError,
} from "./auth/messages.js";
export { createLocalAuth, type LocalAuth, type LocalAuthOptions } from "./auth/local-auth.js";
export {
  createPasswordHasher,
  PASSWORD_HASHING,
  type PasswordHasher,
  type PasswordHashingParams,
} from "./auth/password-hashing.js";
export { createTokenIssuer, type IssuedToken, type TokenIssuer } from "./auth/token-issuer.js";
export {
  createAuthRateLimiter,
  DEFAULT_AUTH_RATE_LIMITS,
  RateLimitedError,
  type AuthAction,
  type AuthRateLimiter,
  type AuthRateLimits,
  type RateLimitDecision,
} from "./rate-limit/auth-rate-limiter.js";
export { rateLimitAddress } from "./rate-limit/client-address.js";
export { createFallbackRateLimitStore } from "./rate-limit/fallback-store.js";
export { createMemoryRateLimitStore } from "./rate-limit/memory-store.js";
export type { RateLimitStore, WindowCount } from "./rate-limit/rate-limit-store.js";
export {
  createRedisRateLimitStore,
  type RedisRateLimitStore,
  type RedisRateLimitStoreOptions,
} from "./rate-limit/redis-store.js";
export * from "./router/text.schemas.js";
export * from "./router/task.schemas.js";
export * from "./router/auth.schemas.js";
export { healthOutput } from "./router/health.js";
export { toTaskOutput } from "./router/task.js";
export { toUserOutput } from "./router/auth.js";

/** Inputs of every procedure, e.g. `RouterInputs["task"]["create"]`. */
export type RouterInputs = inferRouterInputs<AppRouter>;
/** Outputs of every procedure, e.g. `RouterOutputs["task"]["list"]`. */
export type RouterOutputs = inferRouterOutputs<AppRouter>;
