import pg from "pg";

// PostgreSQL sends a text[] column (a task's tags) as an array literal:
// `{work,"two words","say \"hi\"",NULL}`. node-postgres reads it with a
// general parser that walks it one character at a time and builds each
// element by appending characters, and a list of 50 tasks spent a fifth of
// the memory it allocated there (bench/README.md). This reads the same
// literal with slices: whole, when nothing in it is quoted.

const TEXT_ARRAY_OID = 1009;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN = 0x7b;

const typeParser = pg.types.getTypeParser as (
  oid: number,
  format?: "text" | "binary",
) => (value: string) => unknown;
const defaultTextArray = typeParser(TEXT_ARRAY_OID);

/**
 * A one-dimensional text[] in PostgreSQL's output format, as node-postgres
 * reads it. Anything else (more dimensions, explicit bounds) goes to
 * node-postgres's own parser.
 */
export function parseTextArray(text: string): unknown {
  if (text.charCodeAt(0) !== OPEN || text.charCodeAt(1) === OPEN) return defaultTextArray(text);
  const end = text.length - 1;
  if (end === 1) return [];
  // Unquoted elements hold no quote, backslash, comma or brace: without a
  // quote, the commas are exactly the separators.
  if (!text.includes('"')) {
    return text.slice(1, end).split(",").map(unquoted);
  }
  const elements: Array<string | null> = [];
  let at = 1;
  while (at < end) {
    if (text.charCodeAt(at) === QUOTE) {
      let value = "";
      let from = ++at;
      for (;;) {
        const code = text.charCodeAt(at);
        if (code === QUOTE) break;
        if (code === BACKSLASH) {
          value += text.slice(from, at);
          from = at + 1; // the escaped character itself, taken as it is
          at += 2;
        } else {
          at++;
        }
      }
      elements.push(value + text.slice(from, at));
      at += 2; // the closing quote and the comma (or the closing brace)
    } else {
      let comma = text.indexOf(",", at);
      if (comma === -1 || comma > end) comma = end;
      elements.push(unquoted(text.slice(at, comma)));
      at = comma + 1;
    }
  }
  return elements;
}

const unquoted = (element: string): string | null => (element === "NULL" ? null : element);

/** The type parsers of the task statements: node-postgres's, with text[] read as above. */
export const TASK_TYPES = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === TEXT_ARRAY_OID && format !== "binary"
      ? parseTextArray
      : typeParser(oid, format)) as pg.CustomTypesConfig["getTypeParser"],
};
