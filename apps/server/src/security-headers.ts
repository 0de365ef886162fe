import type { RequestHandler } from "express";
import helmet from "helmet";

// Answers of the API are JSON that no browser renders as a page, so they carry
// the OWASP REST Security Cheat Sheet's set, not a web page's twelve headers:
// nothing may load from or frame them, they are never sniffed as HTML, and
// HTTPS is kept once used. Set once per request from this fixed list.
export const API_HEADERS: ReadonlyArray<readonly [string, string]> = [
  ["Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"],
  ["Strict-Transport-Security", "max-age=31536000; includeSubDomains"],
  ["X-Content-Type-Options", "nosniff"],
  ["X-Frame-Options", "DENY"],
];

export const apiSecurityHeaders: RequestHandler = (_req, res, next) => {
  for (const [name, value] of API_HEADERS) res.setHeader(name, value);
  next();
};

/**
 * An HTML page's headers (the /docs page and its assets): helmet's defaults,
 * which replace the API's. Its Content-Security-Policy lets the page run its
 * own scripts, over plain http too (a LAN address).
 */
export const pageSecurityHeaders = () =>
  helmet({
    // Browsers on other origins read this API through CORS.
    crossOriginResourcePolicy: { policy: "cross-origin" },
    contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } },
  });
