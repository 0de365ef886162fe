import type { TaskFilters, TaskList } from "@todo/client";
import { useCallback, useEffect, useRef, useState } from "react";

import { describeFailure, type ApiFailure } from "./api-failure.js";
import { retryWhileUnavailable } from "./retry.js";
import { client } from "./task-client.js";

export type TaskListState =
  | { status: "loading"; list: TaskList | null }
  | { status: "ready"; list: TaskList }
  | { status: "retrying"; list: TaskList | null; retryAt: number }
  | { status: "failed"; list: TaskList | null; failure: ApiFailure };

export interface TaskListHandle {
  state: TaskListState;
  /** Loads the list again now, e.g. after a change or from a "Retry now" button. */
  reload: () => void;
  /** Shows a changed or deleted task at once, before the reload confirms it. */
  patch: (change: (list: TaskList) => TaskList) => void;
}

/**
 * The tasks matching `filters`, loaded again whenever they change. While the
 * service is unavailable it keeps retrying, backing off, and says when the
 * next attempt is; a refused token goes to `onUnauthorized`.
 */
export function useTaskList(
  filters: TaskFilters,
  onUnauthorized: (failure: ApiFailure) => void,
): TaskListHandle {
  const [state, setState] = useState<TaskListState>({ status: "loading", list: null });
  const [generation, setGeneration] = useState(0);
  const onUnauthorizedRef = useRef(onUnauthorized);
  onUnauthorizedRef.current = onUnauthorized;
  const filtersKey = JSON.stringify(filters);

  useEffect(() => {
    const controller = new AbortController();
    const { signal } = controller;
    const query = JSON.parse(filtersKey) as TaskFilters;
    setState((previous) => ({ status: "loading", list: previous.list }));
    retryWhileUnavailable(() => client.task.list.query(query, { signal }), {
      signal,
      onRetry: (_failure, delayMs) =>
        setState((previous) => ({
          status: "retrying",
          list: previous.list,
          retryAt: Date.now() + delayMs,
        })),
    }).then(
      (list) => {
        if (!signal.aborted) setState({ status: "ready", list });
      },
      (error: unknown) => {
        if (signal.aborted) return;
        const failure = describeFailure(error);
        if (failure.kind === "unauthorized") onUnauthorizedRef.current(failure);
        else setState((previous) => ({ status: "failed", list: previous.list, failure }));
      },
    );
    return () => controller.abort();
  }, [filtersKey, generation]);

  const reload = useCallback(() => setGeneration((value) => value + 1), []);
  const patch = useCallback(
    (change: (list: TaskList) => TaskList) =>
      setState((previous) =>
        previous.list ? { ...previous, list: change(previous.list) } : previous,
      ),
    [],
  );
  return { state, reload, patch };
}
