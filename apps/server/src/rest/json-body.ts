import { isUtf8 } from "node:buffer";
import type { IncomingMessage } from "node:http";

import express, { type RequestHandler } from "express";

import { hasBody, readBodyWithinLimit } from "../body-limit.js";
import { malformedJson, unsupportedMediaType, validationFailed } from "../http-errors.js";
import { camelToSnake, snakeToCamel } from "./field-names.js";
import { MAX_JSON_DEPTH, nestedDeeperThan } from "../json-depth.js";

/** The 422 for a body nested deeper than MAX_JSON_DEPTH, in FastAPI's words for bad JSON. */
export const jsonTooDeep = () =>
  validationFailed([
    {
      type: "json_invalid",
      loc: ["body"],
      msg: "JSON decode error",
      input: {},
      ctx: { error: `Nested deeper than ${MAX_JSON_DEPTH} levels` },
    },
  ]);

/**
 * body-parser's `verify`, on the decoded bytes before JSON.parse: text that
 * is not valid in its charset is a 400 (it would be read with U+FFFD in place
 * of the bad bytes, and stored altered), and a body nested too deep a 422,
 * refused before anything walks it.
 */
export function checkJsonText(
  _req: IncomingMessage,
  _res: unknown,
  body: Buffer,
  encoding: string,
): void {
  if (!validText(body, encoding)) throw malformedJson();
  if (nestedDeeperThan(body, encoding, MAX_JSON_DEPTH)) throw jsonTooDeep();
}

function validText(body: Buffer, encoding: string): boolean {
  if (/^utf-?8$/i.test(encoding)) return isUtf8(body);
  try {
    new TextDecoder(encoding, { fatal: true }).decode(body);
    return true;
  } catch {
    return false;
  }
}

/**
 * The JSON body of a REST route, read after authentication: a body that is
 * not application/json is a 415, bad JSON a 400, an oversized one (after
 * decompression) a 413, one nested too deep a 422; no body leaves `req.body`
 * undefined. The statuses are given in http-errors.ts.
 */
export function jsonBody(limitBytes: number): RequestHandler[] {
  return [
    (req, _res, next) => {
      next(hasBody(req) && !req.is("application/json") ? unsupportedMediaType() : undefined);
    },
    readBodyWithinLimit(
      limitBytes,
      express.json({
        limit: limitBytes,
        strict: false,
        type: "application/json",
        verify: checkJsonText,
      }),
    ),
  ];
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
