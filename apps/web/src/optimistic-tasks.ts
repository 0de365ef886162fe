import type { NewTask, Task, TaskFilters, TaskList } from "@todo/client";

// How the list looks before the server has answered a change. The server's
// answer, and the list fetched again after it, always have the last word.

const PLACEHOLDER_ID_PREFIX = "pending:";

/** A new task as it will be stored, shown until the server has stored it. */
export function placeholderTask(draft: NewTask): Task {
  const now = new Date().toISOString();
  return {
    id: `${PLACEHOLDER_ID_PREFIX}${crypto.randomUUID()}`,
    userId: "",
    title: draft.title.trim(),
    description: draft.description ?? null,
    completed: draft.completed ?? false,
    priority: draft.priority ?? "medium",
    dueDate: draft.dueDate ?? null,
    tags: draft.tags ?? [],
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
}

/** A task the server has not stored yet: nothing can be done with it until it has. */
export function isPlaceholder(task: Task): boolean {
  return task.id.startsWith(PLACEHOLDER_ID_PREFIX);
}

/**
 * Adds a new task where the list shows new tasks: first when newest come
 * first (the default), else last. A filtered list is left alone: whether the
 * task belongs in it is for the server to say.
 */
export function addTask(task: Task, filters: TaskFilters) {
  return (list: TaskList): TaskList => {
    const { status = "all", priority, tag, search } = filters;
    if (status !== "all" || priority || tag || search) return list;
    const oldestFirst = (filters.sort ?? "created") === "created" && filters.order === "asc";
    return {
      total: list.total + 1,
      items: oldestFirst ? [...list.items, task] : [task, ...list.items],
    };
  };
}

/** The task with this id, changed (or, with the server's answer, replaced). */
export function updateTask(id: string, changes: Partial<Task>) {
  return (list: TaskList): TaskList => ({
    ...list,
    items: list.items.map((task) => (task.id === id ? { ...task, ...changes } : task)),
  });
}

export function removeTask(id: string) {
  return (list: TaskList): TaskList => {
    const items = list.items.filter((task) => task.id !== id);
    return { total: list.total - (list.items.length - items.length), items };
  };
}
