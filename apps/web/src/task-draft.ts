import type { NewTask, Task } from "@todo/client";

/**
 * Whether `task` already holds everything `draft` sets. An edit whose answer
 * was lost is stored by then, and its retry is refused as a change made
 * elsewhere (edits carry no idempotency key): when the task is exactly as the
 * edit left it, the edit is done, and nothing was overwritten.
 */
export function hasDraft(task: Task, draft: NewTask): boolean {
  return (
    task.title === draft.title.trim() &&
    task.description === (draft.description ?? null) &&
    task.priority === (draft.priority ?? "medium") &&
    sameInstant(task.dueDate, draft.dueDate ?? null) &&
    task.tags.join("\n") === (draft.tags ?? []).join("\n")
  );
}

function sameInstant(a: string | null, b: string | null): boolean {
  return a === null || b === null ? a === b : Date.parse(a) === Date.parse(b);
}
