import { pingDatabase } from "@todo/db";
import { z } from "zod";

import { publicProcedure } from "../trpc.js";

export const healthOutput = z.object({
  status: z.enum(["ok", "unavailable"]),
  database: z.enum(["ok", "unavailable"]),
});

/** Public: answers whether the database can be reached, within a second. */
export const healthProcedure = publicProcedure.output(healthOutput).query(async ({ ctx }) => {
  const up = await pingDatabase(ctx.db, 1_000);
  const state = up ? "ok" : "unavailable";
  return { status: state, database: state } as const;
});
