import express, { type Request, type Response } from "express";

import { unsupportedMediaType } from "../http-errors.js";

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
