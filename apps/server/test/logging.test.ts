import { once } from "node:events";
import type { IncomingMessage, ServerResponse } from "node:http";
import { EventEmitter } from "node:events";
import { Writable } from "node:stream";

import { createTestDatabase, type TestDatabase } from "@todo/db/testing";
import type { DestinationStream } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createLogger, requestLogging } from "../src/logging.js";
import { spawnEntryPoint } from "./entry-point.js";
import { TEST_SECRET } from "./test-app.js";

function capture(): { sink: DestinationStream; text: () => string } {
  let text = "";
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { sink: sink as unknown as DestinationStream, text: () => text };
}

/** One finished request through the request-line middleware. */
function finishRequest(
  log: ReturnType<typeof createLogger>,
  method: string,
  url: string,
  status = 200,
) {
  const res = Object.assign(new EventEmitter(), { statusCode: status, setHeader: () => undefined });
  requestLogging(log)(
    { headers: {}, method, url } as IncomingMessage,
    res as unknown as ServerResponse,
    () => {},
  );
  res.emit("finish");
}

describe("LOG_FORMAT=pretty", () => {
  it("writes a time, the level and the message on one line, and the request line as `GET /health 200 … ms`", () => {
    const { sink, text } = capture();
    const log = createLogger({ format: "pretty" }, sink);
    log.info({ url: "http://localhost:8000" }, "listening");
    finishRequest(log, "GET", "/health?verbose=1");

    const lines = text().trimEnd().split("\n");
    expect(lines[0]).toMatch(
      /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: listening {"url":"http:\/\/localhost:8000"}$/,
    );
    expect(lines[1]).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: GET \/health 200 [\d.]+ ms$/);
  });

  it("censors tokens, passwords and secrets as the JSON log does", () => {
    const { sink, text } = capture();
    createLogger({ format: "pretty" }, sink).warn(
      {
        token: "eyJhbGciOi.secret.token",
        headers: { authorization: "Bearer eyJhbGciOi" },
        user: { password: "hunter22" },
      },
      "careless",
    );
    expect(text()).toContain("[redacted]");
    for (const secret of ["eyJhbGciOi", "hunter22"]) expect(text()).not.toContain(secret);
  });

  it("is not JSON, while the default format is", () => {
    const pretty = capture();
    const json = capture();
    createLogger({ format: "pretty" }, pretty.sink).info("hello");
    createLogger({}, json.sink).info("hello");
    expect(() => JSON.parse(pretty.text()) as unknown).toThrow();
    expect(JSON.parse(json.text())).toMatchObject({ level: 30, msg: "hello" });
  });
});

describe("the entry point's log format", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.drop());

  it.each([
    ["development", { LOG_FORMAT: "pretty" }, / INFO: listening /],
    ["test", {}, /^{"level":30,.*"msg":"listening"}$/m],
  ])("NODE_ENV=%s %j: the listening line", async (nodeEnv, extra, listening) => {
    const child = spawnEntryPoint({
      NODE_ENV: nodeEnv,
      PORT: "0",
      DATABASE_URL: database.url,
      BETTER_AUTH_SECRET: TEST_SECRET,
      ...extra,
    });
    let stdout = "";
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    try {
      await expect.poll(() => stdout, { timeout: 20_000, interval: 50 }).toMatch(listening);
    } finally {
      child.kill("SIGTERM");
      await once(child, "exit");
    }
  });
});
