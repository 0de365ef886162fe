import { createDatabase, type Database } from "@todo/db";
import { createTestDatabase, type TestDatabase } from "@todo/db/testing";
import { TRPCError } from "@trpc/server";
import { expect } from "vitest";

import { createCaller } from "../src/root.js";
import { createContextInner } from "../src/trpc.js";

/** A migrated database of the test file's own, and callers acting as given users. */
export async function openTestDatabase(): Promise<{
  db: Database;
  callerFor: (userId: string) => ReturnType<typeof createCaller>;
  close: () => Promise<void>;
}> {
  const database: TestDatabase = await createTestDatabase();
  const db = createDatabase(database.url, { poolSize: 8 });
  return {
    db,
    callerFor: (userId) => createCaller(createContextInner({ db, userId })),
    close: async () => {
      await db.$disconnect();
      await database.drop();
    },
  };
}

/** Awaits `promise`, expecting a TRPCError with `code`; returns it. */
export async function expectTRPCError(promise: Promise<unknown>, code: TRPCError["code"]) {
  const error = await promise.then(
    () => {
      throw new Error(`expected a ${code} error, but the call succeeded`);
    },
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(TRPCError);
  expect((error as TRPCError).code).toBe(code);
  return error as TRPCError;
}
