import { z } from "zod";

import { boundedText, storableText } from "./text.schemas.js";

// One schema per procedure input and output. tRPC validates with them, the
// REST adapter calls the same procedures, and the OpenAPI document is
// generated from them: a rule written here holds on every transport.

export const PRIORITIES = ["low", "medium", "high"] as const;
export const TASK_SORTS = ["created", "updated", "title", "due_date", "priority"] as const;

const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?([Zz]|[+-]\d{2}:?\d{2})?)?$/;

/**
 * An ISO 8601 date-time, as Pydantic accepts it: a date alone is midnight, and
 * a time without an offset is taken as UTC. Becomes a Date.
 */
export const dateTimeInput = z
  .string()
  .transform((text, ctx) => {
    const date = parseIsoDateTime(text);
    if (date) return date;
    ctx.issues.push({
      code: "invalid_format",
      format: "datetime",
      input: text,
      message: "Input should be a valid datetime",
    });
    return z.NEVER;
  })
  .meta({ format: "date-time", examples: ["2026-11-22T10:00:00Z"] });

export function parseIsoDateTime(text: string): Date | null {
  const match = ISO_DATE_TIME.exec(text);
  if (!match) return null;
  const [, y, mo, d, h = "0", mi = "0", s = "0", fraction = "", offset] = match;
  const parts = [y, mo, d, h, mi, s].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const [year, month, day, hour, minute, second] = parts;
  // Years 1–9999: what PostgreSQL and ISO 8601's four digits both hold.
  if (year < 1) return null;
  const millis = Number(fraction.padEnd(3, "0").slice(0, 3));
  // setUTCFullYear, unlike Date.UTC, does not read years 0–99 as 1900–1999.
  const check = new Date(0);
  check.setUTCFullYear(year, month - 1, day);
  check.setUTCHours(hour, minute, second, millis);
  const utc = check.getTime();
  if (
    check.getUTCFullYear() !== year ||
    check.getUTCMonth() !== month - 1 ||
    check.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    return null;
  }
  let shiftMinutes = 0;
  if (offset && offset.toUpperCase() !== "Z") {
    const sign = offset.startsWith("-") ? -1 : 1;
    const digits = offset.slice(1).replace(":", "");
    const offsetHours = Number(digits.slice(0, 2));
    const offsetMinutes = Number(digits.slice(2, 4));
    if (offsetHours > 23 || offsetMinutes > 59) return null;
    shiftMinutes = sign * (offsetHours * 60 + offsetMinutes);
  }
  return new Date(utc - shiftMinutes * 60_000);
}

export const titleInput = boundedText({ min: 1, max: 200, trim: true });
export const descriptionInput = boundedText({ min: 0, max: 1000, trim: false }).nullable();
export const priorityInput = z.enum(PRIORITIES);
const TAGS_MAX = 10;

const tagList = z
  .array(boundedText({ min: 1, max: 30, trim: true }))
  .max(TAGS_MAX)
  .check((ctx) => {
    const seen = new Set<string>();
    for (const tag of ctx.value) {
      const key = tag.toLowerCase();
      if (seen.has(key)) {
        ctx.issues.push({
          code: "custom",
          input: ctx.value,
          message: `Duplicate tag '${tag}' (tags are compared without regard to case)`,
        });
        return;
      }
      seen.add(key);
    }
  });

/**
 * More than 10 tags is one issue, found before any tag is looked at, as
 * Pydantic stops at a list's max_length: 30,000 bad tags in a body are not
 * 30,000 checks and 30,000 issues. Typed as the list's input, for the types
 * clients infer; at run time `sent` is whatever was sent.
 */
export const tagsInput = z.preprocess((sent: z.input<typeof tagList>, ctx) => {
  const value: unknown = sent;
  if (Array.isArray(value) && value.length > TAGS_MAX) {
    ctx.issues.push({
      code: "too_big",
      origin: "array",
      maximum: TAGS_MAX,
      inclusive: true,
      input: value,
      message: `List should have at most ${TAGS_MAX} items after validation, not ${value.length}`,
    });
  }
  return value;
}, tagList);

const taskIdInput = z.string().meta({ description: "The task's id (a UUID)" });

