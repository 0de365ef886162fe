import express, { type Request, type Response } from "express";

import { unsupportedMediaType, validationFailed } from "../http-errors.js";
import { camelToSnake, snakeToCamel } from "./field-names.js";

/** Whether the request carries a body at all (FastAPI treats an empty one as none). */
export function hasBody(req: Request): boolean {
  const length = req.get("content-length");
  if (length !== undefined) return Number(length) > 0;
  return req.get("transfer-encoding") !== undefined;
}

/**
 * Reads a JSON body, after authentication: a body that is not
 * application/json is a 415, bad JSON a 400, an oversized one a 413.
 */
export function readJsonBody(limitBytes: number): (req: Request, res: Response) => Promise<void> {
  const parse = express.json({ limit: limitBytes, strict: false, type: () => true });
  return (req, res) => {
    if (!hasBody(req)) {
      req.body = undefined;
      return Promise.resolve();
    }
    if (!req.is("application/json")) return Promise.reject(unsupportedMediaType());
    return new Promise((resolve, reject) =>
      parse(req, res, (error?: unknown) => (error ? reject(error) : resolve())),
    );
  };
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
