import { once } from "node:events";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";

import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createDocsRouter } from "../../src/openapi/docs-page.js";

let server: Server;
let base: string;

beforeAll(async () => {
  const app = express();
  app.use(createDocsRouter());
  server = app.listen(0, "127.0.0.1");
  await once(server, "listening");
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.close();
  await once(server, "close");
});

async function docsPage(): Promise<string> {
  const response = await fetch(`${base}/docs`);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^text\/html/);
  return response.text();
}

const attributes = (html: string, tag: string, attribute: string) =>
  [...html.matchAll(new RegExp(`<${tag}\\b[^>]*\\s${attribute}="([^"]+)"`, "g"))].map(
    ([, value = ""]) => value,
  );

const CONTENT_TYPES: [RegExp, RegExp][] = [
  [/\.js$/, /^(text|application)\/javascript/],
  [/\.css$/, /^text\/css/],
  [/\.png$/, /^image\/png/],
];

describe("GET /docs", () => {
  it("serves an HTML page running Swagger UI, with no inline script", async () => {
    const html = await docsPage();
    expect(html).toContain('<div id="swagger-ui"></div>');
    for (const [, opening = "", body] of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)) {
      expect(opening).toMatch(/\ssrc="/);
      expect(body?.trim()).toBe("");
    }
    expect(html).not.toMatch(/\son[a-z]+=/i);
  });

  it("loads every script, stylesheet and icon from this server, each with the right content type", async () => {
    const html = await docsPage();
    const scripts = attributes(html, "script", "src");
    const links = attributes(html, "link", "href");
    expect(scripts.length).toBeGreaterThanOrEqual(2);
    expect(links.some((href) => href.endsWith(".css"))).toBe(true);

    for (const url of [...scripts, ...links]) {
      expect(url, "no CDN: a path on this server").toMatch(/^\/[^/]/);
      const response = await fetch(new URL(url, base));
      expect(response.status, url).toBe(200);
      const expected = CONTENT_TYPES.find(([extension]) => extension.test(url))?.[1];
      expect(expected, url).toBeDefined();
      expect(response.headers.get("content-type"), url).toMatch(expected ?? /^$/);
      expect((await response.arrayBuffer()).byteLength, url).toBeGreaterThan(0);
    }
  });

  it("starts Swagger UI on /openapi.json from its initializer script", async () => {
    const scripts = attributes(await docsPage(), "script", "src");
    const sources = await Promise.all(
      scripts.map(async (src) => (await fetch(new URL(src, base))).text()),
    );
    const initializer = sources.find((source) => source.includes("SwaggerUIBundle({"));
    expect(initializer).toContain('url: "/openapi.json"');
    expect(initializer).toContain('dom_id: "#swagger-ui"');
  });

  it("does not serve swagger-ui-dist's demo page or its petstore initializer", async () => {
    for (const file of ["index.html", "swagger-initializer.js", ""]) {
      const response = await fetch(`${base}/docs/assets/${file}`);
      expect(response.status, file).toBe(404);
    }
  });
});
