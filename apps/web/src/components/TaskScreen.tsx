import type { NewTask, Task, TaskList } from "@todo/client";
import { useCallback, useMemo, useState } from "react";

import { describeFailure, UNAVAILABLE_MESSAGE, type ApiFailure } from "../api-failure.js";
import { retryWhileUnavailable } from "../retry.js";
import type { Session } from "../session.js";
import { client } from "../task-client.js";
import { useDebouncedValue } from "../use-debounced-value.js";
import { useTaskList } from "../use-task-list.js";
import { Brand } from "./Brand.js";
import { RetryNotice } from "./RetryNotice.js";
import {
  DEFAULT_FILTERS,
  isFiltered,
  TaskFilterBar,
  toTaskFilters,
  type FilterValues,
} from "./TaskFilterBar.js";
import { TaskForm } from "./TaskForm.js";
import { TaskItem } from "./TaskItem.js";

/** A change gives up after this many tries while the service is unavailable. */
const CHANGE_ATTEMPTS = 4;

type Outcome<T> = { ok: true; value: T } | { ok: false; failure: ApiFailure };

interface TaskScreenProps {
  session: Session;
  onSignOut: (reason?: string) => void;
}

export function TaskScreen({ session, onSignOut }: TaskScreenProps) {
  const [filterValues, setFilterValues] = useState<FilterValues>(DEFAULT_FILTERS);
  // Typing into search or tag waits for a pause; clicks apply at once.
  const search = useDebouncedValue(filterValues.search, 250);
  const tag = useDebouncedValue(filterValues.tag, 250);
  const filters = useMemo(
    () => toTaskFilters({ ...filterValues, search, tag }),
    [filterValues, search, tag],
  );
  const [announcement, setAnnouncement] = useState("");

  const signOutRefused = useCallback(
    (failure: ApiFailure) =>
      onSignOut(`You have been signed out (${failure.message}). Please log in again.`),
    [onSignOut],
  );
  const { state, reload, patch } = useTaskList(filters, signOutRefused);

  /**
   * Runs a change, retrying while the service is unavailable if `idempotent`:
   * completion is set rather than toggled, an edit sends every field, and
   * deleting a deleted task is taken as done, so these may arrive twice. A
   * create may not (a request with no answer may still have been stored), so
   * it is left to the user to send again.
   */
  const change = useCallback(
    async <T,>(call: () => Promise<T>, idempotent = true): Promise<Outcome<T>> => {
      try {
        const value = await retryWhileUnavailable(call, {
          attempts: idempotent ? CHANGE_ATTEMPTS : 1,
          onRetry: () => setAnnouncement(`${UNAVAILABLE_MESSAGE} Retrying…`),
        });
        reload();
        return { ok: true, value };
      } catch (error) {
        const failure = describeFailure(error);
        if (failure.kind === "unauthorized") signOutRefused(failure);
        // Refused input changed nothing; anything else may have, or may be a
        // lost service the list's own retries then show.
        else if (failure.kind !== "invalid") reload();
        if (failure.kind !== "unavailable") return { ok: false, failure };
        return {
          ok: false,
          failure: { ...failure, message: `${failure.message} Please try again in a moment.` },
        };
      }
    },
    [reload, signOutRefused],
  );

  const createTask = async (draft: NewTask) => {
    const outcome = await change(() => client.task.create.mutate(draft), false);
    if (!outcome.ok) return outcome.failure;
    setAnnouncement(`Added “${outcome.value.title}”.`);
    return null;
  };

  const saveTask = async (task: Task, draft: NewTask) => {
    const outcome = await change(() => client.task.update.mutate({ id: task.id, ...draft }));
    if (!outcome.ok) return outcome.failure;
    patch(replaceTask(outcome.value));
    setAnnouncement(`Saved “${outcome.value.title}”.`);
    return null;
  };

  const setCompleted = async (task: Task, completed: boolean) => {
    // The box is ticked at once; it goes back if the server says no.
    patch(replaceTask({ ...task, completed }));
    const outcome = await change(() => client.task.setCompleted.mutate({ id: task.id, completed }));
    if (outcome.ok) {
      patch(replaceTask(outcome.value));
      setAnnouncement(`“${task.title}” marked ${completed ? "completed" : "pending"}.`);
    } else {
      patch(replaceTask(task));
      setAnnouncement(`Could not update “${task.title}”: ${outcome.failure.message}`);
    }
  };

  const deleteTask = async (task: Task) => {
    const outcome = await change(() => client.task.delete.mutate({ id: task.id }));
    if (outcome.ok || outcome.failure.kind === "not-found") {
      patch(removeTask(task.id));
      setAnnouncement(`Deleted “${task.title}”.`);
    } else {
      setAnnouncement(`Could not delete “${task.title}”: ${outcome.failure.message}`);
    }
  };

  const list = state.list;
  const knownTags = useMemo(() => tagsOf(list), [list]);
  const filtered = isFiltered(filterValues);

  return (
    <div className="app">
      <header className="app-header">
        <div className="app-header-inner">
          <Brand />
          <div className="account">
            <span>
              Signed in as <strong>{session.label}</strong>
            </span>
            <button type="button" className="button-quiet" onClick={() => onSignOut()}>
              Log out
            </button>
          </div>
        </div>
      </header>

      <main className="content">
        <h1 className="visually-hidden">Your tasks</h1>
        <section className="card" aria-labelledby="new-task-heading">
          <h2 id="new-task-heading">New task</h2>
          <TaskForm label="New task" submitLabel="Add task" onSubmit={createTask} />
        </section>

        <section className="card" aria-labelledby="tasks-heading">
          <div className="list-header">
            <h2 id="tasks-heading">Tasks</h2>
            {list ? (
              <span className="count">
                {list.total} {list.total === 1 ? "task" : "tasks"}
                {filtered ? " matching" : ""}
              </span>
            ) : null}
          </div>
          <TaskFilterBar values={filterValues} onChange={setFilterValues} knownTags={knownTags} />

          {state.status === "retrying" ? (
            <RetryNotice retryAt={state.retryAt} onRetryNow={reload} />
          ) : null}
          {state.status === "failed" ? (
            <div className="notice notice-error" role="alert">
              <p>Could not load your tasks: {state.failure.message}</p>
              <button type="button" className="button-quiet" onClick={reload}>
                Try again
              </button>
            </div>
          ) : null}
          <p className="visually-hidden" role="status">
            {announcement}
          </p>

          {list === null ? (
            state.status === "loading" ? (
              <p className="empty">Loading tasks…</p>
            ) : null
          ) : list.items.length === 0 ? (
            <div className="empty">
              {filtered ? (
                <>
                  <p>No tasks match these filters.</p>
                  <button
                    type="button"
                    className="button-quiet"
                    onClick={() =>
                      setFilterValues({
                        ...DEFAULT_FILTERS,
                        sort: filterValues.sort,
                        order: filterValues.order,
                      })
                    }
                  >
                    Clear filters
                  </button>
                </>
              ) : (
                <p>Nothing to do yet. Add your first task above.</p>
              )}
            </div>
          ) : (
            <ul className="task-list" aria-label="Tasks" aria-busy={state.status === "loading"}>
              {list.items.map((task) => (
                <TaskItem
                  key={task.id}
                  task={task}
                  onSetCompleted={setCompleted}
                  onSave={saveTask}
                  onDelete={deleteTask}
                  onTagClick={(tag) => setFilterValues({ ...filterValues, tag })}
                />
              ))}
            </ul>
          )}
        </section>
      </main>
    </div>
  );
}

function replaceTask(updated: Task) {
  return (list: TaskList): TaskList => ({
    ...list,
    items: list.items.map((task) => (task.id === updated.id ? updated : task)),
  });
}

function removeTask(id: string) {
  return (list: TaskList): TaskList => ({
    total: list.total - 1,
    items: list.items.filter((task) => task.id !== id),
  });
}

function tagsOf(list: TaskList | null): string[] {
  const tags = new Set(list?.items.flatMap((task) => task.tags));
  return [...tags].sort((a, b) => a.localeCompare(b));
}
