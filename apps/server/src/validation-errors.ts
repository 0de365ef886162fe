import { LONE_SURROGATE_FORMAT } from "@todo/api";
import type { core } from "zod";

import { echoInput } from "./input-echo.js";
import { camelToSnake } from "./rest/field-names.js";

// zod issues → the 422 body FastAPI + Pydantic v2 send, entry for entry, so
// frontends that show `detail[i].msg` next to `detail[i].loc` keep working.

export type Location = "body" | "query" | "path";

export interface PydanticError {
  type: string;
  loc: Array<string | number>;
  msg: string;
  input?: unknown;
  ctx?: Record<string, unknown>;
}

const MISSING = Symbol("missing");

// Pydantic echoes every refused value as `input`; a password is the exception:
// an error body ends up in browser consoles, logs and error trackers.
const SECRET_FIELDS = new Set(["password"]);

function valueAt(root: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let current: unknown = root;
  for (const key of path) {
    if (current === null || typeof current !== "object") return MISSING;
    if (!(String(key) in (current as object))) return MISSING;
    current = (current as Record<string, unknown>)[String(key)];
  }
  return current;
}

function quoteList(values: ReadonlyArray<unknown>): string {
  const quoted = values.map((value) => `'${String(value)}'`);
  return quoted.length <= 1
    ? (quoted[0] ?? "")
    : `${quoted.slice(0, -1).join(", ")} or ${quoted[quoted.length - 1]}`;
}

function describe(
  issue: core.$ZodIssue,
  input: unknown,
  location: Location,
): Omit<PydanticError, "loc" | "input"> {
  switch (issue.code) {
    case "invalid_type": {
      if (input === MISSING || input === undefined)
        return { type: "missing", msg: "Field required" };
      switch (issue.expected) {
        case "string":
          return { type: "string_type", msg: "Input should be a valid string" };
        case "boolean":
          // A query value is text, read as Pydantic's lax bool reads text
          // (the words in rest/tasks.ts): text it cannot read is
          // `bool_parsing`. A JSON body's booleans are strict, as a
          // StrictBool's: anything but true/false is `bool_type`.
          return location === "query"
            ? {
                type: "bool_parsing",
                msg: "Input should be a valid boolean, unable to interpret input",
              }
            : { type: "bool_type", msg: "Input should be a valid boolean" };
        case "number":
          return typeof input === "string" || location === "query"
            ? {
                type: "int_parsing",
                msg: "Input should be a valid integer, unable to parse string as an integer",
              }
            : { type: "int_type", msg: "Input should be a valid integer" };
        case "int":
          return {
            type: "int_from_float",
            msg: "Input should be a valid integer, got a number with a fractional part",
          };
        case "array":
          return { type: "list_type", msg: "Input should be a valid list" };
        case "object":
          return {
            type: "model_attributes_type",
            msg: "Input should be a valid dictionary or object to extract fields from",
          };
        default:
          return {
            type: `${issue.expected}_type`,
            msg: `Input should be a valid ${issue.expected}`,
          };
      }
    }
    case "too_big": {
      const max = Number(issue.maximum);
      if (issue.origin === "string") {
        return {
          type: "string_too_long",
          msg: `String should have at most ${max} character${max === 1 ? "" : "s"}`,
          ctx: { max_length: max },
        };
      }
      if (issue.origin === "array") {
        const actual = Array.isArray(input) ? input.length : max + 1;
        return {
          type: "too_long",
          msg: `List should have at most ${max} item${max === 1 ? "" : "s"} after validation, not ${actual}`,
          ctx: { field_type: "List", max_length: max, actual_length: actual },
        };
      }
      return {
        type: "less_than_equal",
        msg: `Input should be less than or equal to ${max}`,
        ctx: { le: max },
      };
    }
    case "too_small": {
      const min = Number(issue.minimum);
      if (issue.origin === "string") {
        return {
          type: "string_too_short",
          msg: `String should have at least ${min} character${min === 1 ? "" : "s"}`,
          ctx: { min_length: min },
        };
      }
      if (issue.origin === "array") {
        return {
          type: "too_short",
          msg: `List should have at least ${min} item${min === 1 ? "" : "s"} after validation`,
          ctx: { field_type: "List", min_length: min },
        };
      }
      return {
        type: "greater_than_equal",
        msg: `Input should be greater than or equal to ${min}`,
        ctx: { ge: min },
      };
    }
    case "invalid_value":
      return {
        type: "enum",
        msg: `Input should be ${quoteList(issue.values)}`,
        ctx: { expected: quoteList(issue.values) },
      };
    case "invalid_format":
      if (issue.format === "datetime") {
        return {
          type: "datetime_from_date_parsing",
          msg: "Input should be a valid datetime or date",
        };
      }
      if (issue.format === "email") return invalidEmail(input);
      if (issue.format === LONE_SURROGATE_FORMAT) {
        return {
          type: "string_unicode",
          msg: "Input should be a valid string, unable to parse raw data as a unicode string",
        };
      }
      return { type: "string_pattern_mismatch", msg: `Input should be a valid ${issue.format}` };
    default:
      // A validator's refusal (a duplicate tag, a NUL character), worded as
      // Pydantic words a ValueError raised in one.
      return { type: "value_error", msg: `Value error, ${issue.message}` };
  }
}

