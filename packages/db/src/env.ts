import { z } from "zod";

// The only place in @todo/db that reads the environment. Library functions
// take their settings as arguments; this serves the package's CLI and tests.
const dbEnvSchema = z.object({
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  // The database's direct URL, where migrations run when DATABASE_URL is a pooler's.
  DIRECT_DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  EMBEDDED_DB_DIR: z.string().min(1).default(".data/pglite"),
  TEST_DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  // A transaction-mode PgBouncer in front of TEST_DATABASE_URL's server (its
  // path is ignored): test databases are made and migrated directly, and the
  // code under test is handed their URL through it.
  TEST_POOLER_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
});

export type DbEnv = z.infer<typeof dbEnvSchema>;

export function readDbEnv(source: NodeJS.ProcessEnv = process.env): DbEnv {
  const input = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== ""));
  const parsed = dbEnvSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`Invalid environment variable ${String(issue?.path[0])}: ${issue?.message}`);
  }
  return parsed.data;
}
