import { randomBytes } from "node:crypto";

import { hash, parseOptions, verify, type Algorithm } from "@node-rs/argon2";

export interface PasswordHashingParams {
  /** KiB of memory per hash. */
  memoryCost: number;
  /** Passes over that memory. */
  timeCost: number;
  /** Lanes (threads) per hash. */
  parallelism: number;
}

/**
 * argon2id at OWASP's first recommended setting (Password Storage Cheat Sheet:
 * m = 19 MiB, t = 2, p = 1; also @node-rs/argon2's default). Why these:
 * - memory is what makes a GPU or ASIC attack on a stolen table costly, and
 *   19 MiB is the floor OWASP sets for it;
 * - p = 1 because each hash runs on one libuv thread: on a small (2-core)
 *   server, more lanes per hash only take cores from concurrent requests, and
 *   the memory a burst of logins can claim stays bounded (4 threads × 19 MiB);
 * - it costs about 15 ms per hash here, so a login stays quick while an
 *   attacker pays the same for every guess, on top of the rate limits.
 * Stored hashes carry their parameters, so raising these later is safe: a
 * login with an older hash rehashes the password (see needsRehash).
 */
export const PASSWORD_HASHING: Readonly<PasswordHashingParams> = Object.freeze({
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
});

// `Algorithm` is a const enum in the package's types, which isolatedModules
// cannot inline; 2 is its Argon2id.
const ARGON2ID = 2 as Algorithm;

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** False for a wrong password and for a hash that cannot be read; never throws for either. */
  verify(passwordHash: string, password: string): Promise<boolean>;
  /**
   * The work of a verify against a real hash, for a login whose email has no
   * account, so its answer takes as long as a wrong password's. Always false.
   */
  verifyWithoutAccount(password: string): Promise<false>;
  /** Whether the hash was made with other parameters than this hasher's. */
  needsRehash(passwordHash: string): boolean;
}

/**
 * argon2id with `params`: PASSWORD_HASHING unless told otherwise. Only tests
 * pass cheaper ones, explicitly.
 */
export function createPasswordHasher(
  params: Readonly<PasswordHashingParams> = PASSWORD_HASHING,
): PasswordHasher {
  const options = { ...params, algorithm: ARGON2ID };
  // A random password nobody knows, hashed with the same parameters. Started
  // now, so not even the first unknown-email login waits for an extra hash.
  const dummyHash = hash(randomBytes(32).toString("base64url"), options);
  dummyHash.catch(() => {});

  const verifyHash = async (passwordHash: string, password: string) => {
    try {
      return await verify(passwordHash, password);
    } catch {
      return false;
    }
  };

  return {
    hash: (password) => hash(password, options),
    verify: verifyHash,
    async verifyWithoutAccount(password) {
      await verifyHash(await dummyHash, password);
      return false;
    },
    needsRehash(passwordHash) {
      try {
        const current = parseOptions(passwordHash);
        return (
          current.algorithm !== ARGON2ID ||
          current.memoryCost !== params.memoryCost ||
          current.timeCost !== params.timeCost ||
          current.parallelism !== params.parallelism
        );
      } catch {
        return true;
      }
    },
  };
}
