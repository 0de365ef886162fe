import { createTaskInput, listTasksInput, loginInput, signupInput } from "@todo/api";
import { describe, expect, it } from "vitest";
import type { z } from "zod";

import {
  boundValidationErrors,
  toPydanticErrors,
  VALIDATION_BODY_MAX_BYTES,
  type Location,
  type PydanticError,
} from "../src/validation-errors.js";
import { jsonDepth, nested } from "./json-shape.js";

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

describe("the body of a 422", () => {
  /** The body as the server sends it, checked for the contract's limits. */
  function expectSmallBody(detail: PydanticError[]) {
    const body = JSON.stringify({ detail });
    expect(Buffer.byteLength(body)).toBeLessThan(VALIDATION_BODY_MAX_BYTES);
    expect(jsonDepth(body)).toBeLessThan(128);
  }

  it("echoes a 100,000-level-deep input without overflowing the stack, small and shallow", () => {
    for (const kind of ["array", "object"] as const) {
      const deep = nested(100_000, kind);
      const detail = entriesFor(createTaskInput, "body", { title: deep, tags: deep });
      expect(detail.map(({ type, loc }) => ({ type, loc }))).toEqual([
        { type: "string_type", loc: ["body", "title"] },
        kind === "array"
          ? { type: "string_type", loc: ["body", "tags", 0] }
          : { type: "list_type", loc: ["body", "tags"] },
      ]);
      expectSmallBody(detail);
    }
  });

  it("keeps an echo for every entry of the largest input a task can refuse", () => {
    const huge = "x".repeat(100_000);
    const detail = entriesFor(
      createTaskInput,
      "body",
      {
        title: huge,
        description: `${huge}\u0000`,
        completed: huge,
        priority: huge,
        due_date: huge,
        tags: Array.from({ length: 10 }, (_, i) => `${i}${huge}`),
      },
      {
        title: huge,
        description: `${huge}\u0000`,
        completed: huge,
        priority: huge,
        dueDate: huge,
        tags: Array.from({ length: 10 }, (_, i) => `${i}${huge}`),
      },
    );
    expect(detail).toHaveLength(15);
    for (const entry of detail) expect(entry.input, String(entry.loc)).toEqual(expect.any(String));
    expectSmallBody(detail);
  });

  it("stays under 16 kB however many entries: the last lose their echo, then are left out", () => {
    const entry = (i: number): PydanticError => ({
      type: "string_type",
      loc: ["body", "field", i],
      msg: "Input should be a valid string",
      input: { [`${i}`]: "é".repeat(1000) },
    });
    const thirty = boundValidationErrors(Array.from({ length: 30 }, (_, i) => entry(i)));
    expect(thirty).toHaveLength(30);
    expect(thirty[0]?.input).toBeDefined();
    expect(thirty[29]?.input).toBeUndefined();
    expectSmallBody(thirty);

    const many = boundValidationErrors(Array.from({ length: 5000 }, (_, i) => entry(i)));
    expect(many.length).toBeLessThan(5000);
    expect(many[0]?.loc).toEqual(["body", "field", 0]);
    expectSmallBody(many);
  });

  it("bounds entries built outside toPydanticErrors too (a body that is not an object)", () => {
    const detail = boundValidationErrors([
      {
        type: "model_attributes_type",
        loc: ["body"],
        msg: "Input should be a valid dictionary or object to extract fields from",
        input: nested(100_000, "array"),
      },
    ]);
    expectSmallBody(detail);
    expect(boundValidationErrors(detail)).toEqual(detail);
  });
});
