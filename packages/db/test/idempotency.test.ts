import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createDatabase, type Database } from "../src/client.js";
import {
  claimIdempotencyKey,
  completeIdempotencyKey,
  purgeExpiredIdempotencyKeys,
  releaseIdempotencyKey,
  writeAndStoreAnswer,
  type IdempotencyClaim,
} from "../src/idempotency.js";
import { createTask } from "../src/tasks.js";
import { createTestDatabase, type TestDatabase } from "../src/testing.js";

let database: TestDatabase;
let db: Database;

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDatabase(database.url, { poolSize: 4 });
});
afterAll(async () => {
  await db.$disconnect();
  await database.drop();
});

/** As if the key's claim had been made an hour ago: stale, whatever the machine's speed. */
async function ageClaim(userId: string, key: string): Promise<void> {
  await db.tasks.query(
    "UPDATE idempotency_keys SET claimed_at = claimed_at - interval '1 hour' WHERE user_id = $1 AND key = $2",
    [userId, key],
  );
}

let n = 0;
const freshKey = () => `key-${++n}`;
const claimed = (claim: IdempotencyClaim) => {
  if (claim.kind !== "claimed") throw new Error(`expected a claim, got ${claim.kind}`);
  return claim.claim;
};

describe("claimIdempotencyKey", () => {
  it("claims a new key; the same request again is in flight until answered, then replayed", async () => {
    const key = freshKey();
    const first = claimed(
      await claimIdempotencyKey(db.tasks, { userId: "u", key, fingerprint: "create A" }),
    );
    expect(
      await claimIdempotencyKey(db.tasks, { userId: "u", key, fingerprint: "create A" }),
    ).toEqual({
      kind: "in-flight",
    });
    await completeIdempotencyKey(db.tasks, first, { id: "task-1", title: "A" });
    expect(
      await claimIdempotencyKey(db.tasks, { userId: "u", key, fingerprint: "create A" }),
    ).toEqual({
      kind: "answered",
      response: { id: "task-1", title: "A" },
    });
  });

  it("refuses the key for a different request, answered or not", async () => {
    const key = freshKey();
    claimed(await claimIdempotencyKey(db.tasks, { userId: "u", key, fingerprint: "create A" }));
    expect(
      await claimIdempotencyKey(db.tasks, { userId: "u", key, fingerprint: "create B" }),
    ).toEqual({
      kind: "mismatch",
    });
  });

  it("is per user: another user's same key is a key of their own", async () => {
    const key = freshKey();
    claimed(await claimIdempotencyKey(db.tasks, { userId: "alice", key, fingerprint: "f" }));
    claimed(await claimIdempotencyKey(db.tasks, { userId: "bob", key, fingerprint: "other" }));
  });

  it("lets a released claim (its request failed) be claimed again", async () => {
    const key = freshKey();
    const first = claimed(
      await claimIdempotencyKey(db.tasks, { userId: "u", key, fingerprint: "f" }),
    );
    await releaseIdempotencyKey(db.tasks, first);
    claimed(await claimIdempotencyKey(db.tasks, { userId: "u", key, fingerprint: "f" }));
  });

  it("gives one of 20 concurrent claims of one key the claim, the others in flight", async () => {
    const key = freshKey();
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        claimIdempotencyKey(db.tasks, { userId: "u", key, fingerprint: "f" }),
      ),
    );
    expect(results.filter((r) => r.kind === "claimed")).toHaveLength(1);
    expect(results.filter((r) => r.kind === "in-flight")).toHaveLength(19);
  });

  it("takes over a stale claim (its process died) for the same request, not for another", async () => {
    const key = freshKey();
    const dead = claimed(
      await claimIdempotencyKey(db.tasks, { userId: "u", key, fingerprint: "f" }),
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    const options = { userId: "u", key, staleAfterSeconds: 0.01 };
    expect(await claimIdempotencyKey(db.tasks, { ...options, fingerprint: "g" })).toEqual({
      kind: "mismatch",
    });
    const taken = claimed(await claimIdempotencyKey(db.tasks, { ...options, fingerprint: "f" }));
    // The dead request's late answer no longer lands on the new claim.
    expect(await completeIdempotencyKey(db.tasks, dead, { late: true })).toBe(false);
    expect(await completeIdempotencyKey(db.tasks, taken, { fresh: true })).toBe(true);
    expect(await completeIdempotencyKey(db.tasks, taken, { again: true })).toBe(false);
    expect(await claimIdempotencyKey(db.tasks, { userId: "u", key, fingerprint: "f" })).toEqual({
      kind: "answered",
      response: { fresh: true },
    });
  });

  it("keeps nothing of a write whose claim was taken over (its request outlived the stale window)", async () => {
    const key = freshKey();
    const title = `slow ${key}`;
    const slow = claimed(
      await claimIdempotencyKey(db.tasks, { userId: "u", key, fingerprint: "f" }),
    );
    await ageClaim("u", key);
    const retry = claimed(
      await claimIdempotencyKey(db.tasks, { userId: "u", key, fingerprint: "f" }),
    );

    const late = await writeAndStoreAnswer(db.tasks, slow, (store) =>
      createTask(store, "u", { title }),
    );
    expect(late).toEqual({ kind: "claim-lost" });
    expect(await db.task.count({ where: { userId: "u", title } })).toBe(0);

    const stored = await writeAndStoreAnswer(db.tasks, retry, (store) =>
      createTask(store, "u", { title }),
    );
    expect(stored.kind).toBe("stored");
    expect(await db.task.count({ where: { userId: "u", title } })).toBe(1);
    expect(await claimIdempotencyKey(db.tasks, { userId: "u", key, fingerprint: "f" })).toEqual({
      kind: "answered",
      response: stored.kind === "stored" ? stored.answer : undefined,
    });
  });

  it("keeps nothing of a write that fails, and leaves its claim to be released", async () => {
    const key = freshKey();
    const title = `failed ${key}`;
    const claim = claimed(
      await claimIdempotencyKey(db.tasks, { userId: "u", key, fingerprint: "f" }),
    );
    const failing = writeAndStoreAnswer(db.tasks, claim, async (store) => {
      await createTask(store, "u", { title });
      throw new Error("the write failed");
    });
    await expect(failing).rejects.toThrow("the write failed");
    expect(await db.task.count({ where: { userId: "u", title } })).toBe(0);
    expect(await claimIdempotencyKey(db.tasks, { userId: "u", key, fingerprint: "f" })).toEqual({
      kind: "in-flight",
    });
    await releaseIdempotencyKey(db.tasks, claim);
    claimed(await claimIdempotencyKey(db.tasks, { userId: "u", key, fingerprint: "f" }));
  });

  it("treats an expired key as new, and purges expired keys", async () => {
    const key = freshKey();
    const first = claimed(
      await claimIdempotencyKey(db.tasks, { userId: "u", key, fingerprint: "f", ttlSeconds: 0.01 }),
    );
    await completeIdempotencyKey(db.tasks, first, { old: true });
    await new Promise((resolve) => setTimeout(resolve, 20));
    claimed(
      await claimIdempotencyKey(db.tasks, { userId: "u", key, fingerprint: "other request" }),
    );

    const gone = freshKey();
    await claimIdempotencyKey(db.tasks, {
      userId: "u",
      key: gone,
      fingerprint: "f",
      ttlSeconds: 0.01,
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await purgeExpiredIdempotencyKeys(db.tasks)).toBeGreaterThanOrEqual(1);
    const rows = await db.idempotencyKey.findMany({ where: { userId: "u", key: gone } });
    expect(rows).toEqual([]);
  });

  it("keeps an answer at least 24 hours by default", async () => {
    const key = freshKey();
    claimed(await claimIdempotencyKey(db.tasks, { userId: "u", key, fingerprint: "f" }));
    const [row] = await db.idempotencyKey.findMany({ where: { userId: "u", key } });
    expect(row!.expiresAt.getTime() - row!.claimedAt.getTime()).toBeGreaterThanOrEqual(
      24 * 3600 * 1000,
    );
  });
});
