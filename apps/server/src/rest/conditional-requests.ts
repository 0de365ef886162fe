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

/**
 * The version a tag names: a positive decimal integer that a number holds
 * exactly. Any other tag (`"stale"`, `"01"`, twenty digits) names no version.
 */
function versionOf(tag: EntityTag): number | undefined {
  if (!/^[1-9]\d{0,15}$/.test(tag.opaque)) return undefined;
  const version = Number(tag.opaque);
  return Number.isSafeInteger(version) ? version : undefined;
}

/**
 * If-Match as the versions a write may apply to: undefined when there is no
 * condition (no header, or `*`, which any existing task meets). Strong
 * comparison: a weak tag never matches, and a tag that names no version is
 * left out, so a list of only such tags is an empty list, which no task
 * meets (412). Each version once: a header lists at most a few thousand
 * (Node's header limit), fewer than the procedures take.
 */
export function ifMatchVersions(header: string | undefined): number[] | undefined {
  if (header === undefined) return undefined;
  const tags = parseEntityTags(header);
  if (tags === "*") return undefined;
  const versions = new Set<number>();
  for (const tag of tags) {
    const version = tag.weak ? undefined : versionOf(tag);
    if (version !== undefined) versions.add(version);
  }
  return [...versions];
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
 * Undefined when absent; anything else is a 400, and so are two of the header
 * (`lines`: each as sent, where Node would join them into one "a, b").
 */
export function idempotencyKeyOf(lines: readonly string[] | undefined): string | undefined {
  if (lines === undefined) return undefined;
  const [header] = lines;
  if (header === undefined || lines.length > 1) throw invalidIdempotencyKey();
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
