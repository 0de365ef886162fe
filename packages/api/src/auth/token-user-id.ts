import type { JWTPayload } from "jose";

import { unstorableText } from "../storable-text.js";

export type UserIdReading = { ok: true; userId: string } | { ok: false; reason: string };

type ClaimReading =
  { kind: "absent" } | { kind: "found"; userId: string } | { kind: "refused"; reason: string };

/**
 * The user id is `sub`; older tokens (`{"user_id","email","exp"}`) carry
 * `user_id` instead. A token with neither may be Better Auth's session cookie
 * cache (`strategy: "jwt"`), whose user is `session.userId` and `user.id`.
 * Of each pair, both present must agree. A numeric id becomes its decimal
 * string, so `123` and `"123"` name the same user.
 */
export function userIdFromClaims(claims: JWTPayload): UserIdReading {
  const token = oneUserId([
    ["sub", readUserIdClaim(claims, "sub")],
    ["user_id", readUserIdClaim(claims, "user_id")],
  ]);
  if (token !== undefined) return token;
  const cookieCache = oneUserId([
    ["session.userId", readUserIdClaim(objectClaim(claims, "session"), "userId", "session.")],
    ["user.id", readUserIdClaim(objectClaim(claims, "user"), "id", "user.")],
  ]);
  return cookieCache ?? { ok: false, reason: "token has neither sub nor user_id" };
}

/** The user id two claims agree on; undefined when neither is there. */
function oneUserId(readings: Array<[string, ClaimReading]>): UserIdReading | undefined {
  let chosen: { name: string; userId: string } | undefined;
  for (const [name, reading] of readings) {
    if (reading.kind === "refused") return { ok: false, reason: reading.reason };
    if (reading.kind === "absent") continue;
    if (chosen && chosen.userId !== reading.userId) {
      return { ok: false, reason: `${chosen.name} and ${name} disagree` };
    }
    chosen ??= { name, userId: reading.userId };
  }
  return chosen && { ok: true, userId: chosen.userId };
}

/** A claim that is a JSON object (Better Auth's `session`, `user`), else an empty one. */
function objectClaim(claims: JWTPayload, name: string): Record<string, unknown> {
  const value: unknown = Object.hasOwn(claims, name) ? claims[name] : undefined;
  return value !== null && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function readUserIdClaim(claims: Record<string, unknown>, key: string, prefix = ""): ClaimReading {
  if (!Object.hasOwn(claims, key)) return { kind: "absent" };
  const value: unknown = claims[key];
  const claim = prefix + key;
  if (typeof value === "string") {
    if (value === "") return { kind: "refused", reason: `${claim} is an empty string` };
    // The id is in every task query. A lone surrogate would be stored as
    // U+FFFD, so "\ud800" and "\udc00" would be one user.
    switch (unstorableText(value)) {
      case "nul_character":
        return { kind: "refused", reason: `${claim} contains a NUL character` };
      case "lone_surrogate":
        return { kind: "refused", reason: `${claim} contains a lone UTF-16 surrogate` };
      case null:
        return { kind: "found", userId: value };
    }
  }
  if (typeof value === "number" && Number.isFinite(value)) {
    // Past 2^53 a JSON integer is rounded while parsing, so two different
    // users' ids could read as the same string: refuse rather than guess.
    if (Number.isInteger(value) && !Number.isSafeInteger(value)) {
      return { kind: "refused", reason: `${claim} is an integer too large to read exactly` };
    }
    return { kind: "found", userId: String(value) };
  }
  return {
    kind: "refused",
    reason: `${claim} is ${describeJsonType(value)}, not a string or number`,
  };
}

function describeJsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}
