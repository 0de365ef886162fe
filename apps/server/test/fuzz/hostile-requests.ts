import { gzipSync } from "node:zlib";

import { appRouter, createTaskInput, listTasksInput, signupInput } from "@todo/api";
import fc from "fast-check";

import { buildOpenApiDocument } from "../../src/openapi/document.js";
import { camelToSnake } from "../../src/rest/field-names.js";
import { procedureTypes } from "../../src/trpc-lean.js";
import { sendRaw } from "../raw-http.js";
import {
  malformation,
  MALFORMATION_KINDS,
  wireBytes,
  type Malformed,
  type MalformationKind,
} from "./malformed-requests.js";

export type { Malformed, MalformationKind };

// Requests as an attacker writes them, for every route: what the property
// test (fuzz.test.ts) and the long run (`pnpm fuzz`) send. Each is plain
// data, so a failing one prints as it was sent and can be replayed.
//
// They come in kinds, one per thing to reach: each REST and /auth route (read
// from the OpenAPI document), each tRPC procedure (read from the router), a
// wrong method, an unknown path, and each way of breaking a request on the
// wire. `fuzzKinds` names them, so a run can start with one of each and then
// check it reached them all (`coverageOf`).

export interface HostileRequest {
  method: string;
  /** Path and query, already encoded (or deliberately mis-encoded). */
  target: string;
  headers: Record<string, string>;
  /** The body's bytes, base64 (printable when a case fails). */
  body?: string;
  /**
   * How the request is broken on the wire, for what fetch refuses to send:
   * such a request is written as bytes on a connection of its own.
   */
  malformed?: Malformed;
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
  2 ** 31,
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

/** A task version as a client might send it: ordinary, negative, past 32 or 53 bits. */
const version = fc.oneof(
  fc.integer({ min: 0, max: 5 }).map(BigInt),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }),
  fc.constantFrom(2n ** 31n, 2n ** 31n - 1n, 2n ** 32n, 2n ** 53n + 1n),
);

/** A tRPC call's input: a task's fields, with its If-Match and Idempotency-Key. */
const taskInput = (taskId: string) =>
  fc
    .tuple(
      taskBody,
      fc.record(
        {
          expectedVersion: fc.oneof(
            version.map(Number),
            fc.array(version.map(Number), { maxLength: 3 }),
            scalar,
          ),
          idempotencyKey: fc.oneof(fc.string({ maxLength: 300 }), scalar),
        },
        { requiredKeys: [] },
      ),
    )
    .map(([body, extra]) => JSON.stringify({ ...body, ...extra, id: taskId }));

type BodyText = { text: string } | { bytes: Uint8Array };

/**
 * JSON nested `depth` levels deep, as text: arrays, objects or both, in a
 * field or as the whole body. Most stay under the 100 kB body limit in every
 * shape (16,000 levels of `{"k":` are 96 kB), so they reach the depth check;
 * some are larger, and refused for their size first.
 */
const deepJson = fc
  .record({
    shape: fc.constantFrom("array", "object", "mixed"),
    depth: fc.oneof(
      { weight: 2, arbitrary: fc.integer({ min: 60, max: 70 }) },
      { weight: 4, arbitrary: fc.integer({ min: 60, max: 16_000 }) },
      fc.integer({ min: 16_000, max: 100_000 }),
    ),
    field: fc.option(fc.constantFrom("title", "description", "tags", "due_date", "priority")),
  })
  .map(({ shape, depth, field }) => {
    const opens = (level: number) =>
      shape === "array" || (shape === "mixed" && level % 2 === 0) ? "[" : '{"k":';
    const closes = (level: number) =>
      shape === "array" || (shape === "mixed" && level % 2 === 0) ? "]" : "}";
    const levels = Array.from({ length: depth }, (_, level) => level);
    const value = `${levels.map(opens).join("")}0${levels.reverse().map(closes).join("")}`;
    return field === null ? value : `{"title":"t","${field}":${value}}`;
  });

