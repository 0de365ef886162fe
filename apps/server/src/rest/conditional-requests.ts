import { HttpError } from "../http-errors.js";

// The headers of RFC 9110 §13 (conditional requests) and of the IETF
// Idempotency-Key draft, read into what the procedures take: the versions a
// write may apply to, and the key of a retry-safe request. A task's ETag is its
// version, quoted: `"3"`.

export const etagOf = (version: number) => `"${version}"`;

interface EntityTag {
  weak: boolean;
  opaque: string;
}

/** `*`, or the entity-tags of a comma-separated list (malformed members are skipped). */
function parseEntityTags(header: string): "*" | EntityTag[] {
  if (header.trim() === "*") return "*";
  const tags: EntityTag[] = [];
  for (const match of header.matchAll(/\s*(W\/)?"([^"]*)"\s*(?:,|$)/g)) {
    tags.push({ weak: match[1] !== undefined, opaque: match[2] ?? "" });
  }
  return tags;
}

const versionOf = (tag: EntityTag) =>
  /^[1-9]\d{0,9}$/.test(tag.opaque) ? Number(tag.opaque) : undefined;

/**
 * If-Match as the versions a write may apply to: undefined when there is no
 * condition (no header, or `*`, which any existing task meets). Strong
 * comparison: a weak tag never matches, so a list of only weak or foreign tags
 * is an empty list, which no task meets.
 */
export function ifMatchVersions(header: string | undefined): number[] | undefined {
  if (header === undefined) return undefined;
  const tags = parseEntityTags(header);
  if (tags === "*") return undefined;
  return tags.flatMap((tag) => {
    const version = tag.weak ? undefined : versionOf(tag);
    return version === undefined ? [] : [version];
  });
}

/** Whether If-None-Match matches a task at `version` (weak comparison; `*` matches any). */
export function ifNoneMatchHits(header: string | undefined, version: number): boolean {
  if (header === undefined) return false;
  const tags = parseEntityTags(header);
  return tags === "*" || tags.some((tag) => versionOf(tag) === version);
}

const PRINTABLE_ASCII = /^[\x20-\x7e]{1,255}$/;

export const invalidIdempotencyKey = () => new HttpError(400, "Invalid Idempotency-Key");

/**
 * The Idempotency-Key header's key: a structured-field string (`"k"`, with
 * `\"` and `\\` escapes) or the bare text, 1–255 printable ASCII characters.
 * Undefined when absent; anything else is a 400.
 */
export function idempotencyKeyOf(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const quoted = header.length >= 2 && header.startsWith('"') && header.endsWith('"');
  const key = quoted ? unquote(header.slice(1, -1)) : header;
  if (key === undefined || !PRINTABLE_ASCII.test(key)) throw invalidIdempotencyKey();
  return key;
}

/** A structured-field string's content (RFC 8941 §3.3.3), or undefined if malformed. */
function unquote(inner: string): string | undefined {
  let text = "";
  for (let i = 0; i < inner.length; i++) {
    const char = inner[i]!;
    if (char === '"') return undefined;
    if (char === "\\") {
      const next = inner[++i];
      if (next !== '"' && next !== "\\") return undefined;
      text += next;
    } else {
      text += char;
    }
  }
  return text;
}
