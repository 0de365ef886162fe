import { gzipSync } from "node:zlib";

import { createTaskInput, listTasksInput, signupInput } from "@todo/api";
import fc from "fast-check";

import { camelToSnake } from "../../src/rest/field-names.js";

// Requests as an attacker writes them, for every route: what the property
// test (fuzz.test.ts) and the long run (`pnpm fuzz`) send. Each is plain
// data, so a failing one prints as it was sent and can be replayed.

export interface HostileRequest {
  method: string;
  /** Path and query, already encoded (or deliberately mis-encoded). */
  target: string;
  headers: Record<string, string>;
  /** The body's bytes, base64 (printable when a case fails). */
  body?: string;
}

/** Who the requests come from, and what exists already. */
export interface FuzzWorld {
  user: string;
  otherUser: string;
  /** Ids of the user's tasks (and one of the other user's). */
  taskIds: string[];
}

/** The tokens, which requests name as `$TOKEN` and `$OTHER_TOKEN` (so none is ever printed). */
export interface FuzzTokens {
  token: string;
  otherToken: string;
}

// Strings that have broken servers: control characters, NUL, lone surrogates,
// direction marks, emoji, very long text.
const nasty = fc.constantFrom(
  "\u0000",
  "a\u0000b",
  "\ud800",
  "x\udfffy",
  "\u202e\u200f",
  "\u0007\u001b[2J",
  "😀".repeat(300),
  "x".repeat(10_001),
  "%00",
  "%",
  "../../etc/passwd",
  "' OR 1=1 --",
  "__proto__",
  "constructor",
  " ",
  "",
);
export const hostileString = fc.oneof(
  nasty,
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: "binary-ascii", maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 250 }),
);

const hugeNumber = fc.constantFrom(
  1e308,
  -1e308,
  2 ** 53 + 1,
  -0,
  1e-320,
  Number("12345678901234567890"),
);
const scalar = fc.oneof(
  hostileString,
  hugeNumber,
  fc.integer(),
  fc.double({ noNaN: true }),
  fc.boolean(),
  fc.constant(null),
);
/** Any JSON value, with the task's own field names likely among the keys. */
const fieldName = fc.oneof(
  fc.constantFrom(
    ...Object.keys(createTaskInput.shape).map(camelToSnake),
    ...Object.keys(signupInput.shape),
    "id",
    "user_id",
    "__proto__",
    "constructor",
    "prototype",
  ),
  hostileString,
);
const anyJson: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    scalar,
    fc.array(tie("value"), { maxLength: 5 }),
    fc.dictionary(fieldName, tie("value"), { maxKeys: 6 }),
  ),
})).value;

/** A task body: the real fields with hostile values, sometimes more. */
const taskBody = fc.record(
  {
    title: fc.oneof(hostileString, scalar, anyJson),
    description: fc.oneof(hostileString, scalar),
    completed: fc.oneof(fc.boolean(), scalar),
    priority: fc.oneof(fc.constantFrom("low", "medium", "high", "HIGH"), scalar),
    due_date: fc.oneof(
      fc.constantFrom("2026-12-01T10:00:00Z", "2026-02-30", "9999999-01-01"),
      scalar,
    ),
    tags: fc.oneof(fc.array(hostileString, { maxLength: 12 }), anyJson),
  },
  { requiredKeys: [] },
);
const accountBody = fc.record(
  {
    email: fc.oneof(fc.emailAddress(), hostileString),
    password: hostileString,
    name: hostileString,
  },
  { requiredKeys: [] },
);

type BodyText = { text: string } | { bytes: Uint8Array };
const nestedText = fc
  .integer({ min: 60, max: 100_000 })
  .map((depth) => `{"title":"t","description":${"[".repeat(depth)}${"]".repeat(depth)}}`);
