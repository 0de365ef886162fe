import type { Response } from "express";

/**
 * Sends `body` as JSON: the bytes and headers of Express's `res.json` (its
 * "json replacer", "json spaces" and "json escape" settings included),
 * written as one string. `res.json` copies a body of 1,000 characters or
 * more into a Buffer first (to count its bytes), and the response then goes
 * out as two writes; a 50-task list paid for both on every request
 * (bench/README.md has the figure). No body for HEAD.
 */
export function sendJson(res: Response, body: unknown): void {
  const { app } = res;
  let json: string | undefined = JSON.stringify(
    body,
    app.get("json replacer") as Parameters<typeof JSON.stringify>[1],
    app.get("json spaces") as string | number | undefined,
  );
  // A replacer that drops the whole value: Express's own way of sending nothing.
  if (json === undefined) return void res.json(body);
  if (app.get("json escape")) json = escapeHtmlCharacters(json);
  res.setHeader("Content-Type", "application/json; charset=utf-8");
  res.setHeader("Content-Length", Buffer.byteLength(json));
  res.end(res.req.method === "HEAD" ? undefined : json);
}

/** As Express's "json escape": `<`, `>` and `&` as \u escapes, so the JSON is safe inside HTML. */
function escapeHtmlCharacters(json: string): string {
  return json.replace(/[<>&]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
