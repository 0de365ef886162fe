import { describe, expect, it } from "vitest";

import {
  createAuthRateLimiter,
  DEFAULT_AUTH_RATE_LIMITS,
} from "../../src/rate-limit/auth-rate-limiter.js";
import { rateLimitAddress } from "../../src/rate-limit/client-address.js";
import { createMemoryRateLimitStore } from "../../src/rate-limit/memory-store.js";
import type { RateLimitStore } from "../../src/rate-limit/rate-limit-store.js";

const limits = { perIp: 3, perEmail: 2, windowSeconds: 60 };

function limiter() {
  return createAuthRateLimiter({ store: createMemoryRateLimitStore(), limits });
}

async function attempts(n: number, attempt: () => Promise<{ allowed: boolean }>) {
  const results: boolean[] = [];
  for (let i = 0; i < n; i++) results.push((await attempt()).allowed);
  return results;
}

describe("createAuthRateLimiter", () => {
  it("defaults to 10 attempts per address and 5 per email, per action, per minute", () => {
    expect(DEFAULT_AUTH_RATE_LIMITS).toEqual({ perIp: 10, perEmail: 5, windowSeconds: 60 });
  });

  it("allows perIp attempts from one address, then refuses with the seconds left in the window", async () => {
    const limit = limiter();
    let n = 0;
    const results = await attempts(4, () =>
      limit.attempt("login", { clientIp: "198.51.100.1", email: `u${n++}@example.com` }),
    );
    expect(results).toEqual([true, true, true, false]);
    expect(
      await limit.attempt("login", { clientIp: "198.51.100.1", email: "new@example.com" }),
    ).toEqual({ allowed: false, limitedBy: "ip", retryAfterSeconds: 60 });
  });

  it("allows perEmail attempts on one email from any addresses, then refuses", async () => {
    const limit = limiter();
    let n = 0;
    const results = await attempts(3, () =>
      limit.attempt("login", { clientIp: `198.51.100.${++n}`, email: "victim@example.com" }),
    );
    expect(results).toEqual([true, true, false]);
    expect(
      await limit.attempt("login", { clientIp: "198.51.100.99", email: "VICTIM@example.com" }),
    ).toMatchObject({ allowed: false, limitedBy: "email" });
  });

  it("does not count an email's attempt when the address is already refused", async () => {
    const limit = limiter();
    const attacker = { clientIp: "192.0.2.66", email: "victim@example.com" };
    await attempts(limits.perIp, () =>
      limit.attempt("login", { ...attacker, email: "other@example.com" }),
    );
    await attempts(5, () => limit.attempt("login", attacker));
    expect(
      await limit.attempt("login", { clientIp: "192.0.2.1", email: "victim@example.com" }),
    ).toEqual({ allowed: true });
  });

  it("counts login and signup apart", async () => {
    const limit = limiter();
    const caller = { clientIp: "198.51.100.1", email: "a@example.com" };
    await attempts(limits.perEmail, () => limit.attempt("login", caller));
    expect((await limit.attempt("login", caller)).allowed).toBe(false);
    expect((await limit.attempt("signup", caller)).allowed).toBe(true);
  });

  it("lets the attempt through and reports the error when the store fails", async () => {
    const failing: RateLimitStore = {
      hit: () => Promise.reject(new Error("Connection is closed.")),
      close: () => Promise.resolve(),
    };
    const errors: unknown[] = [];
    const limit = createAuthRateLimiter({
      store: failing,
      limits,
      onStoreError: (e) => errors.push(e),
    });
    expect(
      await limit.attempt("login", { clientIp: "198.51.100.1", email: "a@example.com" }),
    ).toEqual({ allowed: true });
    expect(errors).toHaveLength(1);
  });
});

describe("rateLimitAddress", () => {
  it("keeps an IPv4 address, also when it arrives IPv4-mapped", () => {
    expect(rateLimitAddress("203.0.113.9")).toBe("203.0.113.9");
    expect(rateLimitAddress("::ffff:203.0.113.9")).toBe("203.0.113.9");
  });

  it("counts IPv6 addresses by their /64, however they are written", () => {
    expect(rateLimitAddress("2001:db8:1:2:aaaa::1")).toBe("2001:db8:1:2::/64");
    expect(rateLimitAddress("2001:0DB8:0001:0002:ffff:ffff:ffff:ffff")).toBe("2001:db8:1:2::/64");
    expect(rateLimitAddress("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(rateLimitAddress("::1")).toBe("0:0:0:0::/64");
    expect(rateLimitAddress("fe80::1%eth0")).toBe("fe80:0:0:0::/64");
    expect(rateLimitAddress("64:ff9b::192.0.2.1")).toBe("64:ff9b:0:0::/64");
    expect(rateLimitAddress("2001:db8:1:3::1")).not.toBe(rateLimitAddress("2001:db8:1:2::1"));
  });

  it("puts an unknown or unreadable address under one key", () => {
    expect(rateLimitAddress(null)).toBe("unknown");
    expect(rateLimitAddress("")).toBe("unknown");
    expect(rateLimitAddress("not-an-ip")).toBe("unknown");
  });
});