export const createTaskInput = z.object({
  title: titleInput,
  description: descriptionInput.optional(),
  completed: z.boolean().optional(),
  priority: priorityInput.optional(),
  dueDate: dateTimeInput.nullable().optional(),
  tags: tagsInput.optional(),
});

export const taskChangesInput = createTaskInput.partial();

/**
 * How many versions `expectedVersion` may list: more than an If-Match header
 * can carry within Node's default 16 KiB limit on a request's headers (each
 * distinct tag takes at least 4 bytes, `"1",`), so REST can pass on every
 * header it accepts, and a tRPC call can send the same list.
 */
export const MAX_EXPECTED_VERSIONS = 4096;

const versionInput = z.number().int().min(1);

/**
 * The version(s) the task must be at for the write to apply (If-Match):
 * otherwise PRECONDITION_FAILED and nothing changes. Any positive integer is
 * a version to compare with; one the task can never reach (beyond the 32-bit
 * column) simply never matches, as over REST.
 */
export const expectedVersionInput = z
  .union([versionInput, z.array(versionInput).max(MAX_EXPECTED_VERSIONS)])
  .optional();

/** Retries with the same key replay the first answer instead of writing again. */
export const idempotencyKeyInput = z
  .string()
  .regex(/^[\x20-\x7e]{1,255}$/, "An idempotency key is 1 to 255 printable ASCII characters")
  .optional();

export const createTaskWithKeyInput = createTaskInput.extend({
  idempotencyKey: idempotencyKeyInput,
});

export const updateTaskInput = taskChangesInput.extend({
  id: taskIdInput,
  expectedVersion: expectedVersionInput,
});

export const taskByIdInput = z.object({ id: taskIdInput });

export const deleteTaskInput = taskByIdInput.extend({ expectedVersion: expectedVersionInput });

export const toggleCompleteInput = taskByIdInput.extend({
  expectedVersion: expectedVersionInput,
  idempotencyKey: idempotencyKeyInput,
});

export const setCompletedInput = z.object({
  id: taskIdInput,
  completed: z.boolean(),
  expectedVersion: expectedVersionInput,
  idempotencyKey: idempotencyKeyInput,
});

export const listTasksInput = z
  .object({
    status: z.enum(["all", "pending", "completed"]).optional(),
    completed: z.boolean().optional(),
    priority: priorityInput.optional(),
    tag: storableText().trim().optional(),
    search: storableText().optional(),
    dueBefore: dateTimeInput.optional(),
    dueAfter: dateTimeInput.optional(),
    sort: z.enum(TASK_SORTS).optional(),
    order: z.enum(["asc", "desc"]).optional(),
    limit: z.number().int().min(1).max(1000).optional(),
    offset: z.number().int().min(0).optional(),
  })
  // Some frontends filter with `completed`, others with `status`; both at
  // once must say the same.
  .check((ctx) => {
    const { status, completed } = ctx.value;
    if (completed === undefined || status === undefined || status === "all") return;
    if ((status === "completed") !== completed) {
      ctx.issues.push({
        code: "custom",
        path: ["completed"],
        input: completed,
        message: `completed=${String(completed)} contradicts status=${status}`,
      });
    }
  });

/** The list's status filter, whichever of `status` and `completed` gave it. */
export function statusFilter(input: Pick<ListTasksInput, "status" | "completed">) {
  if (input.completed === undefined) return input.status;
  return input.completed ? "completed" : "pending";
}

export const taskOutput = z.object({
  id: z.uuid(),
  userId: z.string(),
  title: z.string(),
  description: z.string().nullable(),
  completed: z.boolean(),
  priority: priorityInput,
  dueDate: z.iso.datetime().nullable(),
  tags: z.array(z.string()),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  version: z.number().int().min(1),
});

export const taskListOutput = z.object({
  items: z.array(taskOutput),
  total: z.number().int(),
});

export const deleteTaskOutput = z.object({ id: z.string() });

export type TaskOutput = z.infer<typeof taskOutput>;
export type TaskListOutput = z.infer<typeof taskListOutput>;
export type DeleteTaskOutput = z.infer<typeof deleteTaskOutput>;
export type ListTasksInput = z.infer<typeof listTasksInput>;
