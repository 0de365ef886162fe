import { holdFirstTaskTransaction } from "@todo/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createCaller } from "../../src/root.js";
import { MAX_EXPECTED_VERSIONS } from "../../src/router/task.schemas.js";
import { VersionMismatchError } from "../../src/router/task.js";
import { createContextInner } from "../../src/trpc.js";
import { expectTRPCError, openTestDatabase } from "../caller.js";

// The contract's "Concurrent edits and retries" through createCaller: what
// every transport gets from the procedures.

let env: Awaited<ReturnType<typeof openTestDatabase>>;
const ana = () => env.callerFor("ana");
const MISSING_ID = "6f1c2d3e-4b5a-4c6d-8e7f-0123456789ab";

/** As if the key's claim had been made an hour ago: stale, whatever the machine's speed. */
async function ageClaim(userId: string, key: string): Promise<void> {
  await env.db.idempotencyKey.updateMany({
    where: { userId, key },
    data: { claimedAt: new Date(Date.now() - 3_600_000) },
  });
}

beforeAll(async () => {
  env = await openTestDatabase();
});
afterAll(() => env.close());

describe("version", () => {
  it("is 1 on create and +1 on every change; a write that changes nothing keeps it", async () => {
    const task = await ana().task.create({ title: "v" });
    expect(task.version).toBe(1);
    expect((await ana().task.update({ id: task.id, title: "v" })).version).toBe(1);
    expect((await ana().task.update({ id: task.id, title: "w" })).version).toBe(2);
    expect((await ana().task.toggleComplete({ id: task.id })).version).toBe(3);
    expect((await ana().task.setCompleted({ id: task.id, completed: true })).version).toBe(3);
    expect((await ana().task.setCompleted({ id: task.id, completed: false })).version).toBe(4);
  });

  it("leaves updatedAt as it was for a write that changes nothing", async () => {
    const task = await ana().task.create({ title: "still", priority: "low", tags: ["a"] });
    const unchanged = [
      ana().task.update({ id: task.id }),
      ana().task.update({ id: task.id, title: "still", priority: "low", tags: ["a"] }),
      ana().task.setCompleted({ id: task.id, completed: false }),
    ];
    for (const write of unchanged) {
      expect(await write).toEqual(task);
    }
  });
});

describe("expectedVersion", () => {
  it("lets a write apply at that version, and refuses it at another with PRECONDITION_FAILED, changing nothing", async () => {
    const task = await ana().task.create({ title: "guarded" });
    const error = await expectTRPCError(
      ana().task.update({ id: task.id, title: "lost", expectedVersion: 2 }),
      "PRECONDITION_FAILED",
    );
    expect(error.cause).toBeInstanceOf(VersionMismatchError);
    expect((error.cause as VersionMismatchError).currentVersion).toBe(1);
    await expectTRPCError(
      ana().task.toggleComplete({ id: task.id, expectedVersion: [5, 6] }),
      "PRECONDITION_FAILED",
    );
    await expectTRPCError(
      ana().task.delete({ id: task.id, expectedVersion: 9 }),
      "PRECONDITION_FAILED",
    );
    expect(await ana().task.byId({ id: task.id })).toMatchObject({
      title: "guarded",
      completed: false,
      version: 1,
    });

    expect(
      (await ana().task.update({ id: task.id, title: "won", expectedVersion: [3, 1] })).version,
    ).toBe(2);
    expect(await ana().task.delete({ id: task.id, expectedVersion: 2 })).toEqual({ id: task.id });
  });

  it("is PRECONDITION_FAILED, never a 5xx, for a version beyond any a task can reach (NOT_FOUND first)", async () => {
    const task = await ana().task.create({ title: "bounded" });
    const beyond = 3_000_000_000;
    for (const expectedVersion of [beyond, [beyond], [2 ** 31, Number.MAX_SAFE_INTEGER]]) {
      await expectTRPCError(
        ana().task.update({ id: task.id, title: "lost", expectedVersion }),
        "PRECONDITION_FAILED",
      );
      await expectTRPCError(
        ana().task.setCompleted({ id: task.id, completed: true, expectedVersion }),
        "PRECONDITION_FAILED",
      );
      await expectTRPCError(
        ana().task.toggleComplete({ id: task.id, expectedVersion }),
        "PRECONDITION_FAILED",
      );
      await expectTRPCError(
        ana().task.delete({ id: task.id, expectedVersion }),
        "PRECONDITION_FAILED",
      );
      await expectTRPCError(
        ana().task.update({ id: MISSING_ID, title: "x", expectedVersion }),
        "NOT_FOUND",
      );
    }
    expect((await ana().task.byId({ id: task.id })).version).toBe(1);
    expect(
      (await ana().task.update({ id: task.id, title: "won", expectedVersion: [beyond, 1] }))
        .version,
    ).toBe(2);
  });

  it(`takes a list of up to ${MAX_EXPECTED_VERSIONS} versions, and refuses a longer one or a version that is not a safe positive integer`, async () => {
    const task = await ana().task.create({ title: "listed" });
    const many = Array.from({ length: MAX_EXPECTED_VERSIONS }, (_, i) => i + 1).reverse();
    expect((await ana().task.toggleComplete({ id: task.id, expectedVersion: many })).version).toBe(
      2,
    );
    for (const expectedVersion of [[...many, MAX_EXPECTED_VERSIONS + 1], 0, 2 ** 53, 1.5]) {
      await expectTRPCError(
        ana().task.toggleComplete({ id: task.id, expectedVersion }),
        "BAD_REQUEST",
      );
    }
  });

  it("is NOT_FOUND for a missing task or another user's, before any version check", async () => {
    const task = await ana().task.create({ title: "mine" });
    await expectTRPCError(
      env.callerFor("ben").task.update({ id: task.id, title: "x", expectedVersion: 1 }),
      "NOT_FOUND",
    );
    await expectTRPCError(
      ana().task.update({ id: MISSING_ID, title: "x", expectedVersion: 1 }),
      "NOT_FOUND",
    );
  });
});

