// The `input` a 422 entry echoes, cut to a size: Pydantic echoes a refused
// value whole, but a client can send a 100 kB string or a value nested
// 100,000 levels deep, and an error body must stay small (and JSON.stringify
// would overflow the stack on the deep one).

/** The most levels of arrays and objects an echo keeps; deeper values become `"…"`. */
export const ECHO_MAX_DEPTH = 8;

/** The most bytes of JSON (UTF-8) one echo takes. */
export const ECHO_MAX_BYTES = 512;

const CUT = "…";

const NOTHING = Symbol("nothing fits");

/** Bytes left to spend on the echo being built. */
interface Budget {
  left: number;
}

const jsonBytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value), "utf8");

/**
 * `value` as an echo of at most `maxBytes` bytes of JSON and ECHO_MAX_DEPTH
 * levels: a string too long is cut and ends in `…`; an array or object keeps
 * the items (and keys, cut like strings) that fit, in order; an array or
 * object below the deepest level kept is replaced by `"…"`. Values that fit
 * are echoed as they are.
 */
export function echoInput(value: unknown, maxBytes: number = ECHO_MAX_BYTES): unknown {
  const echoed = echo(value, 0, { left: maxBytes });
  return echoed === NOTHING ? CUT : echoed;
}

function echo(value: unknown, depth: number, budget: Budget): unknown {
  if (typeof value === "string") return echoString(value, budget);
  if (value === null || typeof value !== "object") return echoScalar(value, budget);
  if (depth >= ECHO_MAX_DEPTH) return echoString(CUT, budget);
  return Array.isArray(value)
    ? echoArray(value as unknown[], depth, budget)
    : echoObject(value as Record<string, unknown>, depth, budget);
}

/** Numbers, booleans and null; anything JSON cannot hold (undefined, a function) as null. */
function echoScalar(value: unknown, budget: Budget): unknown {
  const scalar = typeof value === "number" || typeof value === "boolean" ? value : null;
  return spend(jsonBytes(scalar), budget) ? scalar : NOTHING;
}

function echoString(text: string, budget: Budget): string | typeof NOTHING {
  // Every UTF-16 unit is at least one byte of JSON: a longer string cannot fit.
  if (text.length + 2 <= budget.left && spend(jsonBytes(text), budget)) return text;
  // The longest prefix that fits with the mark, by bisection on its length.
  let fits = -1;
  let low = 0;
  let high = Math.min(text.length, budget.left);
  while (low <= high) {
    const length = (low + high) >> 1;
    if (jsonBytes(prefix(text, length) + CUT) <= budget.left) {
      fits = length;
      low = length + 1;
    } else {
      high = length - 1;
    }
  }
  if (fits === -1) return NOTHING;
  const cut = prefix(text, fits) + CUT;
  spend(jsonBytes(cut), budget);
  return cut;
}

/** The first `length` UTF-16 units, less a high surrogate whose pair was cut off. */
function prefix(text: string, length: number): string {
  const code = text.charCodeAt(length - 1);
  const splitsPair = length < text.length && code >= 0xd800 && code <= 0xdbff;
  return text.slice(0, splitsPair ? length - 1 : length);
}

function echoArray(items: unknown[], depth: number, budget: Budget): unknown {
  if (!spend(2, budget)) return NOTHING; // []
  const kept: unknown[] = [];
  for (const item of items) {
    if (kept.length > 0 && !spend(1, budget)) break; // ,
    const echoed = echo(item, depth + 1, budget);
    if (echoed === NOTHING) break;
    kept.push(echoed);
  }
  return kept;
}

function echoObject(object: Record<string, unknown>, depth: number, budget: Budget): unknown {
  if (!spend(2, budget)) return NOTHING; // {}
  const kept: Array<[string, unknown]> = [];
  for (const key of Object.keys(object)) {
    const before = budget.left;
    // A separator (`,` after the first entry) and the colon.
    if (!spend(kept.length > 0 ? 2 : 1, budget)) break;
    const echoedKey = echoString(key, budget);
    const echoed = echoedKey === NOTHING ? NOTHING : echo(object[key], depth + 1, budget);
    if (echoedKey === NOTHING || echoed === NOTHING) {
      budget.left = before;
      break;
    }
    kept.push([echoedKey, echoed]);
  }
  // fromEntries defines own properties: a `__proto__` key stays a key.
  return Object.fromEntries(kept);
}

function spend(bytes: number, budget: Budget): boolean {
  if (bytes > budget.left) return false;
  budget.left -= bytes;
  return true;
}
