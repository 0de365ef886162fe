import { keepPreviousData, useIsMutating, useQuery, useQueryClient } from "@tanstack/react-query";
import type { NewTask, Task, TaskList } from "@todo/client";
import { useMemo, useState } from "react";

import { describeFailure, UNAVAILABLE_MESSAGE, type ApiFailure } from "../api-failure.js";
import { nextAttemptAt } from "../query-client.js";
import { hasDraft } from "../task-draft.js";
import { useTRPC } from "../trpc.js";
import { useDebouncedValue } from "../use-debounced-value.js";
import { useTaskChanges } from "../use-task-changes.js";
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
import { TaskItem, type SaveRefusal } from "./TaskItem.js";

interface TaskScreenProps {
  /** Who is signed in, as the header shows it: a name, an email or a user id. */
  userLabel: string;
  onSignOut: () => void;
}

export function TaskScreen({ userLabel, onSignOut }: TaskScreenProps) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [filterValues, setFilterValues] = useState<FilterValues>(DEFAULT_FILTERS);
  // Typing into search or tag waits for a pause; clicks apply at once.
  const search = useDebouncedValue(filterValues.search, 250);
  const tag = useDebouncedValue(filterValues.tag, 250);
  const filters = useMemo(
    () => toTaskFilters({ ...filterValues, search, tag }),
    [filterValues, search, tag],
  );
  const [announcement, setAnnouncement] = useState("");
  // Why a tick or a delete was refused, by task id, shown beside the task. Kept
  // here, not in its item: a refused delete brings the task back as a new item.
  const [notices, setNotices] = useState<ReadonlyMap<string, string>>(new Map());
  const setNotice = (taskId: string, notice: string | null) =>
    setNotices((previous) => {
      if (!notice && !previous.has(taskId)) return previous;
      const next = new Map(previous);
      if (notice) next.set(taskId, notice);
      else next.delete(taskId);
      return next;
    });
  /** A refused tick or delete: said to screen readers, and beside the task when it changed elsewhere. */
  const refused = (task: Task, what: string, failure: ApiFailure) => {
    setAnnouncement(`Could not ${what} “${task.title}”: ${failure.message}`);
    if (failure.kind === "changed-elsewhere") {
      setNotice(
        task.id,
        `${failure.message} Its current version is shown; try again if you still want to.`,
      );
    }
  };

  // The list for these filters; the last one stays on screen while it loads.
  // Retries while the service is unavailable, and a refused token's sign-out,
  // are the query client's (see query-client.ts).
  const listQuery = useQuery(
    trpc.task.list.queryOptions(filters, { placeholderData: keepPreviousData }),
  );
  const changes = useTaskChanges(filters);
  // Only a change waiting for the service; one waiting for its own earlier
  // try (CONFLICT, an idempotency key in flight) is no news to the user.
  const changesRetrying = useIsMutating({
    predicate: (change) =>
      change.state.failureCount > 0 &&
      describeFailure(change.state.failureReason).kind === "unavailable",
  });

  const retrying = listQuery.isFetching && listQuery.failureCount > 0;
  const retryNow = async () => {
    // Cut the wait short: stop the pending retry and fetch now.
    await queryClient.cancelQueries(trpc.task.list.queryFilter(filters));
    void listQuery.refetch();
  };

  /** What a failed change means to the user; a refused token has already signed out. */
  const explain = (error: unknown): ApiFailure => {
    const failure = describeFailure(error);
    if (failure.kind !== "unavailable") return failure;
    return { ...failure, message: `${failure.message} Please try again in a moment.` };
  };

  const createTask = async (draft: NewTask) => {
    try {
      // One key per click, sent again by every retry of it: the server then
      // answers a retry with the task the first try stored.
      const task = await changes.create.mutateAsync({
        ...draft,
        idempotencyKey: crypto.randomUUID(),
      });
      setAnnouncement(`Added “${task.title}”.`);
      return null;
    } catch (error) {
      return explain(error);
    }
  };

  const saveTask = async (task: Task, draft: NewTask): Promise<SaveRefusal | null> => {
    try {
      const saved = await changes.update.mutateAsync({
        id: task.id,
        ...draft,
        expectedVersion: task.version,
      });
      setAnnouncement(`Saved “${saved.title}”.`);
      return null;
    } catch (error) {
      const failure = explain(error);
      if (failure.kind !== "changed-elsewhere") return { failure };
      const current = await changes.fetchCurrent(task.id);
      if (current && hasDraft(current, draft)) {
        setAnnouncement(`Saved “${current.title}”.`);
        return null;
      }
      return current ? { failure, current } : { failure };
    }
  };

  const setCompleted = async (task: Task, completed: boolean) => {
    setNotice(task.id, null);
    try {
      await changes.setCompleted.mutateAsync({
        id: task.id,
        completed,
        expectedVersion: task.version,
        idempotencyKey: crypto.randomUUID(),
      });
      setAnnouncement(`“${task.title}” marked ${completed ? "completed" : "pending"}.`);
    } catch (error) {
      refused(task, "update", explain(error));
    }
  };

  const deleteTask = async (task: Task) => {
    setNotice(task.id, null);
    try {
      await changes.remove.mutateAsync({ id: task.id, expectedVersion: task.version });
      setAnnouncement(`Deleted “${task.title}”.`);
    } catch (error) {
      const failure = explain(error);
      if (failure.kind === "not-found") setAnnouncement(`Deleted “${task.title}”.`);
      else refused(task, "delete", failure);
    }
  };

  const list = listQuery.data ?? null;
  const knownTags = useMemo(() => tagsOf(list), [list]);
  const filtered = isFiltered(filterValues);

  return (
    <div className="app">
      <header className="app-header">
        <div className="app-header-inner">
          <Brand />
          <div className="account">
            <span>
              Signed in as <strong>{userLabel}</strong>
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

          {retrying ? (
            <RetryNotice
              retryAt={nextAttemptAt(listQuery.failureReason) ?? Date.now()}
              onRetryNow={() => void retryNow()}
            />
          ) : null}
          {listQuery.isError && !listQuery.isFetching ? (
            <div className="notice notice-error" role="alert">
              <p>Could not load your tasks: {describeFailure(listQuery.error).message}</p>
              <button
                type="button"
                className="button-quiet"
                onClick={() => void listQuery.refetch()}
              >
                Try again
              </button>
            </div>
          ) : null}
          {changesRetrying > 0 ? (
            <p className="notice notice-warning" role="status">
              {UNAVAILABLE_MESSAGE} Retrying your changes…
            </p>
          ) : null}
          <p className="visually-hidden" role="status">
            {announcement}
          </p>

          {list === null ? (
            listQuery.isPending && !retrying ? (
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
            <ul className="task-list" aria-label="Tasks" aria-busy={listQuery.isFetching}>
              {list.items.map((task) => (
                <TaskItem
                  key={task.id}
                  task={task}
                  notice={notices.get(task.id) ?? null}
                  onSetCompleted={setCompleted}
                  onSave={saveTask}
                  onDelete={deleteTask}
                  onStartEditing={(edited) => setNotice(edited.id, null)}
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

function tagsOf(list: TaskList | null): string[] {
  const tags = new Set(list?.items.flatMap((task) => task.tags));
  return [...tags].sort((a, b) => a.localeCompare(b));
}