const bodyText: fc.Arbitrary<BodyText> = fc.oneof(
  { weight: 4, arbitrary: taskBody.map((body) => ({ text: JSON.stringify(body) })) },
  { weight: 2, arbitrary: accountBody.map((body) => ({ text: JSON.stringify(body) })) },
  { weight: 2, arbitrary: anyJson.map((body) => ({ text: JSON.stringify(body) ?? "null" })) },
  { weight: 2, arbitrary: deepJson.map((text) => ({ text })) },
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

/**
 * %-encoding as a client botches it: a lone or cut `%`, escapes of non-hex
 * digits, bytes that are not UTF-8 (a lone lead or continuation byte, an
 * overlong slash), NUL, encoded slashes and dots, between ordinary text.
 */
const percentGarbage = fc
  .array(
    fc.oneof(
      fc.constantFrom("%", "%%", "%2", "%00", "%2F", "%2f", "%25", "%2e%2e", "%C0%AF", "%E0%A4%A"),
      fc
        .tuple(
          fc.constantFrom(..."0123456789ABCDEFGXZgxz"),
          fc.constantFrom(..."0123456789ABCDEFGXZgxz"),
        )
        .map(([high, low]) => `%${high}${low}`),
      fc.integer({ min: 0x80, max: 0xff }).map((byte) => `%${byte.toString(16).toUpperCase()}`),
      fc.string({ unit: "binary-ascii", maxLength: 4 }).map(encodeURIComponent),
    ),
    { minLength: 1, maxLength: 6 },
  )
  .map((parts) => parts.join(""));

// A URL carries UTF-8, which has no lone surrogates (encodeURIComponent
// throws on one, and cutting text can make one); %-garbage sends such bytes.
const withoutSurrogates = (text: string) => text.replace(/[\ud800-\udfff]/g, "x");

/** A path segment: mostly what was asked for, else %-garbage or hostile text. */
const pathSegment = (valid: string) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.constant(encodeURIComponent(valid)) },
    percentGarbage,
    fc.constantFrom("..", ""),
    hostileString.map((text) => encodeURIComponent(withoutSurrogates(text))),
  );

const queryPart = fc.oneof(
  // The list's own parameters, and tRPC's.
  fc.constantFrom(...Object.keys(listTasksInput.shape).map(camelToSnake), "input", "batch"),
  hostileString.map((text) => encodeURIComponent(withoutSurrogates(text))),
  percentGarbage,
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
  hostileString.map((text) => encodeURIComponent(withoutSurrogates(text))),
  percentGarbage,
);
/** A query string, already encoded; parameters repeat now and then. */
const query = fc
  .array(fc.tuple(queryPart, queryValue), { maxLength: 5 })
  .map((pairs) => (pairs.length === 0 ? "" : `?${pairs.map(([k, v]) => `${k}=${v}`).join("&")}`));

/**
 * Header text fetch can send (no control characters; Latin-1 beyond ASCII),
 * around the sizes the server checks.
 */
const headerText = fc.oneof(
  fc.string({
    unit: fc
      .oneof(
        { weight: 6, arbitrary: fc.integer({ min: 0x21, max: 0x7e }) },
        fc.integer({ min: 0xa0, max: 0xff }),
      )
      .map((code) => String.fromCharCode(code)),
    maxLength: 300,
  }),
  fc.constantFrom("", '"', '""', "\\", "*"),
);
/** If-Match and If-None-Match: tags valid, weak, unquoted, out of range, repeated, many, or not tags. */
const entityTags = fc.oneof(
  fc
    .array(
      fc
        .tuple(version, fc.constantFrom("", "W/"), fc.boolean())
        .map(([number, weak, quoted]) => `${weak}${quoted ? `"${number}"` : String(number)}`),
      { minLength: 1, maxLength: 3 },
    )
    .map((tags) => tags.join(", ")),
  fc
    .array(fc.integer({ min: 0, max: 3_000_000_000 }), { minLength: 2, maxLength: 300 })
    .map((versions) => versions.map((number) => `"${number}"`).join(", ")),
  fc.constantFrom("*", '"*"', 'W/"', '"', '"1', '"01"', "1.5", '"0x1"', '"1", "1", "1"'),
  headerText,
);
/** The headers the server reads besides the body's: conditional requests, retries, tracing. */
const requestHeaders = fc.record(
  {
    "if-match": entityTags,
    "if-none-match": entityTags,
    "idempotency-key": fc.oneof(
      fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/),
      fc.constantFrom("fuzz-key", '"fuzz-key"', '""', '"a"b"', "a, b"),
      fc.integer({ min: 254, max: 257 }).map((length) => "k".repeat(length)),
      headerText,
    ),
    "x-request-id": fc.oneof(
      fc.stringMatching(/^[\w.:-]{1,40}$/),
      fc.integer({ min: 127, max: 130 }).map((length) => "r".repeat(length)),
      headerText,
    ),
  },
  { requiredKeys: [] },
);

