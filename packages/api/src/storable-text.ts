// What PostgreSQL stores exactly as sent. Its text types cannot hold U+0000
// (the driver's query fails), and node-postgres encodes a lone UTF-16
// surrogate as U+FFFD, so "\ud800" would be stored as another string.

export type UnstorableText = "nul_character" | "lone_surrogate";

/** In unicode mode a surrogate pair is one code point, so only a lone surrogate matches. */
const LONE_SURROGATE = /\p{Surrogate}/u;

/** Why `text` cannot be stored as it is, or null when it can. */
export function unstorableText(text: string): UnstorableText | null {
  if (text.includes("\u0000")) return "nul_character";
  if (LONE_SURROGATE.test(text)) return "lone_surrogate";
  return null;
}
