import type { TaskStore } from "./task-store.js";

// Idempotency keys (the IETF Idempotency-Key draft): the first answer to a
// request that carried a key is kept per user, so a retry gets that answer
// again instead of writing twice — across restarts and server processes,
// because it lives in the database. A claim is one INSERT: of two concurrent
// requests with one key, exactly one gets it. These statements run on the
// task store, so an answer is stored in the same transaction as its write.

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
  claimedAt: Date;
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
    const { rows: claimed } = await store.query<{ claimedAt: Date }>(
      `INSERT INTO idempotency_keys (user_id, key, fingerprint, claimed_at, expires_at)
       VALUES ($1, $2, $3, clock_timestamp(), clock_timestamp() + make_interval(secs => $4::float8))
       ON CONFLICT (user_id, key) DO UPDATE
         SET fingerprint = EXCLUDED.fingerprint, response = NULL,
             claimed_at = EXCLUDED.claimed_at, expires_at = EXCLUDED.expires_at
         WHERE idempotency_keys.expires_at < clock_timestamp()
            OR (idempotency_keys.response IS NULL
                AND idempotency_keys.fingerprint = EXCLUDED.fingerprint
                AND idempotency_keys.claimed_at
                    < clock_timestamp() - make_interval(secs => $5::float8))
       RETURNING claimed_at AS "claimedAt"`,
      [userId, key, fingerprint, ttl, stale],
    );
    const [row] = claimed;
    if (row) return { kind: "claimed", claim: { userId, key, claimedAt: row.claimedAt } };

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

/** Stores the answer of a claimed request, for its retries. */
export async function completeIdempotencyKey(
  store: TaskStore,
  claim: ClaimHandle,
  response: unknown,
): Promise<void> {
  await store.query(
    `UPDATE idempotency_keys SET response = $4::jsonb
     WHERE user_id = $1 AND key = $2 AND claimed_at = $3`,
    [claim.userId, claim.key, claim.claimedAt, JSON.stringify(response)],
  );
}

/** Gives a claim up (its request failed): a retry is processed anew. */
export async function releaseIdempotencyKey(store: TaskStore, claim: ClaimHandle): Promise<void> {
  await store.query(
    `DELETE FROM idempotency_keys
     WHERE user_id = $1 AND key = $2 AND claimed_at = $3 AND response IS NULL`,
    [claim.userId, claim.key, claim.claimedAt],
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
