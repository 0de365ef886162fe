import { isDatabaseUnavailable, type Database } from "@todo/db";
import { initTRPC, TRPCError } from "@trpc/server";
import { ZodError } from "zod";

import type { LocalAuth } from "./auth/local-auth.js";
import type { RequestIdentity } from "./router/request-fingerprint.js";
import { AuthenticationError } from "./auth/messages.js";
import type { TokenVerifier, VerifyResult } from "./auth/verify-token.js";

export interface Context {
  db: Database;
  /** Set once the request is authenticated; null before. */
  userId: string | null;
  /** Verifies the request's credentials; protectedProcedure calls it. */
  authenticate: () => Promise<VerifyResult>;
  /** The built-in accounts; null when they are turned off (LOCAL_AUTH=false). */
  localAuth: LocalAuth | null;
  /** The caller's IP address, which rate limits count by; null when unknown. */
  clientIp: string | null;
  /**
   * What the transport should say of the answer besides the output: whether
   * it replays a stored one (an idempotency key's retry). One object for the
   * whole call, so the transport sees what a procedure set.
   */
  answer: { replayed: boolean };
  /**
   * The request as a transport other than tRPC received it, which an
   * idempotency key's fingerprint covers (REST: method, path and body).
   * Undefined over tRPC: the procedure's path and raw input stand for it.
   */
  request?: RequestIdentity;
}

interface ContextOptions {
  db: Database;
  localAuth?: LocalAuth | null;
  clientIp?: string | null;
  request?: RequestIdentity;
}

const NO_CREDENTIALS: VerifyResult = {
  ok: false,
  failure: "missing",
  reason: "no Authorization header",
};

/**
 * The context without a request, for tests and for transports that have
 * authenticated already (the REST adapter checks the token before the path).
 */
export function createContextInner(options: ContextOptions & { userId?: string | null }): Context {
  return {
    db: options.db,
    userId: options.userId ?? null,
    authenticate: () => Promise.resolve(NO_CREDENTIALS),
    localAuth: options.localAuth ?? null,
    clientIp: options.clientIp ?? null,
    answer: { replayed: false },
    request: options.request,
  };
}

/** The context of one HTTP request: its Authorization header, checked on demand. */
export function createContext(
  options: ContextOptions & { verifier: TokenVerifier; authorization: string | undefined },
): Context {
  return {
    ...createContextInner(options),
    authenticate: () => options.verifier.verifyBearerToken(options.authorization),
  };
}

const t = initTRPC.context<Context>().create({
  errorFormatter({ shape, error }) {
    const issues =
      error.code === "BAD_REQUEST" && error.cause instanceof ZodError
        ? error.cause.issues
        : undefined;
    // A bug's message could carry SQL or a driver's words: it stays in the log.
    const message =
      error.code === "INTERNAL_SERVER_ERROR"
        ? "Internal server error"
        : issues
          ? "Invalid input"
          : shape.message;
    return {
      code: shape.code,
      message,
      data: {
        code: shape.data.code,
        httpStatus: shape.data.httpStatus,
        path: shape.data.path,
        ...(issues ? { issues } : {}),
      },
    };
  },
});

export const createCallerFactory = t.createCallerFactory;
export const createTRPCRouter = t.router;

/** A lost database is a 503 the client may retry, not a 500. */
function unavailableAs503<T extends { ok: true } | { ok: false; error: TRPCError }>(result: T): T {
  if (!result.ok && isDatabaseUnavailable(result.error.cause)) {
    throw new TRPCError({
      code: "SERVICE_UNAVAILABLE",
      message: "Service unavailable",
      cause: result.error.cause,
    });
  }
  return result;
}

/** The user id of the request: the one already known, or its token's (else UNAUTHORIZED). */
async function requireUserId(ctx: Context): Promise<string> {
  if (ctx.userId !== null) return ctx.userId;
  const result = await ctx.authenticate();
  if (!result.ok) {
    const cause = new AuthenticationError(result.failure, result.reason);
    throw new TRPCError({ code: "UNAUTHORIZED", message: cause.message, cause });
  }
  return result.userId;
}

export const publicProcedure = t.procedure.use(async ({ next }) => unavailableAs503(await next()));

/** After this, `ctx.userId` is the token's user id, a string. */
export const authenticated = t.middleware(async ({ ctx, next }) =>
  next({ ctx: { userId: await requireUserId(ctx) } }),
);

/**
 * Every task procedure: authenticated, a lost database a 503. One middleware
 * where `publicProcedure.use(authenticated)` would be two: each level of
 * tRPC's chain copies the call's options (measured: bench/README.md).
 */
export const protectedProcedure = t.procedure.use(async ({ ctx, next }) =>
  unavailableAs503(await next({ ctx: { userId: await requireUserId(ctx) } })),
);

/**
 * protectedProcedure for the procedures that take an idempotency key, in the
 * same one middleware: it also hands on the call's path and raw input, what
 * the key's fingerprint covers when the transport gave no request of its own.
 */
export const keyedProcedure = t.procedure.use(async ({ ctx, next, path, getRawInput }) =>
  unavailableAs503(
    await next({ ctx: { userId: await requireUserId(ctx), call: { path, getRawInput } } }),
  ),
);

/**
 * The built-in accounts' procedures. With LOCAL_AUTH=false they do not exist:
 * NOT_FOUND, as the REST routes' 404, before anything else is checked.
 * After this, `ctx.localAuth` is not null.
 */
export const localAuthProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.localAuth) throw new TRPCError({ code: "NOT_FOUND", message: "Not Found" });
  return next({ ctx: { localAuth: ctx.localAuth } });
});
