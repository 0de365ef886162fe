// The API speaks ISO 8601 (and answers in UTC); <input type="datetime-local">
// speaks the user's wall-clock time without an offset. These convert between
// the two in the browser's time zone.

/** "2026-12-01T10:00" (local) → "2026-12-01T10:00:00+01:00"; "" → null. */
export function localInputToIso(value: string): string | null {
  if (!value) return null;
  // A date-time without an offset is parsed as local time.
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return null;
  const offsetMinutes = -date.getTimezoneOffset();
  const sign = offsetMinutes < 0 ? "-" : "+";
  const offset = `${sign}${pad(Math.trunc(Math.abs(offsetMinutes) / 60))}:${pad(Math.abs(offsetMinutes) % 60)}`;
  return `${localDateTime(date)}:${pad(date.getSeconds())}${offset}`;
}

/** "2026-12-01T09:00:00.000Z" → "2026-12-01T10:00" in the local time zone; null → "". */
export function isoToLocalInput(iso: string | null): string {
  if (!iso) return "";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? "" : localDateTime(date);
}

const dueFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

/** A due date as the user reads it, e.g. "Dec 1, 2026, 10:00 AM". */
export function formatDueDate(iso: string): string {
  return dueFormat.format(new Date(iso));
}

export function isOverdue(iso: string | null, now = Date.now()): boolean {
  return iso !== null && new Date(iso).getTime() < now;
}

function localDateTime(date: Date): string {
  const day = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
  return `${day}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

function pad(value: number): string {
  return String(value).padStart(2, "0");
}