const bodyText: fc.Arbitrary<BodyText> = fc.oneof(
  { weight: 4, arbitrary: taskBody.map((body) => ({ text: JSON.stringify(body) })) },
  { weight: 2, arbitrary: accountBody.map((body) => ({ text: JSON.stringify(body) })) },
  { weight: 2, arbitrary: anyJson.map((body) => ({ text: JSON.stringify(body) ?? "null" })) },
  nestedText.map((text) => ({ text })),
  fc
    .constantFrom(
      '{"__proto__":{"title":"polluted"},"title":"t"}',
      '{"constructor":{"prototype":{"x":1}},"title":"t"}',
      '{"title":"\\ud800"}',
      '{"title":"a\\u0000b"}',
      '{"title":"t","tags":["\\udc00"]}',
      '{"title": "unterminated',
      "[]",
      "null",
      '"just a string"',
      "1e999999",
    )
    .map((text) => ({ text })),
  fc.uint8Array({ maxLength: 64 }).map((bytes) => ({ bytes })),
  fc.constant({
    bytes: Uint8Array.from([0x7b, 0x22, 0x74, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]),
  }),
);

const contentType = fc.constantFrom(
  "application/json",
  "application/json",
  "application/json; charset=utf-8",
  "application/json; charset=utf-16le",
  "application/json; charset=latin1",
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "application/jsonl",
  "",
);
const contentEncoding = fc.constantFrom(
  "gzip",
  "gzip (honest)",
  "deflate",
  "br",
  "compress",
  "identity",
);

/** %-encoding as a client might botch it. */
const pathSegment = (valid: string) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.constant(encodeURIComponent(valid)) },
    fc.constantFrom("%", "%E0%A4%A", "%00", "%ZZ", "..", "%2F", "a%2Fb", "%C0%AF", ""),
    hostileString.map((text) => encodeURIComponent(text.replace(/[\ud800-\udfff]/g, "x"))),
  );

const queryPart = fc.oneof(
  // The list's own parameters, and tRPC's.
  fc.constantFrom(...Object.keys(listTasksInput.shape).map(camelToSnake), "input", "batch"),
  hostileString,
);
const queryValue = fc.oneof(
  fc.constantFrom(
    "all",
    "pending",
    "true",
    "false",
    "low",
    "title",
    "asc",
    "0",
    "-1",
    "1e400",
    "NaN",
  ),
  hostileString,
);
const query = fc.oneof(
  fc.constant(""),
  fc
    .array(fc.tuple(queryPart, queryValue), { maxLength: 5 })
    .map((pairs) =>
      pairs.length === 0
        ? ""
        : `?${pairs.map(([k, v]) => `${encodeURIComponent(k.replace(/[\ud800-\udfff]/g, "x"))}=${encodeURIComponent(v.replace(/[\ud800-\udfff]/g, "x"))}`).join("&")}`,
    ),
  fc.constantFrom("?status=pending&status=completed", "?limit=%", "?search=%00", "?tag=%ZZ&tag="),
);

/** What fetch can send as a header value: printable ASCII. */
const headerText = hostileString.map((text) => text.replace(/[^\x20-\x7e]/g, ""));
/** If-Match and If-None-Match: tags valid, weak, foreign, out of range, repeated, many. */
const entityTags = fc.oneof(
  fc.constantFrom(
    '"1"',
    '"2"',
    "*",
    'W/"1"',
    '"2147483648"',
    '"99999999999999999999"',
    '"0"',
    '"-1"',
    '"01"',
    '"',
    '"1", "1", "1"',
  ),
  fc
    .array(fc.integer({ min: 0, max: 3_000_000_000 }), { minLength: 2, maxLength: 300 })
    .map((versions) => versions.map((version) => `"${version}"`).join(", ")),
  headerText,
);
const idempotencyKey = fc.oneof(
  fc.constantFrom("fuzz-key", '"fuzz-key"', "", '""', '"a"b"', "x".repeat(256), "a, b"),
  headerText,
);
/** Absent two times in three. */
const rarely = <T>(header: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 2, arbitrary: fc.constant(undefined) }, header);

