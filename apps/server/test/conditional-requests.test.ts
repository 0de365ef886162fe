import { describe, expect, it } from "vitest";

import {
  idempotencyKeyOf,
  ifMatchVersions,
  ifNoneMatchHits,
} from "../src/rest/conditional-requests.js";

describe("If-Match (strong comparison)", () => {
  it("is no condition when absent or *", () => {
    expect(ifMatchVersions(undefined)).toBeUndefined();
    expect(ifMatchVersions("*")).toBeUndefined();
  });

  it("lists the versions of a comma list, weak tags never matching", () => {
    expect(ifMatchVersions('"3"')).toEqual([3]);
    expect(ifMatchVersions('"3", "5" ,W/"7"')).toEqual([3, 5]);
    expect(ifMatchVersions('W/"3"')).toEqual([]);
    expect(ifMatchVersions('"stale"')).toEqual([]);
    expect(ifMatchVersions("3")).toEqual([]);
  });

  it("lists each version once, and leaves out tags that name no version", () => {
    expect(ifMatchVersions('"1", "2", "1", W/"2"')).toEqual([1, 2]);
    expect(ifMatchVersions('"0", "01", "-1", "1.5", "1e3", "99999999999999999999"')).toEqual([]);
    // Beyond what a task reaches, but a version all the same: the write finds it never matches.
    expect(ifMatchVersions('"2147483648"')).toEqual([2147483648]);
  });
});

describe("If-None-Match (weak comparison)", () => {
  it("matches the version, weak or strong, and * any", () => {
    expect(ifNoneMatchHits('"4"', 4)).toBe(true);
    expect(ifNoneMatchHits('W/"4"', 4)).toBe(true);
    expect(ifNoneMatchHits('"1", "4"', 4)).toBe(true);
    expect(ifNoneMatchHits("*", 9)).toBe(true);
    expect(ifNoneMatchHits('"3"', 4)).toBe(false);
    expect(ifNoneMatchHits(undefined, 4)).toBe(false);
  });
});

describe("Idempotency-Key", () => {
  it('reads a bare key and a structured-field string the same: "k" is k', () => {
    expect(idempotencyKeyOf(["k"])).toBe("k");
    expect(idempotencyKeyOf(['"k"'])).toBe("k");
    expect(idempotencyKeyOf(['"a \\"quoted\\" \\\\ key"'])).toBe('a "quoted" \\ key');
    expect(idempotencyKeyOf(["x".repeat(255)])).toBe("x".repeat(255));
    expect(idempotencyKeyOf(["a, b"])).toBe("a, b");
    expect(idempotencyKeyOf(undefined)).toBeUndefined();
  });

  it.each([
    ["", "empty"],
    ['""', "an empty string"],
    ["x".repeat(256), "256 characters"],
    ["é", "not ASCII"],
    ["a\tb", "a control character"],
    ['"a"b"', "a bare quote inside"],
    ['"a\\b"', "a bad escape"],
  ])("refuses %j (%s) with a 400", (header) => {
    expect(() => idempotencyKeyOf([header])).toThrow(
      expect.objectContaining({ status: 400, detail: "Invalid Idempotency-Key" }),
    );
  });

  it("refuses two Idempotency-Key headers with a 400, even with one key", () => {
    for (const lines of [
      ["a", "b"],
      ["k", "k"],
    ]) {
      expect(() => idempotencyKeyOf(lines), JSON.stringify(lines)).toThrow(
        expect.objectContaining({ status: 400, detail: "Invalid Idempotency-Key" }),
      );
    }
  });
});