/** A route to reach: a method and a target, and the tRPC call's body if any. */
interface Route {
  method: string;
  target: string;
  trpcBody?: string;
}

/** The REST and /auth routes the OpenAPI document lists, as "METHOD /path/{param}". */
const REST_ROUTES = Object.entries(
  (buildOpenApiDocument({ localAuth: true }) as { paths: Record<string, Record<string, unknown>> })
    .paths,
).flatMap(([path, operations]) =>
  Object.keys(operations)
    .filter((method) => method !== "parameters")
    .map((method) => `${method.toUpperCase()} ${path}`),
);

const PROCEDURES = procedureTypes(appRouter);
/** Besides every procedure, one that does not exist. */
const UNKNOWN_PROCEDURE = "nope";

const ANY_METHOD = fc.constantFrom(
  "GET",
  "POST",
  "PUT",
  "PATCH",
  "DELETE",
  "HEAD",
  "OPTIONS",
  "PROPFIND",
);

/**
 * Every kind of request the fuzz makes, by what it reaches ("PUT
 * /api/{user_id}/tasks/{id}", "trpc task.create", "malformed: a NUL in a
 * header value"), each with its weight among the others.
 */
export function fuzzKinds(
  world: FuzzWorld,
): Array<{ key: string; weight: number; requests: fc.Arbitrary<HostileRequest> }> {
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
  /** A REST path with its parameters filled in (hostile ones among them). */
  const fill = (template: string): fc.Arbitrary<string> =>
    fc
      .tuple(user, id, template === "/api/{user_id}/tasks" ? query : fc.constant(""))
      .map(([u, i, q]) => `${template.replace("{user_id}", u).replace("{id}", i)}${q}`);

  const rest: Array<[string, fc.Arbitrary<Route>]> = REST_ROUTES.map((route) => {
    const [method, template] = route.split(" ") as [string, string];
    return [route, fill(template).map((target) => ({ method, target }))];
  });
  const others: Array<[string, fc.Arbitrary<Route>]> = [
    [
      "any method on a known path",
      fc.record({
        method: ANY_METHOD,
        target: fc.oneof(
          ...REST_ROUTES.map((route) => fill(route.split(" ")[1]!)),
          fc.constantFrom("/health", "/openapi.json", "/docs", "/trpc"),
        ),
      }),
    ],
    [
      "an unknown path",
      fc.record({
        method: ANY_METHOD,
        target: fc.tuple(pathSegment("anything"), query).map(([segment, q]) => `/${segment}${q}`),
      }),
    ],
    ["GET /openapi.json", fc.constant({ method: "GET", target: "/openapi.json" })],
    ["GET /docs", fc.constant({ method: "GET", target: "/docs" })],
  ];
  const trpc: Array<[string, fc.Arbitrary<Route>]> = [
    ...Object.keys(PROCEDURES),
    UNKNOWN_PROCEDURE,
  ].map((procedure) => [`trpc ${procedure}`, trpcCall(world, procedure)]);
  const routed = [...rest, ...others, ...trpc].map(([key, routes]) => ({
    key,
    weight: key.startsWith("trpc") ? 3 : 4,
    requests: withHeadersAndBody(routes),
  }));
  const broken = MALFORMATION_KINDS.map((kind) => ({
    key: `malformed: ${kind}`,
    weight: 1,
    requests: fc
      .tuple(
        withHeadersAndBody(
          fc.oneof(...rest.map(([, routes]) => routes), ...trpc.map(([, routes]) => routes)),
        ),
        malformation(kind),
      )
      .map(([request, broken]) => ({ ...request, malformed: broken })),
  }));
  return [...routed, ...broken];
}

