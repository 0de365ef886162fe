import { randomUUID } from "node:crypto";
import {
  createServer,
  STATUS_CODES,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
} from "node:http";
import type { Socket } from "node:net";

import type { Logger } from "pino";

import { closeLingering } from "./body-limit.js";
import { badRequest, fromParserError, type HttpError } from "./http-errors.js";
import { logWithoutThrowing } from "./logging.js";
import { API_HEADERS } from "./security-headers.js";

// Node's HTTP server answers a few requests itself, before any handler sees
// them, with an empty body: what its parser refuses (400, 408, 413, 431), an
// HTTP/1.1 request without Host (400), an Expect it does not know (417), and
// it drops a CONNECT without a word. Here each gets the contract's
// `{"detail": …}` instead, or goes to the app.

/**
 * Node's HTTP server as the API is served on it (by `pnpm start`, each
 * worker and the tests alike): `handler` answers every request.
 */
export function createHttpServer(
  handler: RequestListener,
  logger: Logger,
  options: { requestTimeoutMs: number },
): Server {
  const server = createServer(
    {
      // Node enforces the request and header timeouts when it checks its
      // connections, every 30 s by default: a timeout of 30 s would cut a
      // slow client after 30 to 60 s. Checked every second, it holds.
      connectionsCheckingInterval: 1_000,
      requestTimeout: options.requestTimeoutMs,
      headersTimeout: Math.min(options.requestTimeoutMs, 20_000),
      // The app refuses a missing Host itself, in JSON (app.ts).
      requireHostHeader: false,
    },
    handler,
  );
  server.on("clientError", (error: NodeJS.ErrnoException, socket: Socket) =>
    answerParserRefusal(error, socket, logger),
  );
  // RFC 9110 lets a server ignore an expectation it does not know (rather
  // than answer 417): the request is served as if it had none.
  server.on("checkExpectation", (req: IncomingMessage, res: ServerResponse) =>
    server.emit("request", req, res),
  );
  // This server is no proxy: CONNECT is a request it cannot serve.
  server.on("connect", (_req: IncomingMessage, socket: Socket) =>
    closeLingering(socket, refusalBytes(badRequest(), logger, "CONNECT")),
  );
  return server;
}

/**
 * A request Node's parser refused — a URL and headers over its 16 kB, a NUL
 * or another forbidden character in a header, a broken request line or
 * chunked body, both Content-Length and Transfer-Encoding, a request not in
 * within the request timeout — answered in the contract's shape.
 *
 * The parser may find the fault in a body after the app has answered the
 * request's head (a 401, a 404): that answer goes out, whole, and the
 * connection is closed after it. An answer cut half-way is not finished with
 * another (it would corrupt it): its connection is closed at once, as Node
 * does; so is one that can no longer be written, or that the client reset.
 */
function answerParserRefusal(error: NodeJS.ErrnoException, socket: Socket, logger: Logger): void {
  const refusal = fromParserError(error.code);
  const current = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
  if (!refusal || !socket.writable || (current?.headersSent && !current.writableEnded)) {
    socket.destroy();
    return;
  }
  if (current?.headersSent) {
    closeLingering(socket);
    return;
  }
  if (refusal.status === 408) {
    // A client too slow to send its request gets no more time: answered
    // and cut at once, as Node does.
    socket.end(refusalBytes(refusal, logger, error.code));
    socket.destroy();
    return;
  }
  closeLingering(socket, refusalBytes(refusal, logger, error.code));
}

/**
 * `refusal` as HTTP/1.1 bytes, for a connection with no request or response
 * object to write it with; logged with a request id of its own and why,
 * never the request's bytes, which may hold a token.
 */
function refusalBytes(refusal: HttpError, logger: Logger, reason: string | undefined): string {
  const id = randomUUID();
  logWithoutThrowing(() =>
    logger.info(
      { req_id: id, status: refusal.status, reason },
      "request refused before it reached the app",
    ),
  );
  const body = JSON.stringify({ detail: refusal.detail });
  const head = [
    `HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status] ?? ""}`,
    `Date: ${new Date().toUTCString()}`,
    "Content-Type: application/json; charset=utf-8",
    `Content-Length: ${Buffer.byteLength(body)}`,
    "Connection: close",
    `X-Request-Id: ${id}`,
    ...API_HEADERS.map(([name, value]) => `${name}: ${value}`),
  ];
  return `${head.join("\r\n")}\r\n\r\n${body}`;
}