const PROCEDURES = [
  "task.list",
  "task.byId",
  "task.create",
  "task.update",
  "task.setCompleted",
  "task.toggleComplete",
  "task.delete",
  "health",
  "auth.signup",
  "auth.login",
  "auth.me",
  "nope",
];

/** The requests: every route, hostile parts everywhere, the user's own token most of the time. */
export function hostileRequests(world: FuzzWorld): fc.Arbitrary<HostileRequest> {
  const user = fc.oneof(
    { weight: 8, arbitrary: fc.constant(encodeURIComponent(world.user)) },
    fc.constant(encodeURIComponent(world.otherUser)),
    pathSegment(world.user),
  );
  const id = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...world.taskIds) },
    fc.uuid(),
    pathSegment("not-a-uuid"),
  );
  const anyMethod = fc.constantFrom(
    "GET",
    "POST",
    "PUT",
    "PATCH",
    "DELETE",
    "HEAD",
    "OPTIONS",
    "PROPFIND",
  );
  /** Mostly a method the path takes, sometimes any. */
  const methodFor = (...methods: string[]) =>
    fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...methods) }, anyMethod);
  const rest = fc.oneof(
    {
      weight: 3,
      arbitrary: fc.record({
        method: methodFor("GET", "POST"),
        target: fc.tuple(user, query).map(([u, q]) => `/api/${u}/tasks${q}`),
      }),
    },
    {
      weight: 3,
      arbitrary: fc.record({
        method: methodFor("GET", "PUT", "PATCH", "DELETE"),
        target: fc.tuple(user, id).map(([u, i]) => `/api/${u}/tasks/${i}`),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        method: methodFor("PATCH"),
        target: fc.tuple(user, id).map(([u, i]) => `/api/${u}/tasks/${i}/complete`),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        method: methodFor("POST"),
        target: fc.constantFrom("/auth/signup", "/auth/login"),
      }),
    },
    fc.record({
      method: methodFor("GET"),
      target: fc.constantFrom("/auth/me", "/health", "/openapi.json"),
    }),
    fc.record({
      method: anyMethod,
      target: pathSegment("anything").map((segment) => `/${segment}`),
    }),
  );
  const trpcInput = fc.oneof(
    fc.constant(undefined),
    taskBody.map((body) => JSON.stringify({ ...body, id: world.taskIds[0] })),
    anyJson.map((value) => JSON.stringify(value) ?? "null"),
    nestedText,
  );
  const trpc = fc
    .tuple(
      fc.subarray(PROCEDURES, { minLength: 1, maxLength: 3 }),
      trpcInput,
      fc.boolean(),
      anyMethod,
    )
    .map(([procedures, input, batch, otherMethod]) => {
      const path = `/trpc/${procedures.join(",")}${batch ? "?batch=1" : ""}`;
      // Built as text: the input may be nested too deep to parse here.
      const payload = batch
        ? `{${procedures.map((_, i) => `"${i}":${input ?? "null"}`).join(",")}}`
        : input;
      const isQuery = procedures.every(
        (p) => p === "health" || p === "task.list" || p === "task.byId" || p === "auth.me",
      );
      if (!isQuery)
        return { method: otherMethod === "GET" ? "GET" : "POST", target: path, trpcBody: payload };
      const query =
        payload === undefined
          ? ""
          : `${batch ? "&" : "?"}input=${encodeURIComponent(payload.slice(0, 4_000))}`;
      return { method: "GET", target: `${path}${query}`, trpcBody: undefined };
    });
  const authorization = fc.oneof(
    { weight: 8, arbitrary: fc.constant("Bearer $TOKEN") },
    fc.constant("Bearer $OTHER_TOKEN"),
    fc.constant(undefined),
    fc.constantFrom("Bearer", "Bearer ", "Basic abc", "bearer $TOKEN", "Bearer $TOKENx"),
    hostileString.map((text) => `Bearer ${text.replace(/[^\x20-\x7e]/g, "")}`),
  );
  return fc
    .record({
      route: fc.oneof(
        {
          weight: 3,
          arbitrary: rest.map((r) => ({ ...r, trpcBody: undefined as string | undefined })),
        },
        trpc,
      ),
      authorization,
      contentType: fc.oneof({ weight: 6, arbitrary: fc.constant("application/json") }, contentType),
      contentEncoding: fc.oneof({ weight: 8, arbitrary: fc.constant(undefined) }, contentEncoding),
      body: fc.option(bodyText, { freq: 6 }),
      origin: fc.option(fc.constantFrom("http://localhost:3000", "https://evil.example"), {
        freq: 3,
      }),
      conditions: fc.record({
        "if-match": rarely(entityTags),
        "if-none-match": rarely(entityTags),
        "idempotency-key": rarely(idempotencyKey),
      }),
    })
    .map(({ route, authorization, contentType, contentEncoding, body, origin, conditions }) => {
      const { method, target } = route;
      const headers: Record<string, string> = {};
      if (authorization !== undefined) headers.authorization = authorization;
      if (origin !== null) headers.origin = origin;
      for (const [name, value] of Object.entries(conditions)) {
        if (value !== undefined) headers[name] = value;
      }
      let bytes: Uint8Array | undefined;
      const payload: BodyText | null =
        route.trpcBody !== undefined ? { text: route.trpcBody } : body;
      if (payload !== null && method !== "GET" && method !== "HEAD") {
        bytes = "text" in payload ? new TextEncoder().encode(payload.text) : payload.bytes;
        if (contentType !== "") headers["content-type"] = contentType;
        if (contentEncoding === "gzip (honest)") {
          bytes = new Uint8Array(gzipSync(bytes));
          headers["content-encoding"] = "gzip";
        } else if (contentEncoding !== undefined) {
          headers["content-encoding"] = contentEncoding;
        }
      }
      return {
        method,
        target,
        headers,
        ...(bytes ? { body: Buffer.from(bytes).toString("base64") } : {}),
      };
    });
}

