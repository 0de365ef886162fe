import type { TestProject } from "vitest/node";

import { readDbEnv } from "../src/env.js";
import { startPgBouncer } from "../src/pgbouncer.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** The pooler's URL (`pgbouncer=true`, no database), for pgbouncer-setup.ts. */
    testPoolerUrl: string;
  }
}

/** One PgBouncer for the "pgbouncer" project's run, in front of TEST_DATABASE_URL's server. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const { TEST_DATABASE_URL } = readDbEnv();
  if (!TEST_DATABASE_URL) throw new Error("the pgbouncer project needs TEST_DATABASE_URL");
  const pooler = await startPgBouncer(TEST_DATABASE_URL);
  project.provide("testPoolerUrl", pooler.url);
  return () => pooler.stop();
}
