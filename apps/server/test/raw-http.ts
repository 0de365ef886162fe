import { connect } from "node:net";

// Requests as bytes, for what fetch refuses to send (a NUL in a header, a
// broken request line or chunked body, both Content-Length and
// Transfer-Encoding): the tests of the HTTP parser's refusals and the fuzz.

export interface RawAnswer {
  status: number;
  /** Lower-cased names; a repeated header's last value. */
  headers: Record<string, string>;
  body: string;
  /** Every byte the server sent before it closed, as latin1 text. */
  received: string;
}

/**
 * Sends `bytes` as they are on a connection of its own to `url`'s host and
 * port, and reads the first answer. The connection is closed once that
 * answer is complete (by its Content-Length, its last chunk, or the server
 * closing). `halfClose` ends the sending side after the bytes, so the server
 * sees the request end there. Rejects when the server closes without an
 * answer, or after `timeoutMs` (10 s).
 */
export function sendRaw(
  url: string,
  bytes: string | Uint8Array,
  options: { halfClose?: boolean; timeoutMs?: number } = {},
): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(Number(port), hostname, () => {
      socket.write(typeof bytes === "string" ? Buffer.from(bytes, "latin1") : bytes);
      if (options.halfClose) socket.end();
    });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${options.timeoutMs ?? 10_000} ms`));
    }, options.timeoutMs ?? 10_000);
    const settle = (final: boolean) => {
      const answer = parseAnswer(Buffer.concat(chunks), final);
      if (!answer && !final) return;
      clearTimeout(timer);
      socket.destroy();
      if (answer) resolve(answer);
      else reject(new Error(`closed without an answer: ${JSON.stringify(latin1(chunks))}`));
    };
    socket.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      settle(false);
    });
    // A server that answers before it has read everything may reset the
    // connection under the bytes still being sent: the answer still counts.
    socket.on("error", () => settle(true));
    socket.on("close", () => settle(true));
  });
}

const latin1 = (chunks: Buffer[]) => Buffer.concat(chunks).toString("latin1");

/** The first HTTP/1.1 answer in `data`, once complete; at the connection's end, what there is. */
function parseAnswer(data: Buffer, final: boolean): RawAnswer | undefined {
  const received = data.toString("latin1");
  const headEnd = received.indexOf("\r\n\r\n");
  if (headEnd === -1) return undefined;
  const [statusLine, ...lines] = received.slice(0, headEnd).split("\r\n");
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? "")?.[1]);
  if (!status) return undefined;
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const rest = data.subarray(headEnd + 4);
  const answer = (body: Buffer): RawAnswer => ({
    status,
    headers,
    body: body.toString("utf8"),
    received,
  });
  if (status === 204 || status === 304 || (status >= 100 && status < 200)) {
    return answer(Buffer.alloc(0));
  }
  if (headers["content-length"] !== undefined) {
    const length = Number(headers["content-length"]);
    if (rest.length >= length) return answer(rest.subarray(0, length));
    return final ? answer(rest) : undefined;
  }
  if (headers["transfer-encoding"]?.toLowerCase() === "chunked") {
    const body = dechunk(rest);
    if (body) return answer(body);
    return final ? answer(rest) : undefined;
  }
  return final ? answer(rest) : undefined;
}

/** A chunked body's bytes, once its last chunk has arrived. */
function dechunk(data: Buffer): Buffer | undefined {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = data.indexOf("\r\n", at);
    if (lineEnd === -1) return undefined;
    const size = parseInt(data.subarray(at, lineEnd).toString("latin1"), 16);
    if (Number.isNaN(size)) return undefined;
    if (size === 0) return Buffer.concat(parts);
    const start = lineEnd + 2;
    if (data.length < start + size + 2) return undefined;
    parts.push(data.subarray(start, start + size));
    at = start + size + 2;
  }
}
