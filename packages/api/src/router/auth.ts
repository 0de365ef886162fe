import { createUser, findUserByEmail, findUserById, updatePasswordHash, type User } from "@todo/db";
import { TRPCError, type TRPCRouterRecord } from "@trpc/server";

import type { LocalAuth } from "../auth/local-auth.js";
import { InvalidCredentialsError } from "../auth/messages.js";
import { RateLimitedError, type AuthAction } from "../rate-limit/auth-rate-limiter.js";
import { authenticated, localAuthProcedure, type Context } from "../trpc.js";
import {
  loginInput,
  sessionOutput,
  signupInput,
  userOutput,
  type SessionOutput,
  type UserOutput,
} from "./auth.schemas.js";

export function toUserOutput(user: User): UserOutput {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    createdAt: user.createdAt.toISOString(),
  };
}

async function sessionFor(localAuth: LocalAuth, user: User): Promise<SessionOutput> {
  const { token, expiresIn } = await localAuth.tokens.issue(user);
  return { token, tokenType: "bearer", expiresIn, user: toUserOutput(user) };
}

/** Counts the attempt; over a limit, TOO_MANY_REQUESTS before any password is hashed. */
async function limitAttempts(
  ctx: Context & { localAuth: LocalAuth },
  action: AuthAction,
  email: string,
): Promise<void> {
  const decision = await ctx.localAuth.rateLimiter.attempt(action, {
    clientIp: ctx.clientIp,
    email,
  });
  if (decision.allowed) return;
  throw new TRPCError({
    code: "TOO_MANY_REQUESTS",
    message: "Too many requests",
    cause: new RateLimitedError(decision.limitedBy, decision.retryAfterSeconds),
  });
}

export const authRouter = {
  signup: localAuthProcedure
    .input(signupInput)
    .output(sessionOutput)
    .mutation(async ({ ctx, input }) => {
      await limitAttempts(ctx, "signup", input.email);
      // Hashed before the insert, so the unique index settles two sign-ups
      // of one email racing each other.
      const passwordHash = await ctx.localAuth.passwords.hash(input.password);
      const user = await createUser(ctx.db, {
        email: input.email,
        name: input.name ?? null,
        passwordHash,
      });
      if (!user) throw new TRPCError({ code: "CONFLICT", message: "Email already registered" });
      return sessionFor(ctx.localAuth, user);
    }),

  login: localAuthProcedure
    .input(loginInput)
    .output(sessionOutput)
    .mutation(async ({ ctx, input }) => {
      await limitAttempts(ctx, "login", input.email);
      const { passwords } = ctx.localAuth;
      const user = await findUserByEmail(ctx.db, input.email);
      // An unknown email costs a hash too, so the answer's timing does not
      // tell which emails have an account.
      const valid = user
        ? await passwords.verify(user.passwordHash, input.password)
        : await passwords.verifyWithoutAccount(input.password);
      if (!user || !valid) {
        const cause = new InvalidCredentialsError(user ? "wrong password" : "unknown email");
        throw new TRPCError({ code: "UNAUTHORIZED", message: cause.message, cause });
      }
      if (passwords.needsRehash(user.passwordHash)) {
        await updatePasswordHash(ctx.db, user.id, await passwords.hash(input.password));
      }
      return sessionFor(ctx.localAuth, user);
    }),

  me: localAuthProcedure
    .use(authenticated)
    .output(userOutput)
    .query(async ({ ctx }) => {
      // A valid token of a user who has no account here (a Better Auth user,
      // or a deleted account) has nobody to describe.
      const user = await findUserById(ctx.db, ctx.userId);
      if (!user) throw new TRPCError({ code: "NOT_FOUND", message: "User not found" });
      return toUserOutput(user);
    }),
} satisfies TRPCRouterRecord;
