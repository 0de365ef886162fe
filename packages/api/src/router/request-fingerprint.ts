import { createHash } from "node:crypto";

// The contract stores an idempotency key's answer "with a fingerprint of the
// request (method, path, body)", and a retry is the same request when its
// fingerprint is. What it covers is what the request asks for, as the client
// sent it: not the headers (a retry that re-read the task and sends another
// If-Match still asks for the same write), and the body as received, before
// any validation or normalisation (a padded title or an extra field is
// another body, as the bytes say). Two spellings of one JSON value (key
// order, spaces, escapes, `1.0` for `1`) are one body: what the server acts
// on is the value, and a client library may re-serialise it on a retry.

/** A request as its idempotency key's fingerprint covers it. */
export interface RequestIdentity {
  /** What it does and to what: REST's method and path, or a tRPC procedure's path. */
  operation: string;
  /** Its body (tRPC: its raw input) as received; undefined when it has none. */
  body: unknown;
}

/** The request's fingerprint: one for every request that asks for the same thing. */
export function requestFingerprint({ operation, body }: RequestIdentity): string {
  const text = body === undefined ? "" : canonicalJson(body);
  return createHash("sha256").update(`${operation}\n${text}`).digest("base64url");
}

/**
 * A tRPC call as a request: its procedure's path and its raw input, but for
 * `idempotencyKey` and `expectedVersion`, which over REST are headers (the key
 * itself, and If-Match).
 */
export function callIdentity(path: string, rawInput: unknown): RequestIdentity {
  if (rawInput === null || typeof rawInput !== "object" || Array.isArray(rawInput)) {
    return { operation: path, body: rawInput };
  }
  const body = { ...(rawInput as Record<string, unknown>) };
  delete body.idempotencyKey;
  delete body.expectedVersion;
  return { operation: path, body };
}

/**
 * JSON text of a value, as JSON.stringify writes it but with every object's
 * keys in one order (by UTF-16 code units), so one value has one text.
 * Bodies are at most 64 levels deep (checked before they are parsed), so the
 * recursion is bounded.
 */
export function canonicalJson(value: unknown): string {
  const toJSON: unknown =
    value !== null && typeof value === "object" && "toJSON" in value ? value.toJSON : undefined;
  const json: unknown =
    typeof toJSON === "function" ? (toJSON as () => unknown).call(value) : value;
  // A caller in the same process (createCaller) may pass more than JSON.
  if (typeof json === "bigint") return json.toString();
  if (Array.isArray(json)) {
    return `[${json.map((item) => (item === undefined ? "null" : canonicalJson(item))).join(",")}]`;
  }
  if (json !== null && typeof json === "object") {
    const members = Object.entries(json)
      .filter(([, member]) => member !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, member]) => `${JSON.stringify(key)}:${canonicalJson(member)}`);
    return `{${members.join(",")}}`;
  }
  return JSON.stringify(json) ?? "null";
}
