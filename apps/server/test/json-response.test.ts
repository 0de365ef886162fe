import type { AddressInfo } from "node:net";

import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { sendJson } from "../src/rest/json-response.js";

// sendJson stands in for res.json on the task routes: it must send what
// res.json sends, byte for byte, with the app's JSON settings.

const BODIES: Record<string, unknown> = {
  small: { id: 1, title: "short" },
  large: Array.from({ length: 50 }, (_, i) => ({ i, title: `t${i} <b>&</b> ✓ 😀`.repeat(5) })),
  nothing: null,
};

let url: string;
let close: () => Promise<void>;
const app = express();

beforeAll(async () => {
  app.get("/express/:name", (req, res) => void res.json(BODIES[req.params.name]));
  app.get("/ours/:name", (req, res) => sendJson(res, BODIES[req.params.name]));
  const server = app.listen(0);
  await new Promise((resolve) => server.once("listening", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () => new Promise((resolve) => server.close(() => resolve()));
});
afterAll(() => close());

async function answer(path: string, method = "GET") {
  const res = await fetch(`${url}${path}`, { method });
  return {
    status: res.status,
    type: res.headers.get("content-type"),
    length: res.headers.get("content-length"),
    body: Buffer.from(await res.arrayBuffer()).toString("hex"),
  };
}

describe("sendJson", () => {
  const settings: Array<[string, Record<string, unknown>]> = [
    ["Express's defaults", {}],
    ["json spaces, json escape", { "json spaces": 2, "json escape": true }],
    [
      "a json replacer",
      { "json replacer": (k: string, v: unknown) => (k === "i" ? undefined : v) },
    ],
    ["a replacer that drops everything", { "json replacer": () => undefined }],
  ];

  it.each(settings)("sends what res.json sends, with %s", async (_, values) => {
    for (const [key, value] of Object.entries(values)) app.set(key, value);
    try {
      for (const name of Object.keys(BODIES)) {
        for (const method of ["GET", "HEAD"]) {
          expect(await answer(`/ours/${name}`, method)).toEqual(
            await answer(`/express/${name}`, method),
          );
        }
      }
    } finally {
      for (const key of Object.keys(values)) app.set(key, undefined);
    }
  });
});