/** What a response must be, whatever was sent; the problem, or null. */
export function responseProblem(
  request: HostileRequest,
  status: number,
  text: string,
): string | null {
  if (status >= 500) return `status ${status}`;
  if (status < 400 || request.method === "HEAD" || (status === 405 && text === "")) return null;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return `error body is not JSON: ${text.slice(0, 200)}`;
  }
  if (request.target.startsWith("/trpc")) {
    const envelopes = Array.isArray(body) ? body : [body];
    const ok = envelopes.every(
      (envelope) =>
        typeof envelope === "object" &&
        envelope !== null &&
        ("error" in envelope || "result" in envelope),
    );
    return ok ? null : `tRPC error without its envelope: ${text.slice(0, 200)}`;
  }
  if (typeof body !== "object" || body === null || !("detail" in body)) {
    return `error body without detail: ${text.slice(0, 200)}`;
  }
  if (text.length >= 16_384) return `error body of ${text.length} bytes`;
  return null;
}

/** Sends one request to `baseUrl`, with the real tokens in place of their names. */
export async function send(
  baseUrl: string,
  request: HostileRequest,
  tokens: FuzzTokens,
): Promise<{ status: number; text: string }> {
  const headers = { ...request.headers };
  if (headers.authorization !== undefined) {
    headers.authorization = headers.authorization
      .replace("$OTHER_TOKEN", tokens.otherToken)
      .replace("$TOKEN", tokens.token);
  }
  const res = await fetch(`${baseUrl}${request.target}`, {
    method: request.method,
    headers,
    body: request.body === undefined ? undefined : Buffer.from(request.body, "base64"),
    redirect: "manual",
  });
  return { status: res.status, text: await res.text() };
}
