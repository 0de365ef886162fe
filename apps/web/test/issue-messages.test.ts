import { describe, expect, it } from "vitest";

import { describeIssue, type InputIssue } from "../src/issue-messages.js";

const issue = (fields: Partial<InputIssue> & Pick<InputIssue, "code" | "path">): InputIssue => ({
  message: "the API's words",
  ...fields,
});

describe("describeIssue: the API's validation problems in the app's words", () => {
  it.each<[InputIssue, string]>([
    [issue({ code: "too_small", path: ["title"], minimum: 1 }), "Give the task a title."],
    [
      issue({ code: "too_big", path: ["description"], maximum: 1000 }),
      "Keep the description to 1000 characters or fewer.",
    ],
    [
      issue({ code: "too_big", path: ["tags", 1], maximum: 30 }),
      "Tag 2 is too long: keep each tag to 30 characters or fewer.",
    ],
    [issue({ code: "too_big", path: ["tags"], maximum: 10 }), "Use at most 10 tags."],
    [
      issue({ code: "custom", path: ["tags"] }),
      "Each tag can be used once, and tags that differ only in capitals count as the same.",
    ],
    [
      issue({ code: "invalid_format", path: ["dueDate"] }),
      "Enter a date and time, or leave it empty.",
    ],
    [
      issue({ code: "invalid_format", path: ["email"] }),
      "Enter an email address, like ada@example.com.",
    ],
    [
      issue({ code: "too_small", path: ["password"], minimum: 8 }),
      "Use at least 8 characters for your password.",
    ],
    [issue({ code: "too_small", path: ["password"], minimum: 1 }), "Enter your password."],
    [
      issue({ code: "too_big", path: ["name"], maximum: 100 }),
      "Keep the name to 100 characters or fewer.",
    ],
  ])("%j → %s", (given, words) => {
    expect(describeIssue(given)).toBe(words);
  });

  it.each<[InputIssue, string]>([
    [
      issue({ code: "custom", path: ["title"], message: "String must not contain NUL characters" }),
      "The title contains an invisible NUL character (often pasted along with text): remove it.",
    ],
    [
      issue({
        code: "custom",
        path: ["description"],
        message: "String must not contain NUL characters",
      }),
      "The description contains an invisible NUL character (often pasted along with text): remove it.",
    ],
    [
      issue({
        code: "custom",
        path: ["tags", 1],
        message: "String must not contain NUL characters",
      }),
      "Tag 2 contains an invisible NUL character (often pasted along with text): remove it.",
    ],
  ])("a NUL character the API refuses (%j) → %s", (given, words) => {
    expect(describeIssue(given)).toBe(words);
  });

  it("words a known kind of problem on another field without the API's phrasing", () => {
    expect(describeIssue(issue({ code: "too_big", path: ["search"], maximum: 50 }))).toBe(
      "Too long: use at most 50 characters.",
    );
  });

  it("keeps the API's words for a problem it does not know, saying which item", () => {
    expect(describeIssue(issue({ code: "invalid_type", path: ["tags", 0] }))).toBe(
      "Tag 1: the API's words",
    );
    expect(describeIssue(issue({ code: "custom", path: ["tags", 2] }))).toBe(
      "Tag 3: the API's words",
    );
  });
});
