import {
  claimIdempotencyKey,
  releaseIdempotencyKey,
  writeAndStoreAnswer,
  type TaskStore,
} from "@todo/db";
import { TRPCError } from "@trpc/server";

import { callIdentity, requestFingerprint, type RequestIdentity } from "./request-fingerprint.js";

// A request that carries an idempotency key is done once: its first
// successful answer is stored with the key (per user, in the database), and a
// retry gets that answer again instead of a second write.

export const IN_FLIGHT_MESSAGE = "A request with this Idempotency-Key is still being processed";
export const REUSED_MESSAGE = "Idempotency-Key reused with a different request";

/** What an idempotent call needs of the procedure's context. */
export interface IdempotencyContext {
  db: { tasks: TaskStore };
  userId: string;
  /** Set when the answer is a replay (REST says so in `Idempotent-Replayed`). */
  answer: { replayed: boolean };
  /** The request as the transport received it (REST); else `call` stands for it. */
  request?: RequestIdentity;
  /** The tRPC call: its procedure's path and raw input. */
  call: { path: string; getRawInput: () => Promise<unknown> };
}

/**
 * Runs `write` once for `key`: the first call claims the key, then writes and
 * stores the answer in one transaction, so a crash loses both or neither (and
 * its stale claim is taken over by a retry); a retry gets the stored answer; a
 * failure releases the key, so a retry is processed anew. Without a key, just
 * writes.
 *
 * A request that outlives the stale window may find its claim taken over by
 * a retry when it comes to store its answer: its write is rolled back, and it
 * is answered as it would be if it came now (the retry's stored answer, or
 * CONFLICT while the retry runs), so the request is done once whatever the timing.
 */
export async function onceForKey<T>(
  ctx: IdempotencyContext,
  request: {
    key: string | undefined;
    /**
     * What the order of checks puts before CONFLICT (the task exists), which
     * the claim would otherwise skip: it comes before the write's own checks.
     * Throws the answer that comes first. Run only when the key is in flight.
     */
    checkBeforeConflict?: () => Promise<void>;
  },
  write: (store: TaskStore) => Promise<T>,
): Promise<T> {
  if (request.key === undefined) return write(ctx.db.tasks);
  const identity = ctx.request ?? callIdentity(ctx.call.path, await ctx.call.getRawInput());
  const fingerprint = requestFingerprint(identity);
  const claimOptions = { userId: ctx.userId, key: request.key, fingerprint };
  // A second round only after a claim was lost, which takes a request slower
  // than the stale window: never a busy loop.
  for (let round = 0; round < 2; round++) {
    const claim = await claimIdempotencyKey(ctx.db.tasks, claimOptions);
    switch (claim.kind) {
      case "answered":
        ctx.answer.replayed = true;
        return claim.response as T;
      case "in-flight":
        await request.checkBeforeConflict?.();
        throw inFlight();
      case "mismatch":
        throw new TRPCError({ code: "UNPROCESSABLE_CONTENT", message: REUSED_MESSAGE });
      case "claimed":
        break;
    }
    const written = await writeAndStoreAnswer(ctx.db.tasks, claim.claim, write).catch(
      async (error: unknown) => {
        await releaseIdempotencyKey(ctx.db.tasks, claim.claim).catch(() => undefined);
        throw error;
      },
    );
    if (written.kind === "stored") return written.answer;
  }
  throw inFlight();
}

const inFlight = () => new TRPCError({ code: "CONFLICT", message: IN_FLIGHT_MESSAGE });
