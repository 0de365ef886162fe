import pg from "pg";

const TIMESTAMPTZ_OID = 1184;
const parseTimestamptzSlowly = pg.types.getTypeParser(TIMESTAMPTZ_OID, "text");

/**
 * PostgreSQL's text for a timestamptz ("2026-11-22 10:00:00.123+00") read by
 * the engine's own ISO parser: a list of 1,000 tasks holds 2,500 of them, and
 * node-postgres's general parser spent 5% of the list's CPU on them. Anything
 * unusual (infinity, BC, offsets with seconds) goes to that parser as before.
 */
export function parseTimestamptz(text: string): Date {
  const n = text.length;
  if (n >= 22 && text[10] === " ") {
    const sign = text[n - 3];
    if (sign === "+" || sign === "-") return new Date(`${text.slice(0, 10)}T${text.slice(11)}:00`);
    const longSign = text[n - 6];
    if ((longSign === "+" || longSign === "-") && text[n - 3] === ":") {
      return new Date(`${text.slice(0, 10)}T${text.slice(11)}`);
    }
  }
  return parseTimestamptzSlowly(text) as Date;
}

/** node-postgres type parsers for a pool: the defaults, with the fast timestamptz. */
export const typeParsers: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === TIMESTAMPTZ_OID && format !== "binary"
      ? parseTimestamptz
      : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig["getTypeParser"],
};
