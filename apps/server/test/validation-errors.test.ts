import { createTaskInput, listTasksInput, loginInput, signupInput } from "@todo/api";
import { describe, expect, it } from "vitest";
import type { z } from "zod";

import { toPydanticErrors, type Location } from "../src/validation-errors.js";

// The 422 entries the REST adapter sends for the issues of the procedures'
// own schemas: `submitted` is the body or query as the client wrote it
// (snake_case), `input` what the procedure was given.

function entriesFor(
  schema: z.ZodType,
  location: Location,
  submitted: Record<string, unknown>,
  input: unknown = submitted,
) {
  const result = schema.safeParse(input);
  if (result.success) throw new Error("expected the input to be refused");
  return toPydanticErrors(result.error.issues, location, submitted);
}

const NUL_ENTRY = {
  type: "value_error",
  msg: "Value error, String must not contain NUL characters",
};
const UNICODE_ENTRY = {
  type: "string_unicode",
  msg: "Input should be a valid string, unable to parse raw data as a unicode string",
};

describe("a string containing U+0000", () => {
  it("is a value_error in the body, worded as a Pydantic validator's, with the input echoed", () => {
    expect(entriesFor(createTaskInput, "body", { title: "Buy\u0000milk" })).toEqual([
      { ...NUL_ENTRY, loc: ["body", "title"], input: "Buy\u0000milk" },
    ]);
  });

  it("names the tag's position, and the description", () => {
    expect(
      entriesFor(createTaskInput, "body", {
        title: "t",
        description: "\u0000",
        tags: ["a", "\u0000"],
      }),
    ).toEqual([
      { ...NUL_ENTRY, loc: ["body", "description"], input: "\u0000" },
      { ...NUL_ENTRY, loc: ["body", "tags", 1], input: "\u0000" },
    ]);
  });

  it("is a value_error in the query for the list's search and tag filters", () => {
    expect(entriesFor(listTasksInput, "query", { search: "a\u0000", tag: "\u0000" })).toEqual([
      { ...NUL_ENTRY, loc: ["query", "tag"], input: "\u0000" },
      { ...NUL_ENTRY, loc: ["query", "search"], input: "a\u0000" },
    ]);
  });

  it("is reported instead of the string being too long, as a before-validator's error is", () => {
    const title = `${"x".repeat(300)}\u0000`;
    expect(entriesFor(createTaskInput, "body", { title })).toEqual([
      expect.objectContaining({ ...NUL_ENTRY, loc: ["body", "title"] }),
    ]);
  });

  it("is reported for an email instead of its format, and a password's is never echoed", () => {
    const submitted = { email: "ada\u0000@example.com", password: "hunter2\u0000hunter2" };
    expect(entriesFor(signupInput, "body", submitted)).toEqual([
      { ...NUL_ENTRY, loc: ["body", "email"], input: "ada\u0000@example.com" },
      { ...NUL_ENTRY, loc: ["body", "password"] },
    ]);
    expect(entriesFor(loginInput, "body", { email: "x", password: "\u0000" })).toEqual([
      expect.objectContaining({ type: "value_error", loc: ["body", "email"] }),
      { ...NUL_ENTRY, loc: ["body", "password"] },
    ]);
  });
});

describe("a string with a lone UTF-16 surrogate", () => {
  it("is string_unicode, as Pydantic words it, with the input echoed", () => {
    expect(entriesFor(createTaskInput, "body", { title: "\ud800" })).toEqual([
      { ...UNICODE_ENTRY, loc: ["body", "title"], input: "\ud800" },
    ]);
    expect(entriesFor(createTaskInput, "body", { title: "t", tags: ["ok", "a\udc00"] })).toEqual([
      { ...UNICODE_ENTRY, loc: ["body", "tags", 1], input: "a\udc00" },
    ]);
  });

  it("is string_unicode in the query too, and for a name", () => {
    expect(entriesFor(listTasksInput, "query", { search: "\udfff" })).toEqual([
      { ...UNICODE_ENTRY, loc: ["query", "search"], input: "\udfff" },
    ]);
    expect(
      entriesFor(signupInput, "body", {
        email: "ada@example.com",
        password: "long enough",
        name: "\ud83d",
      }),
    ).toEqual([{ ...UNICODE_ENTRY, loc: ["body", "name"], input: "\ud83d" }]);
  });
});

describe("more than 10 tags", () => {
  it("is one too_long entry counting them all, whatever the tags are", () => {
    const tags = Array.from({ length: 30_000 }, () => "\u0000");
    expect(entriesFor(createTaskInput, "body", { title: "t", tags })).toEqual([
      {
        type: "too_long",
        loc: ["body", "tags"],
        msg: "List should have at most 10 items after validation, not 30000",
        input: expect.any(Array),
        ctx: { field_type: "List", max_length: 10, actual_length: 30_000 },
      },
    ]);
  });
});