/** A call of `procedure` (maybe batched with others), as tRPC's links send it, or not quite. */
function trpcCall(world: FuzzWorld, procedure: string): fc.Arbitrary<Route> {
  const input = fc.oneof(
    fc.constant(undefined),
    taskInput(world.taskIds[0]!),
    anyJson.map((value) => JSON.stringify(value) ?? "null"),
    deepJson,
  );
  return fc
    .tuple(
      fc.subarray([...Object.keys(PROCEDURES), UNKNOWN_PROCEDURE], { maxLength: 2 }),
      input,
      fc.boolean(),
      ANY_METHOD,
    )
    .map(([batchedWith, input, batch, otherMethod]) => {
      const others = batch ? batchedWith.filter((other) => other !== procedure) : [];
      const procedures = [procedure, ...others];
      const path = `/trpc/${procedures.join(",")}${batch ? "?batch=1" : ""}`;
      // Built as text: the input may be nested too deep to parse here.
      const payload = batch
        ? `{${procedures.map((_, i) => `"${i}":${input ?? "null"}`).join(",")}}`
        : input;
      const isQuery = procedures.every((p) => PROCEDURES[p] === "query");
      if (!isQuery) {
        return { method: otherMethod === "GET" ? "GET" : "POST", target: path, trpcBody: payload };
      }
      const query =
        payload === undefined
          ? ""
          : `${batch ? "&" : "?"}input=${encodeURIComponent(withoutSurrogates(payload.slice(0, 4_000)))}`;
      return { method: "GET", target: `${path}${query}` };
    });
}