describe("idempotencyKey", () => {
  it("replays the first answer of task.create and task.toggleComplete, saying so in the context", async () => {
    const first = await ana().task.create({ title: "once", idempotencyKey: "k-create" });
    const context = createContextInner({ db: env.db, userId: "ana" });
    const again = await createCaller(context).task.create({
      title: "once",
      idempotencyKey: "k-create",
    });
    expect(again).toEqual(first);
    expect(context.answer.replayed).toBe(true);

    const toggled = await ana().task.toggleComplete({ id: first.id, idempotencyKey: "k-toggle" });
    const retried = await ana().task.toggleComplete({ id: first.id, idempotencyKey: "k-toggle" });
    expect(retried).toEqual(toggled);
    expect((await ana().task.byId({ id: first.id })).completed).toBe(true);
  });

  it("is UNPROCESSABLE_CONTENT for a key reused with another input, and CONFLICT while the first is in flight", async () => {
    await ana().task.create({ title: "a", idempotencyKey: "k-reuse" });
    await expectTRPCError(
      ana().task.create({ title: "b", idempotencyKey: "k-reuse" }),
      "UNPROCESSABLE_CONTENT",
    );
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () =>
        ana().task.create({ title: "race", idempotencyKey: "k-race" }),
      ),
    );
    const codes = results.map((r) =>
      r.status === "fulfilled" ? "ok" : (r.reason as { code: string }).code,
    );
    expect(codes.every((code) => code === "ok" || code === "CONFLICT")).toBe(true);
    const page = await ana().task.list({ search: "race" });
    expect(page.total).toBe(1);
  });

  it("tells calls apart by procedure and raw input, whatever its key order, and not by expectedVersion", async () => {
    const first = await ana().task.create({
      title: "milk",
      priority: "high",
      idempotencyKey: "k-raw",
    });
    expect(
      await ana().task.create({ priority: "high", title: "milk", idempotencyKey: "k-raw" }),
    ).toEqual(first);
    for (const input of [
      { title: "  milk  ", priority: "high" },
      { title: "milk", priority: "high", note: "an unknown field" },
      { title: "milk" },
    ]) {
      await expectTRPCError(
        ana().task.create({ ...input, idempotencyKey: "k-raw" } as never),
        "UNPROCESSABLE_CONTENT",
      );
    }
    await expectTRPCError(
      ana().task.toggleComplete({ id: first.id, idempotencyKey: "k-raw" }),
      "UNPROCESSABLE_CONTENT",
    );

    const toggled = await ana().task.toggleComplete({
      id: first.id,
      expectedVersion: 1,
      idempotencyKey: "k-expected",
    });
    // Retried after reading the task again: another expectedVersion, the same call.
    expect(
      await ana().task.toggleComplete({
        id: first.id,
        expectedVersion: [2],
        idempotencyKey: "k-expected",
      }),
    ).toEqual(toggled);
    await expectTRPCError(
      ana().task.setCompleted({ id: first.id, completed: true, idempotencyKey: "k-expected" }),
      "UNPROCESSABLE_CONTENT",
    );
  });

  it("treats an expired key as new: the call is processed again, and its answer kept anew", async () => {
    const first = await ana().task.create({ title: "expiring", idempotencyKey: "k-expiring" });
    await env.db.idempotencyKey.updateMany({
      where: { userId: "ana", key: "k-expiring" },
      data: { expiresAt: new Date(Date.now() - 1_000) },
    });
    const context = createContextInner({ db: env.db, userId: "ana" });
    const again = await createCaller(context).task.create({
      title: "expiring",
      idempotencyKey: "k-expiring",
    });
    expect(again.id).not.toBe(first.id);
    expect(context.answer.replayed).toBe(false);
    expect(await ana().task.create({ title: "expiring", idempotencyKey: "k-expiring" })).toEqual(
      again,
    );
  });

  it("is per user, and a failed call leaves the key free", async () => {
    const mine = await ana().task.create({ title: "mine", idempotencyKey: "k-user" });
    const theirs = await env
      .callerFor("ben")
      .task.create({ title: "mine", idempotencyKey: "k-user" });
    expect(theirs.id).not.toBe(mine.id);
    await expectTRPCError(
      ana().task.toggleComplete({ id: MISSING_ID, idempotencyKey: "k-fail" }),
      "NOT_FOUND",
    );
    const task = await ana().task.create({ title: "later" });
    // The same key with another input is accepted: the failed call kept nothing.
    expect(
      (await ana().task.toggleComplete({ id: task.id, idempotencyKey: "k-fail" })).completed,
    ).toBe(true);
  });

  it("is CONFLICT, with the contract's message, while the first call with the key is in flight; then replays its answer", async () => {
    const hold = holdFirstTaskTransaction(env.db);
    const first = createCaller(createContextInner({ db: hold.db, userId: "ana" })).task.create({
      title: "held",
      idempotencyKey: "k-held",
    });
    await hold.held;
    const error = await expectTRPCError(
      ana().task.create({ title: "held", idempotencyKey: "k-held" }),
      "CONFLICT",
    );
    expect(error.message).toBe("A request with this Idempotency-Key is still being processed");
    hold.release();
    const created = await first;
    expect(await ana().task.create({ title: "held", idempotencyKey: "k-held" })).toEqual(created);
    expect((await ana().task.list({ search: "held" })).total).toBe(1);
  });

  it("is NOT_FOUND, not CONFLICT, for a key in flight on a task that does not exist (the order of checks)", async () => {
    const hold = holdFirstTaskTransaction(env.db);
    const first = createCaller(
      createContextInner({ db: hold.db, userId: "ana" }),
    ).task.toggleComplete({ id: MISSING_ID, idempotencyKey: "k-missing" });
    await hold.held;
    await expectTRPCError(
      ana().task.toggleComplete({ id: MISSING_ID, idempotencyKey: "k-missing" }),
      "NOT_FOUND",
    );
    hold.release();
    await expectTRPCError(first, "NOT_FOUND");
  });

  it("keeps nothing of a call that outlived its claim: taken over by a retry, it answers with the retry's stored answer", async () => {
    const task = await ana().task.create({ title: "slow toggle" });
    const hold = holdFirstTaskTransaction(env.db);
    const slowContext = createContextInner({ db: hold.db, userId: "ana" });
    const slow = createCaller(slowContext).task.toggleComplete({
      id: task.id,
      idempotencyKey: "k-slow",
    });
    await hold.held;
    // As if the first call had run past the stale window: a retry takes its claim over.
    await ageClaim("ana", "k-slow");
    const retry = await ana().task.toggleComplete({ id: task.id, idempotencyKey: "k-slow" });
    expect(retry).toMatchObject({ completed: true, version: 2 });

    hold.release();
    expect(await slow).toEqual(retry);
    expect(slowContext.answer.replayed).toBe(true);
    expect(await ana().task.byId({ id: task.id })).toMatchObject({ completed: true, version: 2 });
  });

  it("refuses a key that is empty, too long or not printable ASCII", async () => {
    for (const key of ["", "x".repeat(256), "clé", "a\tb"]) {
      await expectTRPCError(ana().task.create({ title: "t", idempotencyKey: key }), "BAD_REQUEST");
    }
  });
});
