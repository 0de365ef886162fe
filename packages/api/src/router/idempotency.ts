import { createHash } from "node:crypto";

import {
  claimIdempotencyKey,
  completeIdempotencyKey,
  releaseIdempotencyKey,
  type Database,
} from "@todo/db";
import { TRPCError } from "@trpc/server";
import { z } from "zod";

// A request that carries an idempotency key is done once: its first
// successful answer is stored with the key (per user, in the database), and a
// retry gets that answer again instead of a second write.

/** 1–255 printable ASCII characters, as the REST header allows. */
export const idempotencyKeyInput = z
  .string()
  .regex(/^[\x20-\x7e]{1,255}$/, "An idempotency key is 1 to 255 printable ASCII characters")
  .meta({ description: "Retries with this key replay the first answer instead of writing again" });

export const IN_FLIGHT_MESSAGE = "A request with this Idempotency-Key is still being processed";
export const REUSED_MESSAGE = "Idempotency-Key reused with a different request";

/** What an idempotent call needs of the procedure's context. */
export interface IdempotencyContext {
  db: Database;
  userId: string;
  /** Set when the answer was a replay (REST says so in `Idempotent-Replayed`). */
  answer: { replayed: boolean };
}

/**
 * Runs `write` once for `key`: the first call claims the key, writes, and
 * stores the answer in the same transaction as the write, so a crash loses
 * both or neither; a retry returns the stored answer; a failure releases the
 * key for a retry. Without a key, just writes.
 */
export async function onceForKey<T>(
  ctx: IdempotencyContext,
  request: { procedure: string; input: unknown; key: string | undefined },
  write: (db: Database) => Promise<T>,
): Promise<T> {
  if (request.key === undefined) return write(ctx.db);
  const fingerprint = createHash("sha256")
    .update(`${request.procedure}\n${JSON.stringify(request.input)}`)
    .digest("base64url");
  const claim = await claimIdempotencyKey(ctx.db, {
    userId: ctx.userId,
    key: request.key,
    fingerprint,
  });
  switch (claim.kind) {
    case "answered":
      ctx.answer.replayed = true;
      return claim.response as T;
    case "in-flight":
      throw new TRPCError({ code: "CONFLICT", message: IN_FLIGHT_MESSAGE });
    case "mismatch":
      throw new TRPCError({ code: "UNPROCESSABLE_CONTENT", message: REUSED_MESSAGE });
    case "claimed":
      break;
  }
  try {
    return await ctx.db.$transaction(async (tx) => {
      const answer = await write(tx as Database);
      await completeIdempotencyKey(tx as Database, claim.claim, answer);
      return answer;
    });
  } catch (error) {
    await releaseIdempotencyKey(ctx.db, claim.claim).catch(() => undefined);
    throw error;
  }
}
