/**
 * One problem with an input, as the API reports it (a zod issue): which field
 * (`path`), what kind of problem (`code`), and the bounds that were crossed.
 */
export interface InputIssue {
  code: string;
  path: readonly PropertyKey[];
  message: string;
  minimum?: unknown;
  maximum?: unknown;
}

type Words = (issue: InputIssue, item: string) => string;

// The API words its problems as Pydantic does ("String should have at least 8
// characters"), for programs. People get these instead: by field, then by the
// kind of problem. `item` is "Tag 2" for a problem with one tag of the list.
const WORDS_BY_FIELD: Record<string, Partial<Record<string, Words>>> = {
  title: {
    too_small: () => "Give the task a title.",
    too_big: (issue) => `Keep the title to ${bound(issue.maximum)} characters or fewer.`,
  },
  description: {
    too_big: (issue) => `Keep the description to ${bound(issue.maximum)} characters or fewer.`,
  },
  priority: {
    invalid_value: () => "Choose Low, Medium or High.",
  },
  dueDate: {
    invalid_format: () => "Enter a date and time, or leave it empty.",
  },
  tags: {
    too_small: (_, item) => `${item} is empty: remove it, or give it a name.`,
    too_big: (issue, item) =>
      item
        ? `${item} is too long: keep each tag to ${bound(issue.maximum)} characters or fewer.`
        : `Use at most ${bound(issue.maximum)} tags.`,
    // On the list: a duplicate. On one tag: a rule of that tag's text.
    custom: (issue, item) =>
      item
        ? `${item}: ${issue.message}`
        : "Each tag can be used once, and tags that differ only in capitals count as the same.",
  },
  email: {
    invalid_format: () => "Enter an email address, like ada@example.com.",
    too_big: (issue) =>
      `That email address is too long: at most ${bound(issue.maximum)} characters.`,
  },
  password: {
    too_small: (issue) =>
      bound(issue.minimum) === "1"
        ? "Enter your password."
        : `Use at least ${bound(issue.minimum)} characters for your password.`,
    too_big: (issue) => `Use at most ${bound(issue.maximum)} characters for your password.`,
  },
  name: {
    too_small: () => "Enter a name, or leave the field empty.",
    too_big: (issue) => `Keep the name to ${bound(issue.maximum)} characters or fewer.`,
  },
};

/** For a field or a kind of problem not listed above: still no Pydantic. */
const WORDS_BY_CODE: Partial<Record<string, Words>> = {
  too_small: (issue) => `Too short: use at least ${bound(issue.minimum)} characters.`,
  too_big: (issue) => `Too long: use at most ${bound(issue.maximum)} characters.`,
  invalid_format: () => "This does not look right. Please check it.",
};

/**
 * The API's words for text PostgreSQL cannot store (the contract's "Hostile
 * input"). Its code, "custom", is also a duplicate tag's, so the words are
 * what tell it apart.
 */
const NUL_CHARACTER_MESSAGE = "String must not contain NUL characters";

/** How a person would name each text field in a sentence. */
const FIELD_NAMES: Record<string, string> = {
  title: "The title",
  description: "The description",
  name: "The name",
  email: "The email address",
  password: "The password",
  search: "The search",
  tag: "The tag",
};

/** What to tell a person about one problem with what they typed. */
export function describeIssue(issue: InputIssue): string {
  const [field, index] = issue.path;
  const item = typeof index === "number" ? `Tag ${index + 1}` : "";
  if (issue.code === "custom" && issue.message === NUL_CHARACTER_MESSAGE) {
    const what = item || (typeof field === "string" && FIELD_NAMES[field]) || "This text";
    return `${what} contains an invisible NUL character (often pasted along with text): remove it.`;
  }
  const words =
    (typeof field === "string" ? WORDS_BY_FIELD[field]?.[issue.code] : undefined) ??
    WORDS_BY_CODE[issue.code];
  if (words) return words(issue, item);
  // Unforeseen: the API's own words, saying which item of a list it means.
  return item ? `${item}: ${issue.message}` : issue.message;
}

function bound(value: unknown): string {
  return typeof value === "number" || typeof value === "bigint" ? String(value) : "";
}
