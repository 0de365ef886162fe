import fc from "fast-check";

// Requests broken on the wire, for what fetch refuses to send: each kind is
// something Node's HTTP parser (or, for a missing Host, the app) must refuse
// with a 4xx in JSON, or, where the app has answered the request's head
// first, answer as usual. A request names its kind and what it needs
// (`Malformed`), so it prints as data and replays as it was sent.

/** A way to break a request, with what it needs (a position, a length, some text). */
export interface Malformed {
  kind: MalformationKind;
  at: number;
  size: number;
  text: string;
}

/** The ways a request is broken on the wire. */
const MALFORMATIONS = {
  "a NUL in a header value": (wire: Wire, m: Malformed) => insertInHeader(wire, m.at, "\0"),
  "a control character in a header value": (wire: Wire, m: Malformed) =>
    insertInHeader(wire, m.at, m.text),
  "a NUL in the path": (wire: Wire, m: Malformed) => {
    wire.target = insertAt(wire.target, m.at, "\0");
  },
  "a broken request line": (wire: Wire, m: Malformed) => {
    const broken = [
      () => (wire.target = insertAt(wire.target, m.at, " ")),
      () => (wire.version = "HTTP/3.0"),
      () => (wire.version = "http/1.1"),
      () => (wire.method = insertAt(wire.method, m.at, "@")),
    ];
    broken[m.at % broken.length]!();
  },
  "a header line without a colon": (wire: Wire, m: Malformed) => {
    wire.lines.push(`X-${m.text}`);
  },
  "a folded header line (obs-fold)": (wire: Wire, m: Malformed) => {
    wire.lines.push(`X-Note: a`, ` ${m.text}`);
  },
  "a space before a header's colon": (wire: Wire, m: Malformed) => {
    wire.lines.push(`X-${m.text} : a`);
  },
  "a chunk size that is not hexadecimal": (wire: Wire, m: Malformed) => {
    wire.lines.push("Transfer-Encoding: chunked");
    wire.body = Buffer.from(`${m.text}\r\n{}\r\n0\r\n\r\n`);
  },
  "Content-Length and Transfer-Encoding both": (wire: Wire) => {
    wire.lines.push(`Content-Length: ${wire.body.length + 5}`, "Transfer-Encoding: chunked");
    wire.body = Buffer.from(
      `${wire.body.length.toString(16)}\r\n${wire.body.toString("latin1")}\r\n0\r\n\r\n`,
      "latin1",
    );
  },
  "two Content-Lengths that differ": (wire: Wire, m: Malformed) => {
    wire.lines.push(
      `Content-Length: ${wire.body.length}`,
      `Content-Length: ${wire.body.length + 1 + m.size}`,
    );
  },
  "a Content-Length that is not a number": (wire: Wire, m: Malformed) => {
    wire.lines.push(`Content-Length: ${m.size}${m.text}`);
  },
  "a Transfer-Encoding that does not end in chunked": (wire: Wire, m: Malformed) => {
    wire.lines.push(`Transfer-Encoding: ${["gzip", "identity", "chunked, gzip", "br"][m.at % 4]}`);
  },
  "a request cut short": (wire: Wire, m: Malformed) => {
    wire.lines.push(`Content-Length: ${wire.body.length + 1 + m.size}`);
    wire.halfClose = true;
  },
  "an HTTP/1.1 request without Host": (wire: Wire) => {
    wire.host = false;
  },
  "headers over 16 kB": (wire: Wire, m: Malformed) => {
    wire.lines.push(`X-Filler: ${"a".repeat(m.size)}`);
  },
  "a URL over 16 kB": (wire: Wire, m: Malformed) => {
    wire.target += `${wire.target.includes("?") ? "&" : "?"}pad=${"x".repeat(m.size)}`;
  },
  "chunk extensions over 16 kB": (wire: Wire, m: Malformed) => {
    wire.lines.push("Transfer-Encoding: chunked");
    wire.body = Buffer.from(`2;x=${"b".repeat(m.size)}\r\n{}\r\n0\r\n\r\n`);
  },
  "bytes that are not HTTP (a TLS handshake)": (wire: Wire, m: Malformed) => {
    wire.raw = Buffer.concat([Buffer.from([0x16, 0x03, 0x01]), Buffer.from(m.text, "latin1")]);
  },
  "CONNECT (this server is no proxy)": (wire: Wire) => {
    wire.method = "CONNECT";
    wire.target = "example.com:443";
  },
} satisfies Record<string, (wire: Wire, m: Malformed) => void>;
export type MalformationKind = keyof typeof MALFORMATIONS;
export const MALFORMATION_KINDS = Object.keys(MALFORMATIONS) as MalformationKind[];

