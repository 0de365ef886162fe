import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { Task, TaskFilters, TaskList } from "@todo/client";

import { describeFailure } from "./api-failure.js";
import { addTask, placeholderTask, removeTask, updateTask } from "./optimistic-tasks.js";
import { retryWhileUnavailable, retryWhileUnavailableOrInFlight } from "./query-client.js";
import { useTRPC } from "./trpc.js";

/**
 * A change that may safely arrive twice gives up after this many retries
 * while the service is unavailable: a new task and a tick carry an
 * idempotency key (made once per click, kept by every retry), an edit sends
 * every field, and deleting a deleted task is taken as done.
 */
const CHANGE_RETRIES = 3;

type ListChange = (list: TaskList) => TaskList;

/**
 * The changes to tasks, as TanStack Query mutations. Adding, completing and
 * deleting show at once in the list on screen (`filters`' list); a refusal
 * puts that list back as it was, and whatever happens every list is then
 * fetched again.
 */
export function useTaskChanges(filters: TaskFilters) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const listKey = trpc.task.list.queryKey(filters);

  /** Shows `change` now; returns what `restore` needs to take it back. */
  async function showAtOnce(change: ListChange) {
    // A fetch of the list still under way would overwrite the change.
    await queryClient.cancelQueries(trpc.task.list.queryFilter());
    const previous = queryClient.getQueryData(listKey);
    if (previous) queryClient.setQueryData(listKey, change(previous));
    return { listKey, previous };
  }
  type Snapshot = Awaited<ReturnType<typeof showAtOnce>>;

  const restore = (snapshot: Snapshot | undefined) => {
    if (snapshot?.previous) queryClient.setQueryData(snapshot.listKey, snapshot.previous);
  };
  const applyAnswer = (snapshot: Snapshot | undefined, change: ListChange) => {
    if (snapshot) queryClient.setQueryData(snapshot.listKey, (list) => list && change(list));
  };
  // Not awaited: a change is done when the server has answered it, even if
  // the list then takes a while (or retries) to come.
  const refetchLists = () => {
    void queryClient.invalidateQueries(trpc.task.list.queryFilter());
  };

  const create = useMutation(
    trpc.task.create.mutationOptions({
      // Safe to retry: the server answers a retry with the first try's task.
      retry: retryWhileUnavailableOrInFlight(CHANGE_RETRIES),
      onMutate: async (draft) => {
        const placeholder = placeholderTask(draft);
        // An untitled task will be refused: nothing to show meanwhile.
        const change = placeholder.title ? addTask(placeholder, filters) : (list: TaskList) => list;
        return { ...(await showAtOnce(change)), placeholderId: placeholder.id };
      },
      onSuccess: (task, _draft, snapshot) =>
        applyAnswer(snapshot, updateTask(snapshot.placeholderId, task)),
      onError: (_error, _draft, snapshot) => restore(snapshot),
      onSettled: refetchLists,
    }),
  );

  const update = useMutation(
    trpc.task.update.mutationOptions({
      retry: retryWhileUnavailable(CHANGE_RETRIES),
      onSuccess: (task) =>
        queryClient.setQueryData(listKey, (list) => list && updateTask(task.id, task)(list)),
      onSettled: refetchLists,
    }),
  );

  const setCompleted = useMutation(
    trpc.task.setCompleted.mutationOptions({
      retry: retryWhileUnavailableOrInFlight(CHANGE_RETRIES),
      onMutate: ({ id, completed }) => showAtOnce(updateTask(id, { completed })),
      onSuccess: (task, _input, snapshot) => applyAnswer(snapshot, updateTask(task.id, task)),
      onError: (_error, _input, snapshot) => restore(snapshot),
      onSettled: refetchLists,
    }),
  );

  const remove = useMutation(
    trpc.task.delete.mutationOptions({
      retry: retryWhileUnavailable(CHANGE_RETRIES),
      onMutate: ({ id }) => showAtOnce(removeTask(id)),
      // Gone already (deleted elsewhere, or by a try whose answer was lost) is deleted.
      onError: (error, _input, snapshot) => {
        if (describeFailure(error).kind !== "not-found") restore(snapshot);
      },
      onSettled: refetchLists,
    }),
  );

  /**
   * The task as it now is on the server, put into every list on screen: after
   * PRECONDITION_FAILED (whose cause is not sent) this is how the user gets to
   * see what changed. Null when it is gone or cannot be fetched now.
   */
  async function fetchCurrent(id: string): Promise<Task | null> {
    try {
      const current = await queryClient.fetchQuery({
        ...trpc.task.byId.queryOptions({ id }),
        staleTime: 0,
      });
      queryClient.setQueriesData<TaskList>(
        trpc.task.list.queryFilter(),
        (list) => list && updateTask(id, current)(list),
      );
      return current;
    } catch {
      return null;
    }
  }

  return { create, update, setCompleted, remove, fetchCurrent };
}
