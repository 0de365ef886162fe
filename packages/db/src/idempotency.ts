import type { TaskStore } from "./task-store.js";

// Idempotency keys (the IETF Idempotency-Key draft): the first answer to a
// request that carried a key is kept per user, so a retry gets that answer
// again instead of writing twice — across restarts and server processes,
// because it lives in the database. A claim is one INSERT: of two concurrent
// requests with one key, exactly one gets it. The answer is stored in the
// same transaction as its write, and only while the claim is still the
// request's own (writeAndStoreAnswer).

/** How long an answer is kept: at least the draft's 24 hours. */
export const IDEMPOTENCY_KEY_TTL_SECONDS = 24 * 3600;
/**
 * A claim with no answer this long after it was made belongs to a request
 * that will never finish (its process died): the next request with the same
 * key and the same request takes it over. Longer than any request may run.
 */
export const IDEMPOTENCY_CLAIM_STALE_SECONDS = 60;

export type IdempotencyClaim =
  /** Yours: process the request, then `complete` or `release` with this claim. */
  | { kind: "claimed"; claim: ClaimHandle }
  /** Answered before: here is the stored answer. */
  | { kind: "answered"; response: unknown }
  /** Another request with this key is still being processed. */
  | { kind: "in-flight" }
  /** The key was used with a different request. */
  | { kind: "mismatch" };

export interface ClaimHandle {
  userId: string;
  key: string;
  /** This claim's own token: a takeover gives the row another. */
  token: string;
}

export interface ClaimOptions {
  userId: string;
  key: string;
  /** What the request is (what it does and with what), to tell a reuse apart. */
  fingerprint: string;
  ttlSeconds?: number;
  staleAfterSeconds?: number;
}

/**
 * Claims `key` for a request, or says why not. An expired row counts as
 * absent; a stale claim for the same request is taken over.
 */
export async function claimIdempotencyKey(
  store: TaskStore,
  options: ClaimOptions,
): Promise<IdempotencyClaim> {
  const { userId, key, fingerprint } = options;
  const ttl = options.ttlSeconds ?? IDEMPOTENCY_KEY_TTL_SECONDS;
  const stale = options.staleAfterSeconds ?? IDEMPOTENCY_CLAIM_STALE_SECONDS;
  // A row deleted between the INSERT and the SELECT (its first request failed
  // and released it) is claimed on the next pass.
  for (let attempt = 0; attempt < 3; attempt++) {
    const { rows: claimed } = await store.query<{ token: string }>(
      `INSERT INTO idempotency_keys (user_id, key, fingerprint, claimed_at, claim_token, expires_at)
       VALUES ($1, $2, $3, clock_timestamp(), gen_random_uuid(),
               clock_timestamp() + make_interval(secs => $4::float8))
       ON CONFLICT (user_id, key) DO UPDATE
         SET fingerprint = EXCLUDED.fingerprint, response = NULL,
             claimed_at = EXCLUDED.claimed_at, claim_token = EXCLUDED.claim_token,
             expires_at = EXCLUDED.expires_at
         WHERE idempotency_keys.expires_at < clock_timestamp()
            OR (idempotency_keys.response IS NULL
                AND idempotency_keys.fingerprint = EXCLUDED.fingerprint
                AND idempotency_keys.claimed_at
                    < clock_timestamp() - make_interval(secs => $5::float8))
       RETURNING claim_token AS token`,
      [userId, key, fingerprint, ttl, stale],
    );
    const [row] = claimed;
    if (row) return { kind: "claimed", claim: { userId, key, token: row.token } };

    const { rows: existing } = await store.query<{ fingerprint: string; response: unknown }>(
      "SELECT fingerprint, response FROM idempotency_keys WHERE user_id = $1 AND key = $2",
      [userId, key],
    );
    const [found] = existing;
    if (!found) continue;
    if (found.fingerprint !== fingerprint) return { kind: "mismatch" };
    return found.response === null
      ? { kind: "in-flight" }
      : { kind: "answered", response: found.response };
  }
  return { kind: "in-flight" };
}

/**
 * Stores the answer of a claimed request, for its retries, if the claim is
 * still this one and unanswered; says whether it did. A claim taken over (its
 * request outlived IDEMPOTENCY_CLAIM_STALE_SECONDS) is no longer this one.
 */
export async function completeIdempotencyKey(
  store: TaskStore,
  claim: ClaimHandle,
  response: unknown,
): Promise<boolean> {
  const { rowCount } = await store.query(
    `UPDATE idempotency_keys SET response = $4::jsonb
     WHERE user_id = $1 AND key = $2 AND claim_token = $3 AND response IS NULL`,
    [claim.userId, claim.key, claim.token, JSON.stringify(response)],
  );
  return rowCount === 1;
}

/** What writeAndStoreAnswer did. */
export type ClaimedWrite<T> =
  /** Written, and the answer stored with the key: both committed. */
  | { kind: "stored"; answer: T }
  /** The claim is no longer this request's: nothing of the write was kept. */
  | { kind: "claim-lost" };

/** Rolls back the write of a request whose claim was taken over. */
class ClaimLost extends Error {}

/**
 * Runs `write` and stores its answer for `claim` in one transaction: both are
 * committed, or neither. The answer is stored only while the claim is still
 * this request's, so a request slower than the stale window, whose claim a
 * retry took over, writes nothing; the retry's write is the only one.
 * Should `write` throw, nothing is kept and the claim is left as it was.
 */
export async function writeAndStoreAnswer<T>(
  store: TaskStore,
  claim: ClaimHandle,
  write: (store: TaskStore) => Promise<T>,
): Promise<ClaimedWrite<T>> {
  try {
    const answer = await store.transaction(async (inTransaction) => {
      const written = await write(inTransaction);
      if (!(await completeIdempotencyKey(inTransaction, claim, written))) throw new ClaimLost();
      return written;
    });
    return { kind: "stored", answer };
  } catch (error) {
    if (error instanceof ClaimLost) return { kind: "claim-lost" };
    throw error;
  }
}

/** Gives a claim up (its request failed): a retry is processed anew. */
export async function releaseIdempotencyKey(store: TaskStore, claim: ClaimHandle): Promise<void> {
  await store.query(
    `DELETE FROM idempotency_keys
     WHERE user_id = $1 AND key = $2 AND claim_token = $3 AND response IS NULL`,
    [claim.userId, claim.key, claim.token],
  );
}

/** Removes the keys whose time is up; returns how many. */
export async function purgeExpiredIdempotencyKeys(store: TaskStore): Promise<number> {
  const { rowCount } = await store.query(
    "DELETE FROM idempotency_keys WHERE expires_at < clock_timestamp()",
    [],
  );
  return rowCount ?? 0;
}
