import { TRPCError } from "@trpc/server";
import { expect } from "vitest";
import { ZodError } from "zod";

// What a procedure call ended in, for the property tests: a value, or a
// TRPCError with one of the codes the contract documents for it.

export type Outcome = { ok: true; value: unknown } | { ok: false; error: TRPCError };

/** Makes the call; anything thrown that is not a TRPCError is rethrown (and fails the test). */
export async function outcomeOf(call: () => Promise<unknown>): Promise<Outcome> {
  try {
    return { ok: true, value: await call() };
  } catch (error) {
    if (!(error instanceof TRPCError)) throw error;
    return { ok: false, error };
  }
}

/**
 * The error's code is one of `codes` (so never INTERNAL_SERVER_ERROR), and a
 * BAD_REQUEST carries the zod issues, as the contract says.
 */
export function expectDocumentedCode(error: TRPCError, codes: ReadonlyArray<TRPCError["code"]>) {
  expect(codes, `${error.code}: ${error.message} (cause: ${String(error.cause)})`).toContain(
    error.code,
  );
  if (error.code === "BAD_REQUEST") expect(error.cause).toBeInstanceOf(ZodError);
}
