import { parseOptions } from "@node-rs/argon2";
import { describe, expect, it } from "vitest";

import { createPasswordHasher, PASSWORD_HASHING } from "../../src/auth/password-hashing.js";
import { TEST_PASSWORD_HASHING } from "../local-auth.js";

const production = createPasswordHasher();

describe("createPasswordHasher()", () => {
  it("hashes with argon2id at OWASP's recommended m=19456 KiB, t=2, p=1 by default", async () => {
    expect(PASSWORD_HASHING).toEqual({ memoryCost: 19_456, timeCost: 2, parallelism: 1 });
    const stored = await production.hash("correct horse battery staple");
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(parseOptions(stored)).toMatchObject({ memoryCost: 19_456, timeCost: 2, parallelism: 1 });
  });

  it("verifies the right password and refuses a wrong one", async () => {
    const stored = await production.hash("correct horse battery staple");
    expect(await production.verify(stored, "correct horse battery staple")).toBe(true);
    expect(await production.verify(stored, "Correct horse battery staple")).toBe(false);
  });

  it("salts every hash: one password hashed twice gives two different hashes", async () => {
    const [a, b] = await Promise.all([
      production.hash("same-password"),
      production.hash("same-password"),
    ]);
    expect(a).not.toBe(b);
  });

  it("answers false, without throwing, for a stored hash it cannot read", async () => {
    expect(await production.verify("not-a-hash", "whatever1")).toBe(false);
    expect(await production.verify("", "whatever1")).toBe(false);
  });

  it("verifyWithoutAccount always answers false", async () => {
    expect(await production.verifyWithoutAccount("any password at all")).toBe(false);
  });
});

describe("needsRehash", () => {
  it("is false for the hasher's own hashes and true for other parameters or unreadable hashes", async () => {
    const cheap = createPasswordHasher(TEST_PASSWORD_HASHING);
    const cheapHash = await cheap.hash("password-1");
    expect(cheap.needsRehash(cheapHash)).toBe(false);
    expect(production.needsRehash(cheapHash)).toBe(true);
    expect(production.needsRehash(await production.hash("password-1"))).toBe(false);
    expect(production.needsRehash("garbage")).toBe(true);
  });
});
