import { Prisma, type User } from "./generated/prisma/client.js";
import type { Database } from "./client.js";

// Accounts of the server's own. The email column holds the lower-cased email
// (see schema.prisma); every function here lower-cases what it is given, so
// no caller can store or miss an email by its letter case.

export interface NewUser {
  email: string;
  name?: string | null;
  passwordHash: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The form an email is stored and compared in. */
export function normalizeEmail(email: string): string {
  return email.toLowerCase();
}

/** The new user, or null when the email is already registered (in any letter case). */
export async function createUser(db: Database, user: NewUser): Promise<User | null> {
  try {
    return await db.user.create({ data: { ...user, email: normalizeEmail(user.email) } });
  } catch (error) {
    if (isUniqueViolation(error)) return null;
    throw error;
  }
}

export function findUserByEmail(db: Database, email: string): Promise<User | null> {
  return db.user.findUnique({ where: { email: normalizeEmail(email) } });
}

/** Null for an id that is not a UUID, as for a missing user (tokens may carry any `sub`). */
export function findUserById(db: Database, id: string): Promise<User | null> {
  if (!UUID.test(id)) return Promise.resolve(null);
  return db.user.findUnique({ where: { id } });
}

export async function updatePasswordHash(
  db: Database,
  id: string,
  passwordHash: string,
): Promise<void> {
  await db.user.updateMany({ where: { id }, data: { passwordHash } });
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";
}
