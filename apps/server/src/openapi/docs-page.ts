import express, { Router } from "express";
import getAbsoluteFSPath from "swagger-ui-dist/absolute-path.js";

import { pageSecurityHeaders } from "../security-headers.js";

// Swagger UI from the swagger-ui-dist package, served by this router: the page
// works offline, and it has no inline script, so it runs under a
// Content-Security-Policy of `script-src 'self'`.

const ASSETS_PATH = "/docs/assets";
const INITIALIZER_PATH = "/docs/swagger-initializer.js";

// Only what the page loads. The package also ships a demo index.html and an
// initializer pointed at the Swagger petstore, which have no business here.
const ASSET_FILES = new Set([
  "swagger-ui.css",
  "index.css",
  "swagger-ui-bundle.js",
  "favicon-32x32.png",
  "favicon-16x16.png",
]);

const DOCS_PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Todo API — Swagger UI</title>
    <link rel="stylesheet" href="${ASSETS_PATH}/swagger-ui.css" />
    <link rel="stylesheet" href="${ASSETS_PATH}/index.css" />
    <link rel="icon" type="image/png" href="${ASSETS_PATH}/favicon-32x32.png" sizes="32x32" />
    <link rel="icon" type="image/png" href="${ASSETS_PATH}/favicon-16x16.png" sizes="16x16" />
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="${ASSETS_PATH}/swagger-ui-bundle.js"></script>
    <script src="${INITIALIZER_PATH}"></script>
  </body>
</html>
`;

// validatorUrl: null — the default sends the document to validator.swagger.io
// for a badge, which fails offline and leaks the API's shape.
const INITIALIZER = `window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    validatorUrl: null,
  });
});
`;

/** `GET /docs`: Swagger UI over `/openapi.json`, with its assets under `/docs/assets`. */
export function createDocsRouter(): Router {
  const router = Router();
  const assets = express.static(getAbsoluteFSPath(), { index: false, maxAge: "1d" });
  router.use("/docs", pageSecurityHeaders()); // the page, its initializer and its assets

  router.get("/docs", (_req, res) => {
    res.type("html").send(DOCS_PAGE);
  });
  router.get(INITIALIZER_PATH, (_req, res) => {
    res.type("text/javascript").send(INITIALIZER);
  });
  router.use(ASSETS_PATH, (req, res, next) => {
    if (ASSET_FILES.has(req.path.slice(1))) assets(req, res, next);
    else next();
  });
  return router;
}
