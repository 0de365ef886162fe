import { setTimeout as sleep } from "node:timers/promises";

import { createDatabase, type Database, type TaskStore } from "@todo/db";
import { createTestDatabase, type TestDatabase } from "@todo/db/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";

import {
  IDEMPOTENCY_KEY_PURGE_INTERVAL_MS,
  startIdempotencyKeyPurge,
} from "../src/idempotency-key-purge.js";
import { createLogger } from "../src/logging.js";
import { startQuietServer } from "./test-app.js";

// The contract keeps an idempotency key at least 24 hours, "then removed":
// the server removes expired keys as it starts and every hour after.

afterEach(() => {
  vi.useRealTimers();
});

/** A task store that answers every statement with `answer`, and counts the purges. */
function countingStore(answer: () => Promise<never> | Promise<{ rowCount: number }>) {
  const purges: string[] = [];
  const store = {
    query: (text: string) => {
      if (text.startsWith("DELETE FROM idempotency_keys")) purges.push(text);
      return answer();
    },
    transaction: () => Promise.reject(new Error("not used")),
  } as unknown as TaskStore;
  return { store, purges };
}

describe("startIdempotencyKeyPurge", () => {
  it("purges at once, then every interval, until stopped", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    const { store, purges } = countingStore(() => Promise.resolve({ rowCount: 0 }));
    const stop = startIdempotencyKeyPurge(store, createLogger({ level: "silent" }), 1_000);
    expect(purges).toHaveLength(1);
    vi.advanceTimersByTime(999);
    expect(purges).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(purges).toHaveLength(2);
    vi.advanceTimersByTime(2_000);
    expect(purges).toHaveLength(4);
    stop();
    vi.advanceTimersByTime(10_000);
    expect(purges).toHaveLength(4);
  });

  it("logs a failed purge and tries again at the next interval", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    const { store, purges } = countingStore(() => Promise.reject(new Error("database down")));
    const logger = createLogger({ level: "silent" });
    const warn = vi.spyOn(logger, "warn");
    const stop = startIdempotencyKeyPurge(store, logger, 1_000);
    await vi.waitFor(() => expect(warn).toHaveBeenCalledTimes(1));
    expect(warn.mock.calls[0]?.[1]).toBe("could not remove expired idempotency keys");
    vi.advanceTimersByTime(1_000);
    expect(purges).toHaveLength(2);
    await vi.waitFor(() => expect(warn).toHaveBeenCalledTimes(2));
    stop();
  });
});

describe("the server", () => {
  let database: TestDatabase;
  let db: Database;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = createDatabase(database.url, { poolSize: 2 });
  });
  afterAll(async () => {
    await db.$disconnect();
    await database.drop();
  });

  const keyOf = (key: string, expiresInMs: number) => ({
    userId: "purged",
    key,
    fingerprint: "f",
    response: {},
    expiresAt: new Date(Date.now() + expiresInMs),
  });
  const keysLeft = async () =>
    (
      await db.idempotencyKey.findMany({ where: { userId: "purged" }, orderBy: { key: "asc" } })
    ).map((row) => row.key);

  // Waits on real time: expect.poll would move the faked interval's clock on
  // with every retry (vitest advances fake timers while it polls).
  const untilKeysLeft = async (expected: string[]) => {
    const deadline = Date.now() + 20_000;
    let left = await keysLeft();
    while (JSON.stringify(left) !== JSON.stringify(expected) && Date.now() < deadline) {
      await sleep(20);
      left = await keysLeft();
    }
    expect(left).toEqual(expected);
  };

  it("removes expired idempotency keys as it starts, then every hour", async () => {
    await db.idempotencyKey.createMany({
      data: [keyOf("expired at start", -1_000), keyOf("kept", 3_600_000)],
    });
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    const running = await startQuietServer(database.url);
    try {
      await untilKeysLeft(["kept"]);
      await db.idempotencyKey.create({ data: keyOf("expired later", -1_000) });
      vi.advanceTimersByTime(IDEMPOTENCY_KEY_PURGE_INTERVAL_MS - 1);
      expect(await keysLeft()).toEqual(["expired later", "kept"]);
      vi.advanceTimersByTime(1);
      await untilKeysLeft(["kept"]);
    } finally {
      await running.close();
    }
  });
});
