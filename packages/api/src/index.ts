import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";

import type { AppRouter } from "./root.js";

export { appRouter, createCaller, type AppRouter } from "./root.js";
export { createContext, createContextInner, type Context } from "./trpc.js";
export * from "./auth/index.js";
export { AUTH_FAILURE_MESSAGES, AuthenticationError } from "./auth/messages.js";
export * from "./router/task.schemas.js";
export { healthOutput } from "./router/health.js";
export { toTaskOutput } from "./router/task.js";

/** Inputs of every procedure, e.g. `RouterInputs["task"]["create"]`. */
export type RouterInputs = inferRouterInputs<AppRouter>;
/** Outputs of every procedure, e.g. `RouterOutputs["task"]["list"]`. */
export type RouterOutputs = inferRouterOutputs<AppRouter>;
