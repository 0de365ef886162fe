import { z } from "zod";

// The only place in @todo/db that reads the environment. Library functions
// take their settings as arguments; this serves the package's CLI and tests.
// The server reads the same database variables with the same rules (and
// these schemas), so a mistake is said in the same words by both.

/**
 * A PostgreSQL URL; `ifUnset` says what unsetting the variable does. The
 * message never repeats the URL: it may hold a password.
 */
export const postgresUrl = (ifUnset: string) =>
  z.string().transform((text, ctx) => {
    const scheme = /^([a-z][a-z\d+.-]*):/i.exec(text)?.[1]?.toLowerCase();
    const isPostgres = scheme === "postgres" || scheme === "postgresql";
    if (isPostgres && URL.canParse(text)) return text;
    ctx.issues.push({
      code: "custom",
      input: "[redacted]",
      message: isPostgres
        ? "is not a valid URL. Write it as postgresql://user:password@host:5432/database, " +
          "with special characters in the password percent-encoded (@ as %40)"
        : `must be a PostgreSQL URL such as postgresql://user:password@localhost:5432/todo` +
          `${scheme ? `, not ${scheme}://…` : ""}. ` +
          `Point it at a PostgreSQL server, or unset it ${ifUnset}`,
    });
    return z.NEVER;
  });

/** DATABASE_QUERY_TIMEOUT_MS: how long to wait for PostgreSQL, for a connection or an answer. */
export const databaseTimeoutMs = z.coerce.number().int().min(100).max(600_000).default(2_000);

const dbEnvSchema = z.object({
  DATABASE_URL: postgresUrl("to migrate the embedded database").optional(),
  // The database's direct URL, where migrations run when DATABASE_URL is a pooler's.
  DIRECT_DATABASE_URL: postgresUrl("to migrate over DATABASE_URL").optional(),
  DATABASE_QUERY_TIMEOUT_MS: databaseTimeoutMs,
  EMBEDDED_DB_DIR: z.string().min(1).default(".data/pglite"),
  TEST_DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  // A transaction-mode PgBouncer in front of TEST_DATABASE_URL's server (its
  // path is ignored): test databases are made and migrated directly, and the
  // code under test is handed their URL through it.
  TEST_POOLER_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
});

export type DbEnv = z.infer<typeof dbEnvSchema>;

/** A variable is wrong; the message is one line naming it and what to do. */
export class DbEnvError extends Error {
  override name = "DbEnvError";
}

export function readDbEnv(source: NodeJS.ProcessEnv = process.env): DbEnv {
  const input = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== ""));
  const parsed = dbEnvSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new DbEnvError(
      `Invalid environment variable ${String(issue?.path[0])}: ${issue?.message}`,
    );
  }
  return parsed.data;
}
