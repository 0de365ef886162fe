import { describe, expect, it } from "vitest";

import {
  callIdentity,
  canonicalJson,
  requestFingerprint,
} from "../../src/router/request-fingerprint.js";

describe("canonicalJson", () => {
  it("writes one text for one JSON value, whatever its key order", () => {
    const a: unknown = JSON.parse('{"b": [1, {"y": 2, "x": 1}], "a": null}');
    const b: unknown = JSON.parse('{"a":null,"b":[1.0,{"x":1,"y":2}]}');
    expect(canonicalJson(a)).toBe('{"a":null,"b":[1,{"x":1,"y":2}]}');
    expect(canonicalJson(b)).toBe(canonicalJson(a));
  });

  it("keeps keys such as __proto__ and toJSON as data, as JSON.parse gave them", () => {
    const body: unknown = JSON.parse('{"toJSON": "x", "__proto__": {"polluted": true}}');
    expect(canonicalJson(body)).toBe('{"__proto__":{"polluted":true},"toJSON":"x"}');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("writes what a caller in the process passes as JSON.stringify would", () => {
    expect(canonicalJson({ b: undefined, a: new Date(0), c: [undefined] })).toBe(
      '{"a":"1970-01-01T00:00:00.000Z","c":[null]}',
    );
    expect(canonicalJson(10n)).toBe("10");
  });
});

describe("requestFingerprint", () => {
  it("differs for another operation, another body, and no body against a null one", () => {
    const fingerprint = requestFingerprint({
      operation: "POST /api/u/tasks",
      body: { title: "a" },
    });
    expect(requestFingerprint({ operation: "POST /api/u/tasks", body: { title: "a" } })).toBe(
      fingerprint,
    );
    for (const other of [
      { operation: "POST /api/v/tasks", body: { title: "a" } },
      { operation: "POST /api/u/tasks", body: { title: "a " } },
    ]) {
      expect(requestFingerprint(other)).not.toBe(fingerprint);
    }
    expect(requestFingerprint({ operation: "PATCH /x", body: undefined })).not.toBe(
      requestFingerprint({ operation: "PATCH /x", body: null }),
    );
  });
});

describe("callIdentity", () => {
  it("is the procedure and its raw input, without the key and expectedVersion", () => {
    expect(
      callIdentity("task.toggleComplete", { id: "t", expectedVersion: 3, idempotencyKey: "k" }),
    ).toEqual({ operation: "task.toggleComplete", body: { id: "t" } });
    expect(callIdentity("task.create", "raw")).toEqual({ operation: "task.create", body: "raw" });
  });
});
