import type { IncomingMessage, ServerResponse } from "node:http";

import express from "express";

import {
  bodyTooLarge,
  malformedBody,
  malformedJson,
  unsupportedMediaType,
  validationFailed,
} from "../http-errors.js";
import { camelToSnake, snakeToCamel } from "./field-names.js";

/** Whether the request carries a body at all (FastAPI treats an empty one as none). */
export function hasBody(req: IncomingMessage): boolean {
  const length = req.headers["content-length"];
  if (length !== undefined) return Number(length) > 0;
  return req.headers["transfer-encoding"] !== undefined;
}

/** The Content-Types whose bodies are read here; others go through body-parser. */
const PLAIN_JSON = new Set(["application/json", "application/json; charset=utf-8"]);

/**
 * Reads a JSON body, after authentication: a body that is not
 * application/json is a 415, bad JSON a 400, an oversized one a 413.
 *
 * The usual body (plain `application/json`, UTF-8, not compressed) is read
 * here, as body-parser would read it; anything else (another charset,
 * gzip, …) goes through body-parser itself. body-parser's stream plumbing
 * was a twentieth of a create's CPU time.
 */
export function readJsonBody(
  limitBytes: number,
): (req: IncomingMessage, res: ServerResponse) => Promise<unknown> {
  // Parses only application/json (any charset, any encoding); leaves the
  // body undefined for every other type.
  const parse = express.json({ limit: limitBytes, strict: false, type: "application/json" });
  return async (req, res) => {
    if (!hasBody(req)) return undefined;
    const type = req.headers["content-type"]?.toLowerCase();
    const encoding = req.headers["content-encoding"];
    if (type !== undefined && PLAIN_JSON.has(type) && !encoding) {
      return parseJson(await readUtf8(req, limitBytes));
    }
    const parsed = req as IncomingMessage & { body?: unknown };
    parsed.body = undefined;
    await new Promise<void>((resolve, reject) =>
      parse(parsed, res, (error?: unknown) => (error ? reject(error) : resolve())),
    );
    if (parsed.body === undefined) throw unsupportedMediaType();
    return parsed.body;
  };
}

/** As body-parser's JSON parser with `strict: false`: an empty body is `{}`. */
function parseJson(text: string): unknown {
  if (text.length === 0) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw malformedJson();
  }
}

/** The body as UTF-8 text without a byte order mark; 413 past `limitBytes`. */
function readUtf8(req: IncomingMessage, limitBytes: number): Promise<string> {
  const declared = Number(req.headers["content-length"]);
  if (declared > limitBytes) {
    req.resume(); // read and dropped, so the connection can carry the answer
    return Promise.reject(bodyTooLarge());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limitBytes) {
        chunks.push(chunk);
        return;
      }
      req.off("data", onData);
      req.resume();
      cleanup();
      reject(bodyTooLarge());
    };
    const onEnd = () => {
      cleanup();
      const text = (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).toString("utf8");
      resolve(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
    };
    const onAborted = () => {
      cleanup();
      reject(malformedBody());
    };
    const cleanup = () => {
      req.off("end", onEnd);
      req.off("aborted", onAborted);
      req.off("error", onAborted);
    };
    req.on("data", onData);
    req.once("end", onEnd);
    req.once("aborted", onAborted);
    req.once("error", onAborted);
  });
}

/**
 * The JSON body as a procedure's input: an object, its snake_case keys in
 * camelCase. Other keys are dropped, as Pydantic ignores unknown fields.
 * `required: false` lets a route take no body at all.
 */
export function bodyAsInput(body: unknown, required = true): Record<string, unknown> {
  if (body === undefined && !required) return {};
  if (body === undefined) {
    throw validationFailed([
      { type: "missing", loc: ["body"], msg: "Field required", input: null },
    ]);
  }
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw validationFailed([
      {
        type: "model_attributes_type",
        loc: ["body"],
        msg: "Input should be a valid dictionary or object to extract fields from",
        input: body,
      },
    ]);
  }
  const input: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    if (key === camelToSnake(key)) input[snakeToCamel(key)] = value;
  }
  return input;
}