/** A route's request with the headers and body an attacker might add. */
function withHeadersAndBody(routes: fc.Arbitrary<Route>): fc.Arbitrary<HostileRequest> {
  const authorization = fc.oneof(
    { weight: 8, arbitrary: fc.constant("Bearer $TOKEN") },
    fc.constant("Bearer $OTHER_TOKEN"),
    fc.constant(undefined),
    fc.constantFrom("Bearer", "Bearer ", "Basic abc", "bearer $TOKEN", "Bearer $TOKENx"),
    hostileString.map((text) => `Bearer ${text.replace(/[^\x20-\x7e]/g, "")}`),
  );
  return fc
    .record({
      route: routes,
      authorization,
      contentType: fc.oneof({ weight: 6, arbitrary: fc.constant("application/json") }, contentType),
      contentEncoding: fc.oneof({ weight: 8, arbitrary: fc.constant(undefined) }, contentEncoding),
      body: fc.option(bodyText, { freq: 6 }),
      origin: fc.option(fc.constantFrom("http://localhost:3000", "https://evil.example"), {
        freq: 3,
      }),
      extra: fc.option(requestHeaders, { freq: 2 }),
    })
    .map(({ route, authorization, contentType, contentEncoding, body, origin, extra }) => {
      const { method, target } = route;
      const headers: Record<string, string> = { ...extra };
      if (authorization !== undefined) headers.authorization = authorization;
      if (origin !== null) headers.origin = origin;
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

/** The requests: every kind, hostile parts everywhere, the user's own token most of the time. */
export function hostileRequests(world: FuzzWorld): fc.Arbitrary<HostileRequest> {
  return fc.oneof(
    ...fuzzKinds(world).map(({ weight, requests }) => ({ weight, arbitrary: requests })),
  );
}

/**
 * One request of each kind, drawn from `seed`: the start of a run, so that
 * every route, procedure and malformation is reached whatever the rest of
 * the run draws.
 */
export function oneOfEachKind(world: FuzzWorld, seed: number): HostileRequest[] {
  return fuzzKinds(world).map(({ key, requests }) => {
    const drawn = fc.sample(requests, { seed, numRuns: 50 });
    // A hostile path parameter can keep a request from its route: the first that reaches it.
    return drawn.find((request) => coverageOf(request).includes(key)) ?? drawn[0]!;
  });
}

/** What must be reached at least once: every REST and /auth route, every procedure, every malformation. */
export function kindsToReach(): string[] {
  return [
    ...REST_ROUTES,
    ...Object.keys(PROCEDURES).map((procedure) => `trpc ${procedure}`),
    ...MALFORMATION_KINDS.map((kind) => `malformed: ${kind}`),
  ];
}

/** What a request reaches: its REST route, its tRPC procedures, or its malformation. */
export function coverageOf(request: HostileRequest): string[] {
  if (request.malformed) return [`malformed: ${request.malformed.kind}`];
  const path = request.target.split("?")[0] ?? "";
  if (path.startsWith("/trpc/")) {
    return path
      .slice("/trpc/".length)
      .split(",")
      .map((procedure) => `trpc ${procedure}`);
  }
  const segments = path.split("/");
  const reached = REST_ROUTES.find((route) => {
    const [method, template] = route.split(" ") as [string, string];
    const expected = template.split("/");
    return (
      method === request.method &&
      expected.length === segments.length &&
      expected.every((part, i) =>
        part.startsWith("{") ? segments[i] !== "" : part === segments[i],
      )
    );
  });
  return [reached ?? `${request.method} ${path}`];
}

export interface Answer {
  status: number;
  headers: Record<string, string>;
  text: string;
}

/** What a response must be, whatever was sent; the problem, or null. */
export function responseProblem(request: HostileRequest, answer: Answer): string | null {
  const { status, text, headers } = answer;
  if (status >= 500) return `status ${status}`;
  // What the parser refuses (a malformed request, a URL over its limit) is
  // answered before the app reads any header, X-Request-Id included, and
  // before anyone knows it is a tRPC call: in `{"detail"}` JSON.
  const refusedEarly = request.malformed !== undefined || status === 431;
  // As sent: fetch drops spaces and tabs around a header's value, nothing else.
  const sentId = request.headers["x-request-id"]?.replace(/^[ \t]+|[ \t]+$/g, "");
  if (
    !refusedEarly &&
    sentId &&
    /^[\w.:-]{1,128}$/.test(sentId) &&
    headers["x-request-id"] !== sentId
  ) {
    return `X-Request-Id ${JSON.stringify(headers["x-request-id"])}, not the one sent`;
  }
  if (status < 400 || request.method === "HEAD" || (status === 405 && text === "")) return null;
  if (!request.target.startsWith("/trpc")) return detailProblem(text);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return `error body is not JSON: ${text.slice(0, 200)}`;
  }
  const envelopes = Array.isArray(body) ? body : [body];
  const enveloped = envelopes.every(
    (envelope) =>
      typeof envelope === "object" &&
      envelope !== null &&
      ("error" in envelope || "result" in envelope),
  );
  if (enveloped) return null;
  if (refusedEarly) return detailProblem(text);
  return `tRPC error without its envelope: ${text.slice(0, 200)}`;
}

/** An error body must be small JSON with `detail`. */
function detailProblem(text: string): string | null {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return `error body is not JSON: ${text.slice(0, 200)}`;
  }
  if (typeof body !== "object" || body === null || !("detail" in body)) {
    return `error body without detail: ${text.slice(0, 200)}`;
  }
  if (text.length >= 16_384) return `error body of ${text.length} bytes`;
  return null;
}

function withTokens(headers: Record<string, string>, tokens: FuzzTokens): Record<string, string> {
  const sent = { ...headers };
  if (sent.authorization !== undefined) {
    sent.authorization = sent.authorization
      .replace("$OTHER_TOKEN", tokens.otherToken)
      .replace("$TOKEN", tokens.token);
  }
  return sent;
}

/** Sends one request to `baseUrl`, with the real tokens in place of their names. */
export async function send(
  baseUrl: string,
  request: HostileRequest,
  tokens: FuzzTokens,
): Promise<Answer> {
  if (request.malformed) {
    const sent = { ...request, headers: withTokens(request.headers, tokens) };
    const { bytes, halfClose } = wireBytes(sent, request.malformed, new URL(baseUrl).host);
    const answer = await sendRaw(baseUrl, bytes, { halfClose });
    return { status: answer.status, headers: answer.headers, text: answer.body };
  }
  const res = await fetch(`${baseUrl}${request.target}`, {
    method: request.method,
    headers: withTokens(request.headers, tokens),
    body: request.body === undefined ? undefined : Buffer.from(request.body, "base64"),
    redirect: "manual",
  });
  const headers: Record<string, string> = {};
  res.headers.forEach((value, name) => (headers[name] = value));
  return { status: res.status, headers, text: await res.text() };
}
