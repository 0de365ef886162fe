import fc from "fast-check";

// What a hostile or broken client sends, as fast-check arbitraries: any JSON
// value and a few JavaScript ones JSON cannot carry, strings with the
// characters that have broken servers, numbers at the edges, keys that name
// prototypes, and values nested hundreds of levels deep.

/** NUL and other controls, lone surrogates, direction marks, joiners, LIKE and quote characters. */
const HOSTILE_CHARACTERS = [
  "\u0000",
  "\u0001",
  "\u001b",
  "\u007f",
  "\u0085",
  "\ud800",
  "\udbff",
  "\udc00",
  "\udfff",
  "\u200e",
  "\u200f",
  "\u202e",
  "\u2066",
  "\u200b",
  "\u200d",
  "\ufeff",
  "\ufffd",
  "\uffff",
  "😀",
  "👩‍👩‍👧",
  "e\u0301",
  "ﷺ",
  "%",
  "_",
  "\\",
  "'",
  '"',
  "\n",
  "\r\n",
  "\t",
  " ",
  "\u00a0",
];

const character = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 1 }) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 1 }) },
  { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_CHARACTERS) },
  // What PostgreSQL cannot store as sent, often enough to be in most strings of ten.
  { weight: 1, arbitrary: fc.constantFrom("\u0000", "\ud800", "\udfff") },
);

/** Text of those characters: mostly short, sometimes 10,000 to 12,000 UTF-16 units. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: character, maxLength: 40 }) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.string({ unit: character, minLength: 1, maxLength: 4 }), fc.nat(2_000))
      .map(([piece, extra]) => piece.repeat(Math.ceil((10_000 + extra) / piece.length))),
  },
);

/** Text with a NUL or a lone surrogate somewhere: what PostgreSQL cannot store as sent. */
export const unstorableString: fc.Arbitrary<string> = fc
  .tuple(hostileString, fc.constantFrom("\u0000", "\ud800", "\udc00"), fc.nat())
  .map(([text, bad, at]) => {
    const i = at % (text.length + 1);
    return text.slice(0, i) + bad + text.slice(i);
  });

/** Numbers at the edges: huge, tiny, unsafe integers, fractions, -0, NaN and the infinities. */
export const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.integer({ min: -2, max: 1_002 }),
  fc.double(),
  fc.constantFrom(
    1e308,
    -1e308,
    1e21,
    5e-324,
    2 ** 31,
    2 ** 53,
    2 ** 53 + 2,
    Number.MAX_SAFE_INTEGER,
    -Number.MAX_SAFE_INTEGER,
    2 ** 63,
    0.5,
    -0,
  ),
);

/** Keys that name prototypes and built-ins, beside ordinary ones. */
export const hostileKey: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    "__proto__",
    "constructor",
    "prototype",
    "toString",
    "valueOf",
    "hasOwnProperty",
    "then",
  ),
  hostileString,
);

/**
 * An object of `entries` made as JSON.parse makes one: every key an own
 * property, `__proto__` included (not a prototype).
 */
export const objectOf = (entries: fc.Arbitrary<Array<[string, unknown]>>) =>
  entries.map((pairs) => Object.fromEntries(pairs) as Record<string, unknown>);

/** `levels` arrays or objects around `innermost`, built without recursion. */
export function nestedValue(levels: number, kind: "array" | "object", innermost: unknown): unknown {
  let value = innermost;
  for (let i = 0; i < levels; i += 1) value = kind === "array" ? [value] : { title: value };
  return value;
}

const scalar: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileString },
  { weight: 2, arbitrary: hostileNumber },
  { weight: 1, arbitrary: fc.constantFrom(true, false, null, undefined) },
);

/** Arrays and objects of a few levels, with hostile keys and scalars. */
const tree = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", maxDepth: 3, withCrossShrink: true },
    scalar,
    fc.array(tie("value"), { maxLength: 5 }),
    objectOf(fc.array(fc.tuple(hostileKey, tie("value")), { maxLength: 5 })),
  ),
})).value;

/** Two to four hundred levels of arrays or objects. */
const deep = fc
  .tuple(fc.integer({ min: 200, max: 400 }), fc.constantFrom("array", "object" as const), scalar)
  .map(([levels, kind, innermost]) => nestedValue(levels, kind, innermost));

/** Any value at all: what a procedure's input schema must refuse without harm. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 8, arbitrary: tree },
  { weight: 1, arbitrary: deep },
);

/**
 * For one field of an input: `valid` most of the time, else hostile text (which
 * may pass the schema and reach the database), else any hostile value.
 */
const fieldValue = (valid: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 6, arbitrary: valid },
    { weight: 2, arbitrary: hostileString },
    { weight: 1, arbitrary: hostileValue },
  );

/**
 * Inputs shaped like a procedure's, whose fields are `valid` (those not in
 * `always` present or not): mostly a valid input with one field hostile, so
 * that field's value gets past the others to whatever runs after validation;
 * else hostile values in any fields, beside hostile keys; now and then not an
 * object at all.
 */
export function shapedInput(
  valid: Record<string, fc.Arbitrary<unknown>>,
  always: string[] = [],
): fc.Arbitrary<unknown> {
  const names = Object.keys(valid);
  const oneHostile = fc
    .tuple(
      fc.record(valid, { requiredKeys: always }),
      fc.constantFrom(...names),
      fc.oneof(
        { weight: 2, arbitrary: hostileString },
        { weight: 2, arbitrary: unstorableString },
        { weight: 1, arbitrary: hostileValue },
      ),
    )
    .map(([input, name, value]) => ({ ...input, [name]: value }));
  const anyFields = fc
    .tuple(
      fc.record(Object.fromEntries(names.map((name) => [name, fieldValue(valid[name]!)])), {
        requiredKeys: always,
      }),
      fc.array(fc.tuple(hostileKey, hostileValue), { maxLength: 2 }),
    )
    .map(([known, extra]) => Object.fromEntries([...extra, ...Object.entries(known)]));
  return fc.oneof(
    { weight: 4, arbitrary: oneHostile },
    { weight: 3, arbitrary: anyFields },
    { weight: 1, arbitrary: hostileValue },
  );
}

/** Text a user might type, in any script: what an accepted field usually holds. */
export const plausibleText = (maxLength: number) =>
  fc.string({ unit: "grapheme", minLength: 1, maxLength });

/** ISO 8601 date-times within the years PostgreSQL and the schema accept, in a few forms. */
export const plausibleDateTime = fc
  .date({
    min: new Date("0001-01-01T00:00:00Z"),
    max: new Date("9999-12-31T23:59:59Z"),
    noInvalidDate: true,
  })
  .chain((date) =>
    fc.constantFrom(
      date.toISOString(),
      date.toISOString().slice(0, 10),
      date.toISOString().replace("Z", "+05:30"),
    ),
  );
