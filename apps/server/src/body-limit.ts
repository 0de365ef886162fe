import type { IncomingMessage } from "node:http";
import type { Socket } from "node:net";

import type { Request, RequestHandler, Response } from "express";

import { bodyTooLarge } from "./http-errors.js";

/**
 * How long a connection closed after a refused body is still read (and what
 * arrives dropped) before it is cut. Long enough for the answer to reach a
 * client that is still sending; short enough that a client streaming without
 * end costs the server at most this much reading.
 */
const LINGER_MS = 2_000;

/** Whether the request carries a body at all (FastAPI treats an empty one as none). */
export function hasBody(req: IncomingMessage): boolean {
  const length = req.headers["content-length"];
  if (length !== undefined) return Number(length) > 0;
  return req.headers["transfer-encoding"] !== undefined;
}

/**
 * Runs a body-parser middleware with its size limit enforced as the body
 * arrives, so an oversized body is a 413 at once and its connection closed
 * after the answer. body-parser refuses such a body too, but only after it
 * has read all of it ("read off entire request", to keep the connection
 * usable): a client that waits for an answer before sending more would wait
 * for the request timeout, and a client streaming 100 MB without a length
 * would have all of it read.
 *
 * A declared `Content-Length` over the limit is refused before a byte is
 * read; a body without a length when its bytes pass the limit. Compressed
 * bodies are left to body-parser, which judges their decoded size.
 */
export function readBodyWithinLimit(limitBytes: number, parser: RequestHandler): RequestHandler {
  return (req, res, next) => {
    const encoded = req.headers["content-encoding"] !== undefined;
    const declared = req.headers["content-length"];
    if (!encoded && Number(declared) > limitBytes) {
      closeAfterAnswer(req, res);
      next(bodyTooLarge());
      return;
    }
    let refused = false;
    let received = 0;
    const count = (chunk: Buffer) => {
      received += chunk.length;
      if (received <= limitBytes) return;
      req.off("data", count);
      refused = true;
      closeAfterAnswer(req, res);
      next(bodyTooLarge());
    };
    // Only when the parser reads the body itself: a 'data' listener sets the
    // stream flowing, and bytes nobody else listens for would be lost.
    const streamed = declared === undefined && hasBody(req) && !encoded;
    if (streamed && req.is("application/json")) req.on("data", count);
    parser(req, res, (error?: unknown) => {
      req.off("data", count);
      // Once refused, the request was answered; what body-parser reports
      // when it has dropped the rest concerns nobody.
      if (!refused) next(error);
    });
  };
}

/**
 * `Connection: close` on the answer, and the connection closed lingering
 * once it is sent.
 */
function closeAfterAnswer(req: Request, res: Response): void {
  res.set("Connection", "close");
  const socket = req.socket;
  // Node's HTTP server calls destroySoon once a `Connection: close` answer
  // is sent; its own version destroys the socket as soon as the answer is
  // flushed.
  socket.destroySoon = () => closeLingering(socket);
}

/**
 * Closes a connection without losing its last answer (`lastWords`, when
 * given, is written first): a socket closed with unread bytes makes the
 * kernel send a reset, and a client still sending may then lose the answer
 * it has not read yet. So, like Apache's and nginx's lingering close, the
 * server half-closes after the answer and reads (and drops) what still
 * arrives for at most LINGER_MS before it closes.
 */
export function closeLingering(socket: Socket, lastWords?: string): void {
  if (socket.writable) {
    if (lastWords === undefined) socket.end();
    else socket.end(lastWords);
  }
  const cut = setTimeout(() => socket.destroy(), LINGER_MS);
  cut.unref();
  socket.once("close", () => clearTimeout(cut));
}
