import { gzipSync } from "node:zlib";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { startTestApp, type TestApp } from "./test-app.js";

// The contract's "Hostile input", for what arrives before any schema sees it:
// nesting, encodings and bytes. Whatever is sent, the answer is in the
// contract's shape, nothing is stored, and the server keeps serving.

let app: TestApp;
let auth: Record<string, string>;

beforeAll(async () => {
  app = await startTestApp();
  auth = { authorization: `Bearer ${await app.token("hostile")}` };
});
afterAll(() => app.close());

const json = { "content-type": "application/json" };
const nested = (depth: number) => "[".repeat(depth) + "]".repeat(depth);
const TOO_DEEP = [
  {
    type: "json_invalid",
    loc: ["body"],
    msg: "JSON decode error",
    input: {},
    ctx: { error: "Nested deeper than 64 levels" },
  },
];

async function expectAlive() {
  const res = await fetch(`${app.url}/api/hostile/tasks`, { headers: auth });
  expect(res.status).toBe(200);
}

describe("a JSON body nested deeper than 64 levels", () => {
  it.each([
    ["a deep field", `{"title":"t","description":${nested(40_000)}}`],
    ["a deep root", nested(49_000)],
    ["65 levels", `{"title":"t","tags":${nested(64)}}`],
  ])("is a 422 on POST /api/{user_id}/tasks (%s), and nothing is stored", async (_name, body) => {
    const before = await app.db.task.count();
    const res = await fetch(`${app.url}/api/hostile/tasks`, {
      method: "POST",
      headers: { ...auth, ...json },
      body,
    });
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({ detail: TOO_DEEP });
    expect(await app.db.task.count()).toBe(before);
    await expectAlive();
  });

  it("is a 422 when it arrives gzip-compressed (74 bytes that inflate to 200 kB)", async () => {
    const body = gzipSync(`{"title":"t","description":${nested(40_000)}}`);
    const res = await fetch(`${app.url}/api/hostile/tasks`, {
      method: "POST",
      headers: { ...auth, ...json, "content-encoding": "gzip" },
      body: new Uint8Array(body),
    });
    expect(res.status).toBe(422);
    await expectAlive();
  });

  it("but 64 levels, brackets inside strings and escaped quotes are fine", async () => {
    const deepTag = `{"title":"[[[[\\"{{{{","tags":["${"[".repeat(200)}"],"x":${nested(63)}}`;
    const res = await fetch(`${app.url}/api/hostile/tasks`, {
      method: "POST",
      headers: { ...auth, ...json },
      body: deepTag,
    });
    // the tag is too long for the schema, but the nesting passed
    expect(res.status).toBe(422);
    const detail = ((await res.json()) as { detail: Array<{ loc: unknown[] }> }).detail;
    expect(detail.map((entry) => entry.loc)).toEqual([["body", "tags", 0]]);
  });

  it("is a 422 on /auth/signup, in JSON", async () => {
    const res = await fetch(`${app.url}/auth/signup`, {
      method: "POST",
      headers: json,
      body: `{"email":"a@example.com","password":"long enough password","name":${nested(10_000)}}`,
    });
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({ detail: TOO_DEEP });
  });

  it("is UNPROCESSABLE_CONTENT over /trpc, as a body or as a GET's input", async () => {
    const posted = await fetch(`${app.url}/trpc/task.create`, {
      method: "POST",
      headers: { ...auth, ...json },
      body: `{"title":"t","tags":${nested(10_000)}}`,
    });
    expect(posted.status).toBe(422);
    const body = (await posted.json()) as { error: { data: { code: string } } };
    expect(body.error.data.code).toBe("UNPROCESSABLE_CONTENT");

    const input = encodeURIComponent(`{"search":${nested(1_000)}}`);
    const queried = await fetch(`${app.url}/trpc/task.list?input=${input}`, { headers: auth });
    expect(queried.status).toBe(422);
    // Repeated, the deep one first (the one tRPC reads) or second.
    for (const query of [`input=${input}&input=%7B%7D`, `input=%7B%7D&input=${input}`]) {
      const repeated = await fetch(`${app.url}/trpc/task.list?${query}`, { headers: auth });
      expect(repeated.status).toBe(422);
    }
    await expectAlive();
  });
});

describe("bytes and encodings", () => {
  it.each(["gzip", "deflate", "br"])(
    "a body that is not %s-encoded although it says so is a 400",
    async (encoding) => {
      const res = await fetch(`${app.url}/api/hostile/tasks`, {
        method: "POST",
        headers: { ...auth, ...json, "content-encoding": encoding },
        body: JSON.stringify({ title: "plain" }),
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ detail: "Malformed JSON body" });
    },
  );

  it("an encoding the server does not support is a 415", async () => {
    const res = await fetch(`${app.url}/api/hostile/tasks`, {
      method: "POST",
      headers: { ...auth, ...json, "content-encoding": "compress" },
      body: JSON.stringify({ title: "plain" }),
    });
    expect(res.status).toBe(415);
    expect(await res.json()).toEqual({ detail: "Unsupported media type" });
  });

  it("a body that is not valid UTF-8 is a 400, never stored with U+FFFD", async () => {
    const before = await app.db.task.count();
    const bytes = Buffer.concat([
      Buffer.from('{"title":"bad '),
      Buffer.from([0xc3, 0x28, 0xff]),
      Buffer.from('"}'),
    ]);
    const res = await fetch(`${app.url}/api/hostile/tasks`, {
      method: "POST",
      headers: { ...auth, ...json },
      body: new Uint8Array(bytes),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ detail: "Malformed JSON body" });
    expect(await app.db.task.count()).toBe(before);
  });

  it("a lying Content-Encoding over /trpc is BAD_REQUEST, in tRPC's shape", async () => {
    const res = await fetch(`${app.url}/trpc/task.create`, {
      method: "POST",
      headers: { ...auth, ...json, "content-encoding": "gzip" },
      body: JSON.stringify({ title: "plain" }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { data: { code: string } } };
    expect(body.error.data.code).toBe("BAD_REQUEST");
  });

  it("a path parameter that is not valid %-encoding matches nothing", async () => {
    const id = await fetch(`${app.url}/api/hostile/tasks/%E0%A4%A`, { headers: auth });
    expect(id.status).toBe(404);
    const user = await fetch(`${app.url}/api/%ZZ/tasks`, { headers: auth });
    expect(user.status).toBe(403);
  });
});
