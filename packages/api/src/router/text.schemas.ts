import { z } from "zod";

import { unstorableText } from "../storable-text.js";

// The free-text inputs (titles, tags, searches, names, emails, passwords).
// Each is first checked to be text PostgreSQL stores as sent, and only then
// trimmed and measured, as a Pydantic `mode="before"` validator runs before
// the field's own constraints: a title with a NUL is refused for the NUL
// however long it is, and one issue is reported per field.

export const NUL_CHARACTER_MESSAGE = "String must not contain NUL characters";
/** The `format` of the issue for a string with a lone UTF-16 surrogate. */
export const LONE_SURROGATE_FORMAT = "well_formed_unicode";

/**
 * Refuses a string PostgreSQL would not store as sent. The issue stops the
 * string's later checks (`continue: false`), length checks included.
 */
function refuseUnstorableText(ctx: z.core.ParsePayload<string>): void {
  switch (unstorableText(ctx.value)) {
    case "nul_character":
      ctx.issues.push({
        code: "custom",
        input: ctx.value,
        message: NUL_CHARACTER_MESSAGE,
        continue: false,
      });
      return;
    case "lone_surrogate":
      ctx.issues.push({
        code: "invalid_format",
        format: LONE_SURROGATE_FORMAT,
        input: ctx.value,
        message: "Input should be a valid string, unable to parse raw data as a unicode string",
        continue: false,
      });
      return;
    case null:
      return;
  }
}

/** A string of any length that PostgreSQL stores as sent. */
export function storableText() {
  return z.string().check(refuseUnstorableText);
}

/**
 * A string counted in Unicode code points, as Python's len() and PostgreSQL's
 * varchar(n) count — so a title of 200 emoji fits, as it does in the FastAPI
 * backends, although it is 400 UTF-16 units long.
 */
export function boundedText({ min, max, trim }: { min: number; max: number; trim: boolean }) {
  const base = trim ? storableText().trim() : storableText();
  return base
    .check((ctx) => {
      // Code points ≤ UTF-16 units, so only long strings need counting.
      const length = ctx.value.length <= max ? ctx.value.length : [...ctx.value].length;
      if (length < min) {
        ctx.issues.push({
          code: "too_small",
          origin: "string",
          minimum: min,
          inclusive: true,
          input: ctx.value,
          message: `String should have at least ${min} character${min === 1 ? "" : "s"}`,
        });
      } else if (length > max) {
        ctx.issues.push({
          code: "too_big",
          origin: "string",
          maximum: max,
          inclusive: true,
          input: ctx.value,
          message: `String should have at most ${max} characters`,
        });
      }
    })
    .meta({ minLength: min, maxLength: max });
}