/** A request as it goes on the wire, for a malformation to break. */
interface Wire {
  method: string;
  target: string;
  version: string;
  host: boolean;
  /** Header lines besides Host and Content-Length. */
  lines: string[];
  body: Buffer;
  halfClose: boolean;
  /** Bytes sent instead of all of the above. */
  raw?: Buffer;
}

const insertAt = (text: string, at: number, inserted: string) => {
  const position = at % (text.length + 1);
  return `${text.slice(0, position)}${inserted}${text.slice(position)}`;
};
function insertInHeader(wire: Wire, at: number, inserted: string): void {
  if (wire.lines.length === 0) wire.lines.push("X-Note: note");
  const index = at % wire.lines.length;
  const line = wire.lines[index]!;
  const colon = line.indexOf(":") + 2;
  wire.lines[index] = `${line.slice(0, colon)}${insertAt(line.slice(colon), at, inserted)}`;
}

/** What each malformation needs, generated. */
export const malformation = (kind: MalformationKind): fc.Arbitrary<Malformed> =>
  fc.record({
    kind: fc.constant(kind),
    at: fc.nat({ max: 10_000 }),
    size:
      kind === "headers over 16 kB" ||
      kind === "a URL over 16 kB" ||
      kind === "chunk extensions over 16 kB"
        ? fc.integer({ min: 16_400, max: 120_000 })
        : fc.nat({ max: 1_000 }),
    text:
      kind === "a control character in a header value"
        ? fc
            .oneof(
              fc.integer({ min: 0x01, max: 0x08 }),
              fc.integer({ min: 0x0e, max: 0x1f }),
              fc.constantFrom(0x0b, 0x0c, 0x7f),
            )
            .map((code) => String.fromCharCode(code))
        : kind === "a chunk size that is not hexadecimal" ||
            kind === "a Content-Length that is not a number"
          ? fc.string({
              unit: fc.constantFrom(..."ghijklmnopqrstuvwxyz-+."),
              minLength: 1,
              maxLength: 8,
            })
          : kind === "bytes that are not HTTP (a TLS handshake)"
            ? fc
                .uint8Array({ minLength: 1, maxLength: 200 })
                .map((bytes) => Buffer.from(bytes).toString("latin1"))
            : fc.stringMatching(/^[A-Za-z0-9]{1,20}$/),
  });

/**
 * A request's bytes on the wire (its headers with the real tokens), broken
 * as `malformed` says, and whether to end the sending side after them.
 */
export function wireBytes(
  request: { method: string; target: string; headers: Record<string, string>; body?: string },
  malformed: Malformed,
  host: string,
): { bytes: Buffer; halfClose: boolean } {
  const wire: Wire = {
    method: request.method,
    target: request.target,
    version: "HTTP/1.1",
    host: true,
    lines: Object.entries(request.headers).map(([name, value]) => `${name}: ${value}`),
    body: request.body === undefined ? Buffer.alloc(0) : Buffer.from(request.body, "base64"),
    halfClose: false,
  };
  MALFORMATIONS[malformed.kind](wire, malformed);
  if (wire.raw) return { bytes: wire.raw, halfClose: true };
  const lines = [`${wire.method} ${wire.target} ${wire.version}`];
  if (wire.host) lines.push(`Host: ${host}`);
  lines.push(...wire.lines);
  const framed = wire.lines.some((line) => /^(content-length|transfer-encoding)\s*:/i.test(line));
  if (!framed && wire.body.length > 0) lines.push(`Content-Length: ${wire.body.length}`);
  lines.push("Connection: close");
  const head = Buffer.from(`${lines.join("\r\n")}\r\n\r\n`, "latin1");
  return { bytes: Buffer.concat([head, wire.body]), halfClose: wire.halfClose };
}
