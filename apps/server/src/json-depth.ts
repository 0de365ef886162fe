// JSON.parse copes with any depth, but everything after it that walks a
// value (validation, error echoes, JSON.stringify) recurses, and a few
// kilobytes of `[[[[…` overflow the stack. So bodies are measured first, on
// their text, in one pass that nests nothing.

/** The deepest a request's JSON may nest: a task body needs 2 levels. */
export const MAX_JSON_DEPTH = 64;

const OPEN_BRACKET = 0x5b; // [
const OPEN_BRACE = 0x7b; // {
const CLOSE_BRACKET = 0x5d; // ]
const CLOSE_BRACE = 0x7d; // }
const QUOTE = 0x22; // "
const BACKSLASH = 0x5c; // \

/**
 * Whether JSON text nests arrays and objects deeper than `maxDepth`. The text
 * need not be valid JSON (the parser judges that); brackets inside strings
 * do not count.
 */
export function nestedDeeperThan(
  body: Buffer | string,
  encoding: string,
  maxDepth: number,
): boolean {
  // In UTF-8 no byte of a multi-byte character is ASCII, so its bytes can be
  // scanned as they are; other charsets (UTF-16) are decoded first.
  const text =
    typeof body === "string" || /^utf-?8$/i.test(encoding)
      ? body
      : new TextDecoder(encoding).decode(body);
  const codeAt =
    typeof text === "string" ? (i: number) => text.charCodeAt(i) : (i: number) => text[i]!;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const code = codeAt(i);
    if (inString) {
      if (code === BACKSLASH) i++;
      else if (code === QUOTE) inString = false;
    } else if (code === QUOTE) {
      inString = true;
    } else if (code === OPEN_BRACKET || code === OPEN_BRACE) {
      if (++depth > maxDepth) return true;
    } else if (code === CLOSE_BRACKET || code === CLOSE_BRACE) {
      depth--;
    }
  }
  return false;
}
