// Words the seeded tasks (and the created ones) are made of: the kind of
// thing people keep in a todo app, so titles, descriptions and tags have the
// lengths and variety of real rows.

export const TITLE_VERBS = [
  "Buy",
  "Call",
  "Email",
  "Review",
  "Fix",
  "Book",
  "Plan",
  "Write",
  "Clean",
  "Pay",
  "Schedule",
  "Renew",
  "Return",
  "Prepare",
  "Update",
  "Read",
] as const;

export const TITLE_OBJECTS = [
  "milk and eggs",
  "the dentist about the Tuesday appointment",
  "the quarterly report",
  "pull request for the login page",
  "flights for the March offsite",
  "the garage",
  "electricity bill",
  "passport",
  "library books",
  "slides for the team meeting",
  "the onboarding checklist",
  "birthday present for Sam",
  "car insurance",
  "notes from the design review",
  "the leaking kitchen tap",
  "chapter 4 of the novel",
  "budget spreadsheet for next year",
  "thank-you cards",
] as const;

export const DESCRIPTIONS = [
  "Before Friday.",
  "Ask about the weekend opening hours too.",
  "Check the numbers against last quarter and flag anything above 10% for review.",
  "The link is in the team chat. Needs two approvals before merge; run the e2e suite locally first.",
  "Compare at least three options; the cheapest is not always the best once bags are included.",
  "Keep the receipt in the finance folder. The account number is on the last statement.",
  "Mum suggested the blue one. Order by the 12th so it arrives in time, and remember the card.",
  "Follow-up from Monday's standup: agree owners for each open item, then send the summary to everyone who missed it, with the decisions and the dates we committed to.",
  "Low effort, do it while waiting for the build.",
  "See the thread from last week for context; the main question is whether we can reuse the existing component or need a new one, and what that means for the review timeline.",
] as const;

export const TAGS = [
  "work",
  "home",
  "urgent",
  "errands",
  "health",
  "finance",
  "reading",
  "family",
  "travel",
  "someday",
] as const;

export const PRIORITIES = ["low", "medium", "high"] as const;
export type Priority = (typeof PRIORITIES)[number];
