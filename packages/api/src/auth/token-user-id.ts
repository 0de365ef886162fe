import type { JWTPayload } from "jose";

import { unstorableText } from "../storable-text.js";

export type UserIdReading = { ok: true; userId: string } | { ok: false; reason: string };

type ClaimReading =
  { kind: "absent" } | { kind: "found"; userId: string } | { kind: "refused"; reason: string };

type UserIdClaim = "sub" | "user_id";

/**
 * The user id is `sub`; older tokens (`{"user_id","email","exp"}`) carry
 * `user_id` instead. A numeric id becomes its decimal string, so `123` and
 * `"123"` name the same user.
 */
export function userIdFromClaims(claims: JWTPayload): UserIdReading {
  const sub = readUserIdClaim(claims, "sub");
  const userId = readUserIdClaim(claims, "user_id");
  if (sub.kind === "refused") return { ok: false, reason: sub.reason };
  if (userId.kind === "refused") return { ok: false, reason: userId.reason };
  if (sub.kind === "found" && userId.kind === "found" && sub.userId !== userId.userId) {
    return { ok: false, reason: "sub and user_id disagree" };
  }
  const chosen = sub.kind === "found" ? sub : userId;
  if (chosen.kind === "absent") {
    return { ok: false, reason: "token has neither sub nor user_id" };
  }
  return { ok: true, userId: chosen.userId };
}

function readUserIdClaim(claims: JWTPayload, claim: UserIdClaim): ClaimReading {
  if (!Object.hasOwn(claims, claim)) return { kind: "absent" };
  const value: unknown = claims[claim];
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
