import { describe, expect, it } from "vitest";

// Half-hour offset, no daylight saving: a time-zone bug cannot hide here.
process.env.TZ = "Asia/Kolkata";
const { isoToLocalInput, localInputToIso } = await import("../src/due-date.js");

describe("due dates between <input type=datetime-local> and the API", () => {
  it("sends the typed wall-clock time with the browser's offset", () => {
    expect(localInputToIso("2026-12-01T10:00")).toBe("2026-12-01T10:00:00+05:30");
  });

  it("sends nothing for an empty input", () => {
    expect(localInputToIso("")).toBeNull();
  });

  it("shows a UTC date from the API in local time", () => {
    expect(isoToLocalInput("2026-12-01T04:30:00.000Z")).toBe("2026-12-01T10:00");
    expect(isoToLocalInput(null)).toBe("");
  });
});
