import { request as httpRequest, type IncomingHttpHeaders } from "node:http";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { startTestApp, type TestApp } from "./test-app.js";

// A body over the limit is answered 413 while the client is still sending it,
// whether its length was declared or it is streamed without one, and the
// answer is not lost when the server then closes the connection.

const LIMIT = 100_000;
/** How long a test waits for an answer it should get at once; the request timeout is longer. */
const NO_ANSWER_AFTER_MS = 15_000;

let app: TestApp;
let token: string;

beforeAll(async () => {
  app = await startTestApp({ bodyLimitBytes: LIMIT });
  token = await app.token("alice");
});
afterAll(() => app.close());

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: unknown;
  /** Bytes of the body the client had written when the answer came. */
  sentBytes: number;
}

/**
 * POSTs `totalBytes` of a JSON string in 16 kB writes, waiting for each to
 * drain, and never ends the request: an answer proves the server did not
 * wait for the whole body. Without `declare`, no Content-Length (chunked).
 */
function postWithoutEnd(
  path: string,
  totalBytes: number,
  declare: boolean,
  contentType = "application/json",
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const chunk = Buffer.alloc(16_384, 0x61);
    let sentBytes = 0;
    let answered = false;
    const req = httpRequest(
      `${app.url}${path}`,
      {
        method: "POST",
        agent: false,
        headers: {
          authorization: `Bearer ${token}`,
          "content-type": contentType,
          ...(declare ? { "content-length": String(totalBytes) } : {}),
        },
      },
      (res) => {
        answered = true;
        clearTimeout(guard);
        const parts: Buffer[] = [];
        res.on("data", (part: Buffer) => parts.push(part));
        res.on("end", () =>
          resolve({
            status: res.statusCode!,
            headers: res.headers,
            body: JSON.parse(Buffer.concat(parts).toString("utf8")) as unknown,
            sentBytes,
          }),
        );
      },
    );
    const guard = setTimeout(() => {
      req.destroy();
      reject(new Error(`no answer after ${NO_ANSWER_AFTER_MS} ms (${sentBytes} bytes sent)`));
    }, NO_ANSWER_AFTER_MS);
    req.on("error", (error) => {
      if (!answered) reject(error);
    });
    const write = () => {
      if (answered) return;
      if (sentBytes === 0) {
        req.write('"');
        sentBytes = 1;
      }
      while (sentBytes + chunk.length <= totalBytes - 1 && !answered) {
        sentBytes += chunk.length;
        if (!req.write(chunk)) return void req.once("drain", write);
      }
      // The rest of the body is never sent: only an early answer ends this.
    };
    write();
  });
}

async function taskCount(): Promise<number> {
  const res = await fetch(`${app.url}/api/alice/tasks`, {
    headers: { authorization: `Bearer ${token}` },
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as unknown[]).length;
}

describe("a body over the limit", () => {
  const routes = [
    {
      name: "POST /api/{user_id}/tasks",
      path: "/api/alice/tasks",
      refusal: { detail: "Request body too large" },
    },
    {
      name: "tRPC task.create",
      path: "/trpc/task.create",
      refusal: {
        error: expect.objectContaining({
          data: expect.objectContaining({ code: "PAYLOAD_TOO_LARGE", httpStatus: 413 }),
        }) as unknown,
      },
    },
  ];

  describe.each(routes)("$name", ({ path, refusal }) => {
    it("is a 413 before the body is sent when its declared length is over the limit, and the connection closes", async () => {
      const before = await taskCount();
      const answer = await postWithoutEnd(path, 10 * LIMIT, true);
      expect(answer.status).toBe(413);
      expect(answer.body).toEqual(refusal);
      expect(answer.headers.connection).toBe("close");
      expect(answer.sentBytes).toBeLessThan(10 * LIMIT);
      expect(await taskCount()).toBe(before);
    });

    it("is a 413 as soon as a body without a length passes the limit, while the client still sends", async () => {
      const before = await taskCount();
      const answer = await postWithoutEnd(path, 10 * LIMIT, false);
      expect(answer.status).toBe(413);
      expect(answer.body).toEqual(refusal);
      expect(answer.headers.connection).toBe("close");
      expect(answer.sentBytes).toBeGreaterThan(LIMIT);
      expect(answer.sentBytes).toBeLessThan(10 * LIMIT);
      expect(await taskCount()).toBe(before);
    });
  });

  it("is a 413 over /trpc as form data without a length too (tRPC's adapter reads it), before it is all sent", async () => {
    const answer = await postWithoutEnd(
      "/trpc/auth.signup",
      10 * LIMIT,
      false,
      "multipart/form-data; boundary=x",
    );
    expect(answer.status).toBe(413);
    expect(answer.body).toEqual({
      error: expect.objectContaining({
        data: expect.objectContaining({ code: "PAYLOAD_TOO_LARGE" }),
      }) as unknown,
    });
    expect(answer.sentBytes).toBeLessThan(10 * LIMIT);
  });

  it("leaves a body just under the limit, sent without a length, read as usual", async () => {
    // Whitespace pads it to its size: JSON allows it, the contract's field limits do not mind.
    const body = `{"title":"streamed"${" ".repeat(LIMIT - 100)}}`;
    const res = await fetch(`${app.url}/api/alice/tasks`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: new ReadableStream({
        start(controller) {
          const bytes = new TextEncoder().encode(body);
          for (let at = 0; at < bytes.length; at += 8_192) {
            controller.enqueue(bytes.subarray(at, at + 8_192));
          }
          controller.close();
        },
      }),
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(201);
    expect(((await res.json()) as { title: string }).title).toBe("streamed");
  });
});
