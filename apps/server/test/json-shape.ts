// Measures of JSON for the tests of error bodies, and the deep values those
// tests send; jsonDepth and nested do not recurse, so they take any depth.

export const jsonBytes = (value: unknown): number =>
  Buffer.byteLength(JSON.stringify(value), "utf8");

/** Levels of arrays and objects in a JSON text, counted without recursion. */
export function jsonDepth(json: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < json.length; i += 1) {
    const c = json[i];
    if (inString) {
      if (c === "\\") i += 1;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "[" || c === "{") deepest = Math.max(deepest, ++depth);
    else if (c === "]" || c === "}") depth -= 1;
  }
  return deepest;
}

/** `[[[…"x"…]]]` or `{"a":{"a":…}}`, `levels` deep, built without recursion. */
export function nested(levels: number, kind: "array" | "object"): unknown {
  let value: unknown = "x";
  for (let i = 0; i < levels; i += 1) value = kind === "array" ? [value] : { a: value };
  return value;
}
