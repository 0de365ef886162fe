import { describe, expect, it } from "vitest";

import { ECHO_MAX_BYTES, ECHO_MAX_DEPTH, echoInput } from "../src/input-echo.js";
import { jsonBytes, jsonDepth, nested } from "./json-shape.js";

describe("the input echo", () => {
  it("is the value itself when it fits", () => {
    const value = { title: "Buy milk", tags: ["a", "😀"], n: 1.5, ok: false, none: null };
    expect(echoInput(value)).toEqual(value);
    expect(echoInput("\u0000\ud800")).toBe("\u0000\ud800");
  });

  it("cuts a long string to fit, ending in …", () => {
    const echoed = echoInput("x".repeat(100_000)) as string;
    expect(echoed).toMatch(/^x+…$/);
    expect(jsonBytes(echoed)).toBeLessThanOrEqual(ECHO_MAX_BYTES);
    expect(jsonBytes(echoed)).toBeGreaterThan(ECHO_MAX_BYTES - 8);
  });

  it("counts bytes of JSON, so escapes and emoji leave room for fewer characters", () => {
    for (const unit of ["\u0000", "😀", '"', "\ud800"]) {
      const echoed = echoInput(unit.repeat(10_000)) as string;
      expect(jsonBytes(echoed), JSON.stringify(unit)).toBeLessThanOrEqual(ECHO_MAX_BYTES);
      expect(echoed.endsWith("…")).toBe(true);
    }
  });

  it("never cuts an emoji in half", () => {
    for (let pad = 0; pad < 4; pad += 1) {
      const echoed = echoInput("x".repeat(pad) + "😀".repeat(1000)) as string;
      expect(echoed.slice(0, -1)).not.toMatch(/\p{Surrogate}/u);
    }
  });

  it("keeps the first items of a long array and the first keys of a big object, that fit", () => {
    const array = echoInput(Array.from({ length: 10_000 }, (_, i) => i)) as number[];
    expect(array.length).toBeGreaterThan(50);
    expect(array).toEqual(array.map((_, i) => i));
    expect(jsonBytes(array)).toBeLessThanOrEqual(ECHO_MAX_BYTES);

    const object = echoInput(
      Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, "v".repeat(i)])),
    ) as Record<string, string>;
    expect(Object.keys(object).slice(0, 3)).toEqual(["k0", "k1", "k2"]);
    expect(jsonBytes(object)).toBeLessThanOrEqual(ECHO_MAX_BYTES);
  });

  it("cuts long keys too", () => {
    const echoed = echoInput({ ["k".repeat(10_000)]: 1 }) as Record<string, unknown>;
    expect(jsonBytes(echoed)).toBeLessThanOrEqual(ECHO_MAX_BYTES);
  });

  it(`replaces arrays and objects deeper than ${ECHO_MAX_DEPTH} levels with "…"`, () => {
    let cutOff: unknown = "…";
    for (let i = 0; i < ECHO_MAX_DEPTH; i += 1) cutOff = [cutOff];
    expect(echoInput(nested(20, "array"))).toEqual(cutOff);
    expect(jsonDepth(JSON.stringify(echoInput(nested(20, "object"))))).toBe(ECHO_MAX_DEPTH);
    expect(echoInput(nested(ECHO_MAX_DEPTH, "array"))).toEqual(nested(ECHO_MAX_DEPTH, "array"));
  });

  it("echoes a 100,000-level-deep value without overflowing the stack", () => {
    for (const kind of ["array", "object"] as const) {
      const deep = nested(100_000, kind);
      expect(() => JSON.stringify(deep)).toThrow(RangeError);
      const json = JSON.stringify(echoInput(deep));
      expect(jsonDepth(json)).toBe(ECHO_MAX_DEPTH);
      expect(Buffer.byteLength(json)).toBeLessThanOrEqual(ECHO_MAX_BYTES);
    }
  });

  it("keeps __proto__ and constructor as plain keys, touching no prototype", () => {
    const sent = JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":1}}');
    const echoed = echoInput(sent) as Record<string, unknown>;
    expect(Object.keys(echoed)).toEqual(["__proto__", "constructor"]);
    expect(JSON.stringify(echoed)).toBe(JSON.stringify(sent));
    expect(Object.getPrototypeOf(echoed)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("is the same when echoed again", () => {
    for (const value of [nested(100, "object"), "y".repeat(5000), Array(5000).fill("z")]) {
      const once = echoInput(value);
      expect(echoInput(once)).toEqual(once);
    }
  });
});