/** As Pydantic's EmailStr words it, with a reason in the manner of email-validator's. */
function invalidEmail(input: unknown): Omit<PydanticError, "loc" | "input"> {
  const text = typeof input === "string" ? input : "";
  const at = text.lastIndexOf("@");
  const reason =
    at === -1
      ? "An email address must have an @-sign."
      : at === 0
        ? "There must be something before the @-sign."
        : at === text.length - 1
          ? "There must be something after the @-sign."
          : "The email address is not valid.";
  return {
    type: "value_error",
    msg: `value is not a valid email address: ${reason}`,
    ctx: { reason },
  };
}

/**
 * One Pydantic-style entry per zod issue. `submitted` is what the client sent
 * at `location` (field names as the client wrote them), so each entry can
 * carry the offending `input` as FastAPI does.
 */
export function toPydanticErrors(
  issues: ReadonlyArray<core.$ZodIssue>,
  location: Location,
  submitted: unknown,
): PydanticError[] {
  const entries = issues.map((issue) => {
    const clientPath = issue.path.map((key) =>
      typeof key === "string" ? camelToSnake(key) : Number(key),
    );
    const input = valueAt(submitted, clientPath);
    const error: PydanticError = {
      ...describe(issue, input, location),
      loc: [location, ...clientPath],
    };
    const secret = clientPath.some((key) => typeof key === "string" && SECRET_FIELDS.has(key));
    if (error.type !== "missing" && input !== MISSING && !secret) error.input = input;
    return ordered(error);
  });
  return boundValidationErrors(entries);
}

/** A 422 body is always under this many bytes of JSON, the contract's 16 kB. */
export const VALIDATION_BODY_MAX_BYTES = 16_000;

const jsonBytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value), "utf8");

/**
 * The entries of a 422 body with every `input` cut to an echo (input-echo.ts),
 * so the body stays small and shallow whatever the client sent. Should the
 * body still reach VALIDATION_BODY_MAX_BYTES (it takes some twenty entries,
 * more than any input schema here reports), entries lose their echo, last
 * first, and then the last entries are left out. Idempotent.
 */
export function boundValidationErrors(entries: PydanticError[]): PydanticError[] {
  const bounded = entries.map((entry) =>
    entry.input === undefined ? entry : ordered({ ...entry, input: echoInput(entry.input) }),
  );
  // `{"detail":[` … `]}`, and a comma between entries.
  const frame = jsonBytes({ detail: [] });
  let size = bounded.reduce((total, entry, i) => total + jsonBytes(entry) + (i > 0 ? 1 : 0), frame);
  for (let i = bounded.length - 1; i >= 0 && size >= VALIDATION_BODY_MAX_BYTES; i -= 1) {
    const entry = bounded[i]!;
    if (entry.input === undefined) continue;
    const withoutEcho = ordered({ ...entry, input: undefined });
    size -= jsonBytes(entry) - jsonBytes(withoutEcho);
    bounded[i] = withoutEcho;
  }
  while (bounded.length > 1 && size >= VALIDATION_BODY_MAX_BYTES) {
    size -= jsonBytes(bounded.pop()) + 1;
  }
  return bounded;
}

function ordered({ type, loc, msg, input, ctx }: PydanticError): PydanticError {
  return {
    type,
    loc,
    msg,
    ...(input !== undefined ? { input } : {}),
    ...(ctx ? { ctx } : {}),
  };
}
